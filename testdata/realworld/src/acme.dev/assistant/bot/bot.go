package bot

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/inngest/inngestgo"
	"github.com/slack-go/slack"

	"acme.dev/assistant/kb"
	"acme.dev/assistant/llm"
)

type App struct {
	llm   *llm.Client
	kb    *kb.Store
	slack *slack.Client
	// cache is the local SQLite database of the maintenance jobs.
	cache *sql.DB
}

func New(l *llm.Client, store *kb.Store, sc *slack.Client, cache *sql.DB) *App {
	return &App{llm: l, kb: store, slack: sc, cache: cache}
}

// Register creates the assistant's functions on the client.
func (a *App) Register(client inngestgo.Client) error {
	perChannel := []inngestgo.ConfigStepConcurrency{{Limit: 2, Key: inngestgo.StrPtr("event.data.channel")}}
	if _, err := inngestgo.CreateFunction(client, inngestgo.FunctionOpts{
		ID:          "answer-question",
		Idempotency: inngestgo.StrPtr("event.data.message_ts"),
		Concurrency: perChannel,
	}, inngestgo.EventTrigger(EventQuestionAsked, nil), a.AnswerQuestion); err != nil {
		return err
	}
	if _, err := inngestgo.CreateFunction(client, inngestgo.FunctionOpts{ // want "idempotency: .*PostMessage" not "runtime\\."
		ID:          "quick-reply",
		Concurrency: perChannel,
	}, inngestgo.EventTrigger(EventMentionReceived, nil), a.QuickReply); err != nil {
		return err
	}
	if _, err := inngestgo.CreateFunction(client, inngestgo.FunctionOpts{ // silent: idempotency (an LLM request has no effect beyond its answer)
		ID:          "classify-intent",
		Concurrency: []inngestgo.ConfigStepConcurrency{{Limit: 10}},
	}, inngestgo.EventTrigger("assistant/intent-classify", nil), a.ClassifyIntent); err != nil {
		return err
	}
	if _, err := inngestgo.CreateFunction(client, inngestgo.FunctionOpts{
		ID:          "triage-ticket",
		Idempotency: inngestgo.StrPtr("event.data.ticket_id"),
		Concurrency: perChannel,
	}, inngestgo.EventTrigger(EventTicketOpened, nil), a.TriageTicket); err != nil {
		return err
	}

	// The maintenance crons share their options.
	var err error
	register := func(id, cron string, h inngestgo.SDKFunction[CronEvent]) {
		if err != nil {
			return
		}
		_, err = inngestgo.CreateFunction(client, inngestgo.FunctionOpts{
			ID:          id,
			Concurrency: []inngestgo.ConfigStepConcurrency{{Limit: 1}},
		}, inngestgo.CronTrigger(cron), h)
	}
	register("cleanup-threads", "0 * * * *", a.CleanupThreads) // silent: idempotency (DELETE of idle threads and INSERT OR IGNORE keyed on the event ID)
	register("weekly-usage-digest", "TZ=Europe/Paris 0 9 * * 1", a.WeeklyDigest)
	return err
}

const systemPrompt = "You are Acme's support assistant. Answer from the passages given; say when you do not know."

func prompt(question string, passages []kb.Passage) string {
	s := "Question: " + question + "\n\nPassages:\n"
	for i, p := range passages {
		s += fmt.Sprintf("[%d] %s\n", i+1, p.Text)
	}
	return s
}

var feedbackWindow = 24 * time.Hour

// ClassifyIntent labels a text; triage-ticket invokes it.
func (a *App) ClassifyIntent(ctx context.Context, input inngestgo.Input[inngestgo.GenericEvent[map[string]any]]) (any, error) {
	text, _ := input.Event.Data["text"].(string)
	label, err := a.llm.Complete(ctx, "Answer with one word: billing, bug, how-to or other.", text) // silent: sideeffect (no steps, so no replay; a retry only asks the model again)
	if err != nil {
		return nil, err
	}
	return Intent{Label: label, Confidence: 1}, nil
}
