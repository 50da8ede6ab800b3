// Command assistant serves the Slack assistant: the Slack events webhook
// and the Inngest endpoint.
package main

import (
	"database/sql"
	"encoding/json"
	"log"
	"net/http"
	"os"

	"github.com/inngest/inngestgo"
	openai "github.com/sashabaranov/go-openai"
	"github.com/slack-go/slack"

	"acme.dev/assistant/bot"
	"acme.dev/assistant/kb"
	"acme.dev/assistant/llm"
)

type slackEvent struct {
	Type      string `json:"type"`
	Challenge string `json:"challenge"`
	TeamID    string `json:"team_id"`
	Event     struct {
		Type    string `json:"type"`
		Channel string `json:"channel"`
		User    string `json:"user"`
		Text    string `json:"text"`
		TS      string `json:"ts"`
	} `json:"event"`
}

func slackEvents(client inngestgo.Client) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		var se slackEvent
		if err := json.NewDecoder(r.Body).Decode(&se); err != nil {
			http.Error(w, "bad request", http.StatusBadRequest)
			return
		}
		if se.Type == "url_verification" {
			w.Write([]byte(se.Challenge))
			return
		}
		name := bot.EventQuestionAsked
		if se.Event.Type == "app_mention" {
			name = bot.EventMentionReceived
		}
		id := se.TeamID + "-" + se.Event.TS
		_, err := client.Send(r.Context(), inngestgo.Event{ // silent: swallowerr (HTTP handler answers with http.Error and returns)
			ID:   &id,
			Name: name,
			Data: map[string]any{"team_id": se.TeamID, "channel": se.Event.Channel, "user": se.Event.User, "text": se.Event.Text, "message_ts": se.Event.TS},
		})
		if err != nil {
			http.Error(w, "try again", http.StatusServiceUnavailable)
			return
		}
		w.WriteHeader(http.StatusOK)
	}
}

func main() { // want "failurehandler: inngest/function\\.failed" not "runtime\\."
	db, err := sql.Open("postgres", os.Getenv("DATABASE_URL"))
	if err != nil {
		log.Fatal(err)
	}
	cache, err := sql.Open("sqlite", "cache.db")
	if err != nil {
		log.Fatal(err)
	}
	client, err := inngestgo.NewClient(inngestgo.ClientOpts{AppID: "assistant"})
	if err != nil {
		log.Fatal(err)
	}
	app := bot.New(
		llm.New(openai.NewClient(os.Getenv("OPENAI_API_KEY")), os.Getenv("EMBED_URL")),
		kb.New(db),
		slack.New(os.Getenv("SLACK_BOT_TOKEN")),
		cache,
	)
	if err := app.Register(client); err != nil {
		log.Fatalf("register functions: %v", err)
	}
	mux := http.NewServeMux()
	mux.Handle("/api/inngest", client.Serve())
	mux.Handle("POST /slack/events", slackEvents(client))
	log.Fatal(http.ListenAndServe(":3000", mux))
}
