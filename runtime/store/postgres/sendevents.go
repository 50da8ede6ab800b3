package postgres

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/durable-go/durable/runtime/store"
)

var _ store.EventSender = (*Store)(nil)

// sendEvents is SendEvents' statement: the sends' events and runs as
// arrays, one row per event and per run. Data-modifying CTEs see one
// snapshot, so the check for waits and the inserts agree: a send is stored
// only if none of its event names has a wait (waited lists the others). Of
// the events with one ID, the first of the batch is the one inserted, and
// a run is inserted only for an event inserted (stored, by its position in
// the batch); a run given running of a paused function is inserted queued
// with its held deadline, as InsertStartedRun does (one given queued is
// inserted as given: claims hold it). One statement is one implicit
// transaction: one round trip for every send of the batch.
const sendEvents = `WITH e AS (
	SELECT * FROM unnest($1::int4[], $2::text[], $3::text[], $4::int8[], $5::bytea[], $6::int8[]) WITH ORDINALITY
		AS e(send, id, name, ts, envelope, received_at, ord)
), waited AS (
	SELECT DISTINCT e.send FROM e WHERE EXISTS (SELECT 1 FROM $S.waits w WHERE w.event_name = e.name)
), firsts AS (
	SELECT DISTINCT ON (e.id) e.* FROM e WHERE e.send NOT IN (SELECT send FROM waited) ORDER BY e.id, e.ord
), ins AS (
	INSERT INTO $S.events (id, name, ts, envelope, received_at)
	SELECT id, name, ts, envelope, received_at FROM firsts ORDER BY id
	ON CONFLICT (id) DO NOTHING RETURNING id
), stored AS (
	SELECT f.ord FROM firsts f WHERE f.id IN (SELECT id FROM ins)
), r AS (
	SELECT * FROM unnest($7::int8[], $8::text[], $9::text[], $10::text[], $11::bytea[], $12::int8[], $13::int8[],
			$14::int8[], $15::text[], $16::int8[], $17::int8[], $18::int8[])
		AS r(event_ord, id, function_id, status, events, created_at, started_at, available_at, lease_owner, lease_until, deadline, held_deadline)
), runs AS (
	INSERT INTO $S.runs (id, function_id, status, events, created_at, started_at, available_at, lease_owner, lease_until, deadline, event_id)
	SELECT r.id, r.function_id, CASE WHEN p.function_id IS NULL THEN r.status ELSE 'queued' END, r.events, r.created_at,
		CASE WHEN p.function_id IS NULL THEN r.started_at END, r.available_at,
		CASE WHEN p.function_id IS NULL THEN r.lease_owner END, CASE WHEN p.function_id IS NULL THEN r.lease_until END,
		CASE WHEN p.function_id IS NULL OR r.status <> 'running' THEN r.deadline ELSE r.held_deadline END, e.id
	FROM r JOIN stored ON stored.ord = r.event_ord JOIN e ON e.ord = r.event_ord
		LEFT JOIN $S.paused_functions p ON p.function_id = r.function_id
	ORDER BY r.id
	RETURNING id, status, function_id, created_at, event_id
), indexed AS (
	INSERT INTO $S.run_index (id, function_id, created_at, event_id) SELECT id, function_id, created_at, event_id FROM runs
)
SELECT 'w', send::text, '' FROM waited
UNION ALL SELECT 'e', ord::text, '' FROM stored
UNION ALL SELECT 'r', id, status FROM runs`

