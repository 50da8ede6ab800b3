package bot

import (
	"context"
	"fmt"
	"time"

	"github.com/inngest/inngestgo"
	"github.com/inngest/inngestgo/step"
	"github.com/slack-go/slack"
)

// TriageTicket classifies a support ticket and posts it to the team's
// channel with a one-line summary.
func (a *App) TriageTicket(ctx context.Context, input inngestgo.Input[TicketOpened]) (any, error) {
	t := input.Event.Data
	res, err := step.Invoke[any](ctx, "classify", step.InvokeOpts{ // silent: stepresult (an any result is not a bug by itself; the assertion below is)
		FunctionId: "assistant-classify-intent",
		Data:       map[string]any{"text": t.Subject + "\n" + t.Body},
		Timeout:    5 * time.Minute,
	})
	if err != nil {
		return nil, err
	}
	intent := res.(Intent) // want "stepresult: .*map\\[string\\]any" not "runtime\\."

	summary, err := step.Run(ctx, "summarize", func(ctx context.Context) (any, error) { // silent: stepresult (an any holding a string decodes back to a string)
		return a.llm.Complete(ctx, "Summarize the ticket in one line.", t.Body)
	})
	if err != nil {
		return nil, err
	}
	line, ok := summary.(string) // silent: stepresult (a JSON string decodes back to a string)
	if !ok {
		line = t.Subject
	}

	_, err = step.Run(ctx, "post-to-team", func(ctx context.Context) (string, error) {
		text := fmt.Sprintf("[%s] %s — %s", intent.Label, t.Subject, line)
		_, ts, err := a.slack.PostMessageContext(ctx, t.Channel, slack.MsgOptionText(text, false))
		return ts, err
	})
	return intent.Label, err
}

// CleanupThreads forgets threads idle for 30 days.
func (a *App) CleanupThreads(ctx context.Context, input inngestgo.Input[CronEvent]) (any, error) {
	claimed, err := step.Run(ctx, "claim-run", func(ctx context.Context) (bool, error) {
		if input.Event.ID == nil {
			return true, nil
		}
		return a.kb.ClaimCleanup(ctx, a.cache, *input.Event.ID)
	})
	if err != nil || !claimed {
		return nil, err
	}
	teams, err := step.Run(ctx, "list-workspaces", func(ctx context.Context) ([]string, error) { // silent: stepid (same ID in another function registered through the same helper)
		return a.kb.Workspaces(ctx)
	})
	if err != nil {
		return nil, err
	}
	cutoff, err := step.Run(ctx, "cutoff", func(ctx context.Context) (string, error) {
		return fmt.Sprint(time.Now().Add(-30 * 24 * time.Hour).Unix()), nil
	})
	if err != nil {
		return nil, err
	}
	deleted, err := step.Run(ctx, "delete-threads", func(ctx context.Context) (int64, error) {
		var n int64
		for _, team := range teams {
			d, err := a.kb.DeleteThreadsBefore(ctx, team, cutoff)
			if err != nil {
				return n, err
			}
			n += d
		}
		return n, nil
	})
	return deleted, err
}

// WeeklyDigest is a placeholder until usage metrics land: it only counts
// the installations.
func (a *App) WeeklyDigest(ctx context.Context, input inngestgo.Input[CronEvent]) (any, error) {
	teams, err := step.Run(ctx, "list-workspaces", func(ctx context.Context) ([]string, error) { // silent: stepid (same ID in another function registered through the same helper)
		return a.kb.Workspaces(ctx)
	})
	return len(teams), err
}
