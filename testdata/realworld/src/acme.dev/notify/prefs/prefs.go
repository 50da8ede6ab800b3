// Package prefs stores who wants which notifications, where.
package prefs

import (
	"context"
	"database/sql"
)

type Prefs struct {
	UserID  string `json:"user_id"`
	Email   string `json:"email"`
	Phone   string `json:"phone"`
	EmailOn bool   `json:"email_enabled"`
	SMS     bool   `json:"sms_enabled"`
	Digest  bool   `json:"digest_enabled"`
}

type Store interface {
	Get(ctx context.Context, userID string) (Prefs, error)
	DigestSubscribers(ctx context.Context) ([]string, error)
	Bounced(ctx context.Context) ([]string, error)
	DisableEmail(ctx context.Context, userID string) error
}

type SQLStore struct{ DB *sql.DB }

func (s *SQLStore) Get(ctx context.Context, userID string) (Prefs, error) {
	p := Prefs{UserID: userID}
	err := s.DB.QueryRowContext(ctx,
		`SELECT email, phone, email_enabled, sms_enabled, digest_enabled FROM notification_prefs WHERE user_id = $1`, userID).
		Scan(&p.Email, &p.Phone, &p.EmailOn, &p.SMS, &p.Digest)
	return p, err
}

func (s *SQLStore) DigestSubscribers(ctx context.Context) ([]string, error) {
	return s.ids(ctx, `SELECT user_id FROM notification_prefs WHERE digest_enabled`)
}

func (s *SQLStore) Bounced(ctx context.Context) ([]string, error) {
	return s.ids(ctx, `SELECT user_id FROM bounces WHERE created_at > now() - interval '1 day'`)
}

func (s *SQLStore) DisableEmail(ctx context.Context, userID string) error {
	_, err := s.DB.ExecContext(ctx, `UPDATE notification_prefs SET email_enabled = false WHERE user_id = $1`, userID)
	return err
}

func (s *SQLStore) ids(ctx context.Context, query string) ([]string, error) {
	rows, err := s.DB.QueryContext(ctx, query)
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
