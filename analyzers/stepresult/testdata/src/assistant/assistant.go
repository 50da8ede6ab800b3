// Package assistant answers support tickets with an LLM, through the
// Inngest SDK: event data arrives as map[string]any and step results as
// JSON.
package assistant

import (
	"context"
	"strings"
	"time"

	"github.com/inngest/inngestgo"
	"github.com/inngest/inngestgo/step"
)

type Completion struct {
	Text   string
	Tokens int
}

type LLM interface {
	Complete(ctx context.Context, prompt string) (Completion, error)
}

type Ticket struct{ ID, Body string }

type Bot struct {
	llm    LLM
	client inngestgo.Client
}

func (b *Bot) Register() error {
	_, err := inngestgo.CreateFunction(b.client, inngestgo.FunctionOpts{ID: "answer-ticket"}, inngestgo.EventTrigger("support/ticket.created", nil), b.answer)
	return err
}

func (b *Bot) answer(ctx context.Context, in inngestgo.Input[inngestgo.GenericEvent[map[string]any]]) (any, error) {
	data := in.Event.Data
	priority := data["priority"].(int) // want `type assertion to int on the event the function receives, which is decoded from JSON: numbers come back as float64.*so this assertion panics when the value is replayed`
	body, _ := data["body"].(string)   // strings come back as strings
	if vip, ok := data["vip"].(bool); ok && vip {
		priority++
	}

	// An `any` that holds a string decodes back to a string.
	reply, err := step.Run(ctx, "draft-reply", func(ctx context.Context) (any, error) {
		c, err := b.llm.Complete(ctx, body)
		if err != nil {
			return nil, err
		}
		return strings.TrimSpace(c.Text), nil
	})
	if err != nil {
		return nil, err
	}
	text := reply.(string)

	usage, err := step.Run(ctx, "usage", func(ctx context.Context) (any, error) { // want `step.Run records result type any`
		return map[string]any{"tokens": 12}, nil
	})
	if err != nil {
		return nil, err
	}
	if n, ok := usage.(map[string]any)["tokens"].(int); ok && n > 1000 { // want `type assertion to int on the result of step.Run "usage".*so this assertion is never true, so the code silently takes the other path`
		return nil, nil
	}
	tokens := usage.(map[string]any)["tokens"].(float64) // what JSON gives

	verdict, err := step.Invoke[any](ctx, "moderate", step.InvokeOpts{FunctionId: "moderation", Timeout: time.Minute}) // an any result is no bug by itself; assertions on it are checked
	if err != nil {
		return nil, err
	}
	switch v := verdict.(type) {
	case bool: // JSON gives bools back as bools
		if !v {
			return nil, nil
		}
	case Completion: // want `case Completion of a type switch on the result of step.Invoke "moderate", which is decoded from JSON.*so this case never matches when the value is replayed`
		text = v.Text
	case map[string]any:
		text, _ = v["text"].(string)
	}
	for _, tag := range data["tags"].([]any) {
		label := tag.(map[string]any)
		if label["weight"].(int64) > 3 { // want `type assertion to int64 on the event the function receives`
			priority++
		}
	}
	return []any{text, priority, tokens}, nil
}