// SendEvents implements store.EventSender in one statement, again if
// PostgreSQL aborts it for a deadlock (nothing of it is then kept).
func (s *Store) SendEvents(ctx context.Context, sends []store.EventSend) ([]store.EventSendResult, error) {
	if len(sends) == 0 {
		return nil, nil
	}
	var (
		evSend                    []int32
		evIDs, evNames            []string
		evTS, evReceived          []int64
		evEnvelopes               [][]byte
		runEvent                  []int64
		runIDs, runFns, runStatus []string
		runEvents                 [][]byte
		runCreated, runAvailable  []int64
		runStarted, runLeaseUntil []*int64
		runDeadline, runHeld      []*int64
		runOwner                  []*string
	)
	// firstEvent[i] is the position (from 1, as WITH ORDINALITY counts) of
	// send i's first event in the batch.
	firstEvent := make([]int, len(sends))
	for i, snd := range sends {
		firstEvent[i] = len(evIDs) + 1
		for _, ev := range snd.Events {
			evSend, evIDs, evNames = append(evSend, int32(i)), append(evIDs, ev.ID), append(evNames, ev.Name)
			evTS, evReceived, evEnvelopes = append(evTS, ev.TS), append(evReceived, ev.ReceivedAt.UnixNano()), append(evEnvelopes, []byte(ev.Envelope))
		}
		for _, sr := range snd.Runs {
			r := sr.Run
			if len(r.Limits) > 0 || r.ParentRunID != "" || r.RerunOf != "" {
				return nil, fmt.Errorf("postgres: send events: run %s has limits, a parent or a rerun: store it with Update", r.ID)
			}
			if sr.Event < 0 || sr.Event >= len(snd.Events) {
				return nil, fmt.Errorf("postgres: send events: run %s names event %d of a send of %d", r.ID, sr.Event, len(snd.Events))
			}
			runEvent = append(runEvent, int64(firstEvent[i]+sr.Event))
			runIDs, runFns, runStatus = append(runIDs, r.ID), append(runFns, r.FunctionID), append(runStatus, string(r.Status))
			runEvents, runCreated, runAvailable = append(runEvents, []byte(r.Events)), append(runCreated, r.CreatedAt.UnixNano()), append(runAvailable, r.AvailableAt.UnixNano())
			runStarted, runLeaseUntil = append(runStarted, nanos(r.StartedAt)), append(runLeaseUntil, nanos(r.LeaseUntil))
			runDeadline, runHeld = append(runDeadline, nanos(r.Deadline)), append(runHeld, nanos(sr.HeldDeadline))
			runOwner = append(runOwner, nullString(r.LeaseOwner))
		}
	}
	args := []any{evSend, evIDs, evNames, evTS, evEnvelopes, evReceived,
		runEvent, runIDs, runFns, runStatus, runEvents, runCreated, runStarted, runAvailable, runOwner, runLeaseUntil, runDeadline, runHeld}
	start := time.Now()
	var waited, stored map[int]bool
	var runs map[string]string
	err := s.retry(ctx, func() error {
		rows, err := s.pool.Query(ctx, s.sql(sendEvents), args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		waited, stored, runs = map[int]bool{}, map[int]bool{}, map[string]string{}
		for rows.Next() {
			var kind, a, b string
			if err := rows.Scan(&kind, &a, &b); err != nil {
				return err
			}
			switch kind {
			case "w", "e":
				n, err := strconv.Atoi(a)
				if err != nil {
					return fmt.Errorf("position %q: %w", a, err)
				}
				if kind == "w" {
					waited[n] = true
				} else {
					stored[n] = true
				}
			case "r":
				runs[a] = b
			}
		}
		return rows.Err()
	})
	if err != nil {
		return nil, fmt.Errorf("postgres: send events: %w", err)
	}
	s.observeCommit(start, len(sends))
	out := make([]store.EventSendResult, len(sends))
	wake := false
	for i, snd := range sends {
		res := store.EventSendResult{Waited: waited[i], Stored: make([]bool, len(snd.Events)), Started: make([]bool, len(snd.Runs))}
		for j := range snd.Events {
			res.Stored[j] = stored[firstEvent[i]+j]
		}
		for j, sr := range snd.Runs {
			status, ok := runs[sr.Run.ID]
			res.Started[j] = ok && status == string(sr.Run.Status)
			if ok && claimable(store.Status(status)) {
				wake = true
			}
		}
		out[i] = res
	}
	if wake {
		s.notify.announce()
	}
	return out, nil
}
