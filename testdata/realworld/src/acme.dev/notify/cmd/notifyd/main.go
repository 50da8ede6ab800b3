// Command notifyd serves the notifications API and the Inngest endpoint.
package main

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"log"
	"net/http"
	"os"
	"os/signal"
	"time"

	"github.com/google/uuid"
	"github.com/inngest/inngestgo"
	"github.com/slack-go/slack"

	"acme.dev/notify/channels"
	"acme.dev/notify/functions"
	"acme.dev/notify/prefs"
)

type notifyRequest struct {
	UserID   string `json:"user_id"`
	Subject  string `json:"subject"`
	Body     string `json:"body"`
	Channel  string `json:"channel"`
	Fallback bool   `json:"fallback_to_sms"`
}

// notifyHandler accepts a notification and queues it; the client's
// Idempotency-Key header, when given, becomes the event ID.
func notifyHandler(client inngestgo.Client) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		var req notifyRequest
		if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
			http.Error(w, "invalid request", http.StatusBadRequest)
			return
		}
		id := r.Header.Get("Idempotency-Key")
		if id == "" {
			id = uuid.NewString()
		}
		name := functions.EventEmailRequested
		if req.Channel == "sms" {
			name = functions.EventSMSRequested
		}
		if _, err := client.Send(r.Context(), inngestgo.Event{ // silent: swallowerr (HTTP handler answers with http.Error and returns)
			ID:   &id,
			Name: name,
			Data: map[string]any{"notification_id": id, "user_id": req.UserID, "subject": req.Subject, "body": req.Body, "fallback_to_sms": req.Fallback},
		}); err != nil {
			http.Error(w, "could not queue the notification", http.StatusBadGateway)
			return
		}
		w.WriteHeader(http.StatusAccepted)
	}
}

func main() { // silent: failurehandler (alert-on-failure is triggered by inngest/function.failed)
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	db, err := sql.Open("postgres", os.Getenv("DATABASE_URL"))
	if err != nil {
		log.Fatal(err)
	}
	client, err := inngestgo.NewClient(inngestgo.ClientOpts{AppID: "notify"})
	if err != nil {
		log.Fatal(err)
	}
	functions.New(client, &prefs.SQLStore{DB: db},
		channels.NewEmail(os.Getenv("SENDGRID_KEY"), "notifications@acme.dev"),
		channels.NewSMS(os.Getenv("TWILIO_FROM")),
		slack.New(os.Getenv("SLACK_TOKEN")),
	).Register()

	mux := http.NewServeMux()
	mux.Handle("/api/inngest", client.Serve())
	mux.Handle("POST /notifications", notifyHandler(client))
	srv := &http.Server{Addr: ":8080", Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	go func() { // silent: goroutine (main is not a durable function)
		if err := srv.ListenAndServe(); !errors.Is(err, http.ErrServerClosed) {
			log.Fatal(err)
		}
	}()
	<-ctx.Done()
	shutdown, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	srv.Shutdown(shutdown)
}
