// Package notify registers Inngest functions at startup and sends events
// from its HTTP API.
package notify

import (
	"context"
	"encoding/json"
	"errors"
	"log"
	"net/http"

	"github.com/inngest/inngestgo"
	"github.com/inngest/inngestgo/step"
)

type Signup struct {
	UserID string `json:"user_id"`
	Email  string `json:"email"`
}

type Profile struct{ Name string }

type Mailer interface {
	Send(ctx context.Context, to, subject string) error
}

type App struct {
	client inngestgo.Client
	mail   Mailer
}

func (a *App) Register() error {
	inngestgo.CreateFunction(a.client, inngestgo.FunctionOpts{ID: "welcome"}, inngestgo.EventTrigger("user/signed-up", nil), a.welcome) // want `the error of inngestgo.CreateFunction is never looked at \(the call's results are discarded\)`
	if _, err := inngestgo.CreateFunction(a.client, inngestgo.FunctionOpts{ID: "welcome-2"}, inngestgo.EventTrigger("user/signed-up", nil), a.welcome); err != nil {
		return err
	}
	_, _ = inngestgo.CreateFunction(a.client, inngestgo.FunctionOpts{ID: "legacy"}, inngestgo.EventTrigger("user/legacy", nil), a.welcome) // registration of a retired function: allowed to fail
	return nil
}

func (a *App) welcome(ctx context.Context, in inngestgo.Input[inngestgo.GenericEvent[Signup]]) (any, error) {
	raw, err := step.Run(ctx, "load-profile", func(ctx context.Context) (json.RawMessage, error) {
		return json.RawMessage(`{}`), nil
	})
	if err != nil {
		return nil, err
	}
	var p Profile
	json.Unmarshal(raw, &p) // want `the error of json.Unmarshal of the result of step.Run "load-profile" is never looked at`
	_, err = step.Run(ctx, "send-welcome", func(ctx context.Context) (bool, error) {
		return true, a.mail.Send(ctx, in.Event.Data.Email, "Welcome, "+p.Name)
	})
	a.client.Send(ctx, inngestgo.Event{Name: "user/welcomed"}) // want `the error of inngestgo.Client.Send is never looked at`
	return nil, err
}

func (a *App) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	var s Signup
	if err := json.NewDecoder(r.Body).Decode(&s); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	_, _ = a.client.Send(r.Context(), inngestgo.GenericEvent[Signup]{Name: "user/signed-up", Data: s}) // want `the error of inngestgo.Client.Send is assigned to _`
	if _, err := a.client.Send(r.Context(), inngestgo.GenericEvent[Signup]{Name: "user/signed-up", Data: s}); err != nil {
		log.Printf("queue signup: %v", err)
		http.Error(w, "try again", http.StatusServiceUnavailable)
		return
	}
	w.WriteHeader(http.StatusAccepted)
}

type AuthResult struct{ UserID string }

// handleUsers runs steps inside an HTTP handler (the Inngest SDK's
// stephttp): it has no error result, and http.Error is how it fails.
func handleUsers(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	auth, err := step.Run(ctx, "authenticate", func(ctx context.Context) (*AuthResult, error) {
		var req Signup
		if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
			return nil, err
		}
		return &AuthResult{UserID: req.UserID}, nil
	})
	if err != nil {
		http.Error(w, "Authentication failed", http.StatusUnauthorized)
		return
	}
	_, err = step.Run(ctx, "send-welcome-email", func(ctx context.Context) (bool, error) {
		return false, errors.New("smtp down")
	})
	if err != nil {
		// Email failure doesn't fail the API - log it but continue
		log.Printf("Warning: failed to send welcome email: %v", err)
	}
	w.Write([]byte(auth.UserID))
}
