// Package postgres implements accounts.Repository.
package postgres

import (
	"context"
	"database/sql"
	"encoding/json"

	"acme.dev/onboarding/accounts"
)

type Repository struct{ db *sql.DB }

var _ accounts.Repository = (*Repository)(nil)

func New(db *sql.DB) *Repository { return &Repository{db: db} }

func (r *Repository) CreateWorkspace(ctx context.Context, userID, name string) (accounts.Workspace, error) {
	var ws accounts.Workspace
	err := r.db.QueryRowContext(ctx,
		`INSERT INTO workspaces (owner_id, name) VALUES ($1, $2)
		 ON CONFLICT (owner_id) DO UPDATE SET name = excluded.name
		 RETURNING id, name`, userID, name).Scan(&ws.ID, &ws.Name)
	return ws, err
}

func (r *Repository) SetStage(ctx context.Context, userID, stage string) error {
	_, err := r.db.ExecContext(ctx, `UPDATE users SET onboarding_stage = $2 WHERE id = $1`, userID, stage)
	return err
}

func (r *Repository) Plan(ctx context.Context, userID string) (accounts.Plan, error) {
	var p accounts.Plan
	err := r.db.QueryRowContext(ctx, `SELECT p.name, p.seats FROM plans p JOIN users u ON u.plan = p.name WHERE u.id = $1`, userID).
		Scan(&p.Name, &p.Seats)
	return p, err
}

func (r *Repository) Playbook(ctx context.Context, plan string) (accounts.Playbook, error) {
	var raw []byte
	if err := r.db.QueryRowContext(ctx, `SELECT actions FROM playbooks WHERE plan = $1`, plan).Scan(&raw); err != nil {
		return accounts.Playbook{}, err
	}
	pb := accounts.Playbook{Plan: plan}
	return pb, json.Unmarshal(raw, &pb.Actions)
}

func (r *Repository) CreateTask(ctx context.Context, userID, template string) error {
	_, err := r.db.ExecContext(ctx, `INSERT INTO cs_tasks (user_id, template) VALUES ($1, $2)`, userID, template)
	return err
}
