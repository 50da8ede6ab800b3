// Package kb is the assistant's knowledge base and conversation log.
package kb

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
)

type Passage struct {
	DocID string  `json:"doc_id"`
	Text  string  `json:"text"`
	Score float64 `json:"score"`
}

type Store struct{ db *sql.DB }

func New(db *sql.DB) *Store { return &Store{db: db} }

func (s *Store) Search(ctx context.Context, vector []float32, k int) ([]Passage, error) {
	rows, err := s.db.QueryContext(ctx,
		`SELECT doc_id, text, 1 - (embedding <=> $1) AS score FROM passages ORDER BY embedding <=> $1 LIMIT $2`,
		vectorLiteral(vector), k)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Passage
	for rows.Next() {
		var p Passage
		if err := rows.Scan(&p.DocID, &p.Text, &p.Score); err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

// SaveExchange logs a question and its answer once per event.
func (s *Store) SaveExchange(ctx context.Context, eventID, channel, question, answer string) error {
	_, err := s.db.ExecContext(ctx,
		`INSERT INTO exchanges (event_id, channel, question, answer) VALUES ($1, $2, $3, $4)
		 ON CONFLICT (event_id) DO NOTHING`, eventID, channel, question, answer)
	return err
}

func (s *Store) RecordRating(ctx context.Context, messageTS string, rating int) error {
	_, err := s.db.ExecContext(ctx, `UPDATE exchanges SET rating = $2 WHERE answer_ts = $1`, messageTS, rating)
	return err
}

// Workspaces lists the Slack workspaces the assistant is installed in.
func (s *Store) Workspaces(ctx context.Context) ([]string, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT team_id FROM installations WHERE revoked_at IS NULL`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var ids []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		ids = append(ids, id)
	}
	return ids, rows.Err()
}

func (s *Store) DeleteThreadsBefore(ctx context.Context, team, before string) (int64, error) {
	res, err := s.db.ExecContext(ctx, `DELETE FROM threads WHERE team_id = $1 AND last_ts < $2`, team, before)
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}

// ClaimCleanup records that the cleanup of this cron event ran, in the
// local SQLite cache; a repeated claim inserts nothing and reports false.
func (s *Store) ClaimCleanup(ctx context.Context, cache *sql.DB, eventID string) (bool, error) {
	res, err := cache.ExecContext(ctx, `INSERT OR IGNORE INTO cleanup_runs (event_id) VALUES (?)`, eventID)
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

func vectorLiteral(v []float32) string {
	parts := make([]string, len(v))
	for i, x := range v {
		parts[i] = fmt.Sprint(x)
	}
	return "[" + strings.Join(parts, ",") + "]"
}
