package orders

import (
	"context"
	"fmt"
	"time"

	"github.com/durable-go/durable/runtime"
	"github.com/durable-go/durable/runtime/step"
	"github.com/slack-go/slack"
)

type salesTotals struct {
	Orders     int   `json:"orders"`
	GrossCents int64 `json:"gross_cents"`
	Refunds    int   `json:"refunds"`
}

// DailySalesSummary posts yesterday's sales to the team channel.
func (s *Service) DailySalesSummary(ctx context.Context, in runtime.Input[runtime.CronData]) (any, error) {
	at, err := time.Parse(time.RFC3339, in.Event.Data.At)
	if err != nil {
		return nil, runtime.NonRetriable(err)
	}
	day := at.AddDate(0, 0, -1).Format(time.DateOnly)
	totals, err := step.Run(ctx, "sum-sales", func(ctx context.Context) (salesTotals, error) {
		var t salesTotals
		err := s.orders.DailyTotals(ctx, day, &t.Orders, &t.GrossCents, &t.Refunds)
		return t, err
	})
	if err != nil {
		return nil, err
	}
	_, err = step.Run(ctx, "post-summary", func(ctx context.Context) (string, error) {
		text := fmt.Sprintf("%s: %d orders, %d.%02d gross, %d refunds", day, totals.Orders, totals.GrossCents/100, totals.GrossCents%100, totals.Refunds)
		_, ts, err := s.slack.PostMessageContext(ctx, s.salesChan, slack.MsgOptionText(text, false))
		return ts, err
	})
	return totals, err
}
