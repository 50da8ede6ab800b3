package store

import "context"

// EventSender is implemented by stores that store what many sends of
// events make at the same time in one call: their events and the runs the
// events start. The engine gathers the sends whose events start only runs
// of functions without flow control (nothing else to read or decide in a
// transaction), so that a busy engine pays one round trip for many sends
// instead of two or three for each. Stores without it get the same writes
// through Update, one send at a time (SQLite's group commit already makes
// one transaction of many).
type EventSender interface {
	// SendEvents stores each send all or nothing, and reports for each
	// what it did. A send with an event whose name has a wait is not
	// stored at all (Waited): its events may complete waits, which the
	// caller matches in a transaction of its own (Update). Otherwise each
	// event is stored unless an event with its ID exists (then neither it
	// nor its runs are), and the runs of the events stored are stored as
	// InsertStartedRun stores them: as given, or queued when their
	// function is paused.
	SendEvents(ctx context.Context, sends []EventSend) ([]EventSendResult, error)
}

// EventSend is one send of events and the runs they start.
type EventSend struct {
	Events []Event
	Runs   []SentRun
}

// SentRun is a new run that an event of a send starts. Its Run has neither
// Limits, a parent nor a rerun: runs that have go through Update.
type SentRun struct {
	// Event is the index in EventSend.Events of the event that starts it.
	Event int
	StartRunParams
}

// EventSendResult is what SendEvents did with one send.
type EventSendResult struct {
	// Waited says an event of the send names a wait: nothing was stored.
	Waited bool
	// Stored says, for each event, whether it was stored (false: its ID
	// existed, or the send waited).
	Stored []bool
	// Started says, for each run, whether it was stored as given (false:
	// it was stored queued, as its function is paused, or not at all, as
	// its event was not).
	Started []bool
}
