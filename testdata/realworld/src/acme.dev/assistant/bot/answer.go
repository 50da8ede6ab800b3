package bot

import (
	"context"
	"errors"

	"github.com/inngest/inngestgo"
	"github.com/inngest/inngestgo/step"
	"github.com/slack-go/slack"

	"acme.dev/assistant/kb"
)

// AnswerQuestion answers in the thread from the knowledge base and records
// the rating the user gives within a day.
func (a *App) AnswerQuestion(ctx context.Context, input inngestgo.Input[QuestionAsked]) (any, error) {
	q := input.Event.Data
	vector, err := step.Run(ctx, "embed-question", func(ctx context.Context) ([]float32, error) {
		return a.llm.Embed(ctx, q.Text)
	})
	if err != nil {
		return nil, err
	}
	passages, err := step.Run(ctx, "search-kb", func(ctx context.Context) ([]kb.Passage, error) {
		return a.kb.Search(ctx, vector, 5)
	})
	if err != nil {
		return nil, err
	}
	answer, err := step.Run(ctx, "generate-answer", func(ctx context.Context) (string, error) {
		return a.llm.Complete(ctx, systemPrompt, prompt(q.Text, passages))
	})
	if err != nil {
		return nil, err
	}
	replyTS, err := step.Run(ctx, "post-reply", func(ctx context.Context) (string, error) {
		_, ts, err := a.slack.PostMessageContext(ctx, q.Channel, slack.MsgOptionText(answer, false), slack.MsgOptionTS(q.MessageTS))
		return ts, err
	})
	if err != nil {
		return nil, err
	}
	if _, err := step.Run(ctx, "save-exchange", func(ctx context.Context) (bool, error) {
		return true, a.kb.SaveExchange(ctx, input.Event.Data.MessageTS, q.Channel, q.Text, answer)
	}); err != nil {
		return nil, err
	}

	fb, err := step.WaitForEvent[FeedbackGiven](ctx, "wait-for-feedback", step.WaitForEventOpts{
		Name:    "Wait for a rating",
		Event:   EventFeedbackGiven,
		If:      inngestgo.StrPtr("async.data.message_ts == '" + replyTS + "'"), // want "exprcheck: .*async\\.data\\.\\w+ == event\\.data\\." not "runtime\\."
		Timeout: feedbackWindow,
	})
	if errors.Is(err, step.ErrEventNotReceived) {
		return map[string]string{"reply": replyTS}, nil
	}
	if err != nil {
		return nil, err
	}
	// A lost rating is not worth failing an answer the user already has.
	_, _ = step.Run(ctx, "record-rating", func(ctx context.Context) (bool, error) { // silent: swallowerr (a comment says why the error is dropped)
		return true, a.kb.RecordRating(ctx, replyTS, fb.Data.Rating)
	})
	return map[string]string{"reply": replyTS}, nil
}

// QuickReply answers a mention in one go, with no steps.
func (a *App) QuickReply(ctx context.Context, input inngestgo.Input[MentionReceived]) (any, error) {
	m := input.Event.Data
	answer, err := a.llm.Complete(ctx, systemPrompt, m.Text) // want "sideeffect: .*CreateChatCompletion.*PostMessageContext" not "runtime\\."
	if err != nil {
		return nil, err
	}
	_, _, err = a.slack.PostMessageContext(ctx, m.Channel, slack.MsgOptionText(answer, false), slack.MsgOptionTS(m.MessageTS))
	return nil, err
}
