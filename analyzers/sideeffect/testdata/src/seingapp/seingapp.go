package seingapp // want package:"hasEffects"

// seingapp is a chat bot written with the Inngest Go SDK.

import (
	"context"
	"database/sql"
	"time"

	"github.com/inngest/inngestgo"
	"github.com/inngest/inngestgo/step"
	"github.com/sashabaranov/go-openai"
	"github.com/slack-go/slack"
)

type Question struct {
	Channel string `json:"channel"`
	Text    string `json:"text"`
}

type Bot struct {
	AI    *openai.Client
	Slack *slack.Client
	DB    *sql.DB
}

func (b *Bot) Register(client inngestgo.Client) error { // want Register:`sideEffect\(database call via sql.DB.ExecContext\)`
	// Pitfall #1: no steps, an LLM call then a chat reply.
	_, err := inngestgo.CreateFunction(client, inngestgo.FunctionOpts{ID: "answer"}, inngestgo.EventTrigger("slack/question.asked", nil),
		func(ctx context.Context, in inngestgo.Input[Question]) (any, error) {
			resp, err := b.AI.CreateChatCompletion(ctx, openai.ChatCompletionRequest{Model: "gpt-4o-mini"}) // want `durable function "answer" has no steps but makes 2 calls with effects \(openai.Client.CreateChatCompletion, slack.Client.PostMessageContext\): a retry after a failure runs all of them again`
			if err != nil {
				return nil, err
			}
			_, _, err = b.Slack.PostMessageContext(ctx, in.Event.Channel, slack.MsgOptionText(resp.ID, false))
			return nil, err
		})
	if err != nil {
		return err
	}

	// A closure declared where the function is registered, called between steps.
	audit := func(ctx context.Context, what string) {
		b.DB.ExecContext(ctx, "INSERT INTO audit (what) VALUES ($1)", what)
	}
	_, err = inngestgo.CreateFunction(client, inngestgo.FunctionOpts{ID: "digest"}, inngestgo.CronTrigger("0 9 * * *"),
		func(ctx context.Context, in inngestgo.Input[Question]) (any, error) {
			summary, err := step.Run(ctx, "summarize", func(ctx context.Context) (string, error) {
				resp, err := b.AI.CreateChatCompletion(ctx, openai.ChatCompletionRequest{Model: "gpt-4o-mini"})
				return resp.ID, err
			})
			if err != nil {
				return nil, err
			}
			audit(ctx, "summarized") // want `database call sql.DB.ExecContext outside a step in durable function "digest" via audit → sql.DB.ExecContext: it runs again on every replay of this run`
			step.Sleep(ctx, "settle", time.Minute)
			return step.Run(ctx, "post", func(ctx context.Context) (string, error) {
				audit(ctx, "posted") // inside a step
				_, ts, err := b.Slack.PostMessageContext(ctx, "#digest", slack.MsgOptionText(summary, false))
				return ts, err
			})
		})
	if err != nil {
		return err
	}

	// Negative: one effect and no steps: a retry is a retry of that call.
	_, err = inngestgo.CreateFunction(client, inngestgo.FunctionOpts{ID: "ack"}, inngestgo.EventTrigger("slack/question.asked", nil),
		func(ctx context.Context, in inngestgo.Input[Question]) (any, error) {
			_, _, err := b.Slack.PostMessageContext(ctx, in.Event.Channel, slack.MsgOptionText("on it", false))
			return time.Now(), err
		})
	return err
}

// Events sent through the client between steps are sent again on replay.
func (b *Bot) RegisterFollowUp(client inngestgo.Client) error {
	_, err := inngestgo.CreateFunction(client, inngestgo.FunctionOpts{ID: "follow-up"}, inngestgo.EventTrigger("slack/question.answered", nil),
		func(ctx context.Context, in inngestgo.Input[Question]) (any, error) {
			step.Sleep(ctx, "wait-a-day", 24*time.Hour)
			_, err := client.Send(ctx, inngestgo.Event{Name: "slack/follow-up.due"}) // want `event send inngestgo.Client.Send outside a step in durable function "follow-up": it runs again on every replay of this run; send the events with step.Send, which Inngest records once`
			return nil, err
		})
	return err
}
