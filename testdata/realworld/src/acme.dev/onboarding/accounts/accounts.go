// Package accounts is the onboarding domain: users, workspaces and the
// storage they live in (implemented in package postgres).
package accounts

import (
	"context"

	"github.com/durable-go/durable/runtime"
)

type SignupData struct {
	UserID  string `json:"user_id"`
	Email   string `json:"email"`
	Name    string `json:"name"`
	Company string `json:"company"`
	Plan    string `json:"plan"`
}

type ActivationData struct {
	UserID      string `json:"user_id"`
	WorkspaceID string `json:"workspace_id"`
}

type TrialData struct {
	UserID  string `json:"user_id"`
	Email   string `json:"email"`
	EndsAt  string `json:"ends_at"`
	Seats   int    `json:"seats"`
	Company string `json:"company"`
}

type InviteData struct {
	WorkspaceID string `json:"workspace_id"`
	InviterName string `json:"inviter_name"`
	Email       string `json:"email"`
}

type ChecklistData struct {
	UserID string `json:"user_id"`
	Item   string `json:"item"`
}

type PlaybookData struct {
	UserID string `json:"user_id"`
	Plan   string `json:"plan"`
}

var (
	SignupCompleted    = runtime.NewEventType[SignupData]("onboarding/signup.completed", "2026-03-01.1", nil)
	WorkspaceActivated = runtime.NewEventType[ActivationData]("onboarding/workspace.activated", "2026-03-01.1", nil)
	TrialEnding        = runtime.NewEventType[TrialData]("onboarding/trial.ending", "2026-03-01.1", nil)
	PlaybookStarted    = runtime.NewEventType[PlaybookData]("onboarding/playbook.started", "2026-03-01.1", nil)
	TeamInvited        = runtime.NewEventType[InviteData]("Onboarding/TeamInvited", "2026-03-01.1", nil)                 // want "eventname: .*(upper|capital)"
	InviteAccepted     = runtime.NewEventType[InviteData]("invite.accepted", "2026-03-01.1", nil)                        // want "eventname: .*(domain|prefix)"
	ChecklistItemDone  = runtime.NewEventType[ChecklistData]("onboarding/checklist item.completed", "2026-03-01.1", nil) // want "eventname: .*space"
	// Sent by the admin console when an account manager creates a
	// workspace by hand.
	ManuallyCreated = runtime.NewEventType[ActivationData]("onboarding/created", "2026-03-01.1", nil) // want "eventname: .*(noun|object)"
)

type Workspace struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

type Plan struct {
	Name  string `json:"name"`
	Seats int    `json:"seats"`
}

type ActionType string

const (
	ActionEmail ActionType = "email"
	ActionWait  ActionType = "wait"
	ActionTask  ActionType = "task"
)

// Action is one entry of a customer-success playbook.
type Action struct {
	Type       ActionType `json:"type"`
	Template   string     `json:"template"`
	DelayHours int        `json:"delay_hours"`
}

type Playbook struct {
	Plan    string   `json:"plan"`
	Actions []Action `json:"actions"`
}

// Repository stores accounts. Its implementation is in package postgres,
// which the workflows do not import.
type Repository interface {
	CreateWorkspace(ctx context.Context, userID, name string) (Workspace, error)
	SetStage(ctx context.Context, userID, stage string) error
	Plan(ctx context.Context, userID string) (Plan, error)
	Playbook(ctx context.Context, plan string) (Playbook, error)
	CreateTask(ctx context.Context, userID, template string) error
}

// CRM is the sales team's CRM.
type CRM interface {
	UpsertContact(ctx context.Context, email, company, stage string) error
}
