// Package payout pays the marketplace's sellers every week.
package payout

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/inngest/inngestgo"
	"github.com/inngest/inngestgo/group"
	"github.com/inngest/inngestgo/step"
	stripe "github.com/stripe/stripe-go/v82"
	"github.com/stripe/stripe-go/v82/transfer"

	"acme.dev/payouts/bank"
)

const EventPayoutRequested = "payouts/payout.requested"

type PayoutData struct {
	SellerID string `json:"seller_id"`
	Week     string `json:"week"`
}

type (
	PayoutRequested = inngestgo.GenericEvent[PayoutData]
	Cron            = inngestgo.GenericEvent[map[string]any]
	FailedRun       = inngestgo.GenericEvent[map[string]any]
)

type Seller struct {
	ID        string `json:"id"`
	IBAN      string `json:"iban"`
	StripeAcc string `json:"stripe_account"`
	Currency  string `json:"currency"`
}

type Sale struct {
	AmountCents int64  `json:"amount_cents"`
	Kind        string `json:"kind"`
}

type Service struct {
	db   *sql.DB
	bank *bank.Client
}

func New(db *sql.DB, b *bank.Client) *Service { return &Service{db: db, bank: b} }

func (s *Service) Register(client inngestgo.Client) error {
	if _, err := inngestgo.CreateFunction(client, inngestgo.FunctionOpts{ID: "weekly-payouts"},
		inngestgo.CronTrigger("TZ=Europe/Berlin 0 6 * * 1"), s.WeeklyPayouts); err != nil {
		return err
	}
	if _, err := inngestgo.CreateFunction(client, inngestgo.FunctionOpts{ // want "idempotency(note): .*transfer-funds" not "runtime\\."
		ID:          "pay-seller",
		Concurrency: []inngestgo.ConfigStepConcurrency{{Limit: 5}},
		Cancel: []inngestgo.ConfigCancel{{ // silent: exprcheck (a constant condition that reads both events)
			Event: "payouts/seller.suspended",
			If:    inngestgo.StrPtr("async.data.seller_id == event.data.seller_id"),
		}},
	}, inngestgo.EventTrigger(EventPayoutRequested, nil), s.PaySeller); err != nil {
		return err
	}
	_, err := inngestgo.CreateFunction(client, inngestgo.FunctionOpts{ID: "payout-failed"},
		inngestgo.EventTrigger("inngest/function.failed", inngestgo.StrPtr("event.data.function_id == 'payouts-pay-seller'")), s.PayoutFailed)
	return err
}

// WeeklyPayouts asks for one payout per seller with sales last week, then
// reports the total paid.
func (s *Service) WeeklyPayouts(ctx context.Context, input inngestgo.Input[Cron]) (any, error) {
	week := time.Unix(input.Event.TS/1000, 0).UTC().AddDate(0, 0, -7).Format("2006-01-02")
	sellers, err := step.Run(ctx, "sellers-with-sales", func(ctx context.Context) ([]string, error) {
		return s.sellersWithSales(ctx, week)
	})
	if err != nil {
		return nil, err
	}
	evs := make([]any, len(sellers))
	for i, id := range sellers {
		evs[i] = inngestgo.Event{
			ID:   inngestgo.StrPtr("payout-" + week + "-" + id),
			Name: EventPayoutRequested,
			Data: map[string]any{"seller_id": id, "week": week},
		}
	}
	if _, err := step.SendMany(ctx, "request-payouts", evs); err != nil {
		return nil, err
	}
	step.Sleep(ctx, "wait-for-payouts", 30*time.Minute) // want "waittimeout: .*(Invoke|WaitForEvent)" not "runtime\\."
	total, err := step.Run(ctx, "sum-paid", func(ctx context.Context) (int64, error) {
		var n int64
		err := s.db.QueryRowContext(ctx, `SELECT coalesce(sum(amount_cents), 0) FROM payouts WHERE week = $1`, week).Scan(&n)
		return n, err
	})
	return total, err
}

// PaySeller computes a seller's net sales for the week and pays them out:
// by Stripe Connect when the seller has an account, by bank wire otherwise.
func (s *Service) PaySeller(ctx context.Context, input inngestgo.Input[PayoutRequested]) (any, error) {
	d := input.Event.Data
	res := group.Parallel(ctx,
		func(ctx context.Context) (any, error) {
			return step.Run(ctx, "load-seller", func(ctx context.Context) (Seller, error) { return s.seller(ctx, d.SellerID) })
		},
		func(ctx context.Context) (any, error) {
			return step.Run(ctx, "load-sales", func(ctx context.Context) ([]Sale, error) { return s.sales(ctx, d.SellerID, d.Week) })
		},
	)
	if err := res.AnyError(); err != nil {
		return nil, err
	}
	seller, sales := res[0].Value.(Seller), res[1].Value.([]Sale) // silent: stepresult (the values come from typed step.Run calls: a Seller and a []Sale on replay too)

	var total int64
	if _, err := step.Run(ctx, "compute-net", func(ctx context.Context) (int64, error) {
		for _, sale := range sales {
			total += sale.AmountCents * 90 / 100 // want "stepcapture: .*total" not "runtime\\."
		}
		return total, nil
	}); err != nil {
		return nil, err
	}
	if total <= 0 {
		return "nothing to pay", nil
	}

	ref := fmt.Sprintf("payout-%s-%s", d.Week, d.SellerID)
	paid, err := step.Run(ctx, "transfer-funds", func(ctx context.Context) (string, error) {
		if seller.StripeAcc != "" {
			params := &stripe.TransferParams{
				Amount: stripe.Int64(total), Currency: stripe.String(seller.Currency),
				Destination: stripe.String(seller.StripeAcc), TransferGroup: stripe.String(d.Week),
			}
			params.SetIdempotencyKey(ref)
			t, err := transfer.New(params)
			if err != nil {
				return "", err
			}
			return t.ID, nil
		}
		return s.bank.Transfer(ctx, bank.Transfer{SellerIBAN: seller.IBAN, AmountCents: total, Currency: seller.Currency, Reference: ref})
	})
	if err != nil {
		return nil, err
	}
	if _, err := step.Run(ctx, "record-payout", func(ctx context.Context) (bool, error) {
		_, err := s.db.ExecContext(ctx,
			`INSERT INTO payouts (seller_id, week, amount_cents, transfer_id) VALUES ($1, $2, $3, $4)
			 ON CONFLICT (seller_id, week) DO NOTHING`, d.SellerID, d.Week, total, paid)
		return err == nil, err
	}); err != nil {
		return nil, err
	}
	_, _ = step.Send(ctx, "notify-seller", inngestgo.Event{ // want "swallowerr: .*notify-seller" not "runtime\\."
		ID:   inngestgo.StrPtr("payout-sent-" + ref),
		Name: "notify/email.requested",
		Data: map[string]any{"notification_id": ref, "user_id": d.SellerID, "subject": "Your payout is on its way"},
	})
	return paid, nil
}

// PayoutFailed flags a seller whose payout failed for the finance team.
func (s *Service) PayoutFailed(ctx context.Context, input inngestgo.Input[FailedRun]) (any, error) {
	return step.Run(ctx, "flag-for-finance", func(ctx context.Context) (bool, error) {
		_, err := s.db.ExecContext(ctx, `INSERT INTO finance_flags (run_id, reason) VALUES ($1, 'payout failed')
			ON CONFLICT DO NOTHING`, fmt.Sprint(input.Event.Data["run_id"]))
		return err == nil, err
	})
}

func (s *Service) sellersWithSales(ctx context.Context, week string) ([]string, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT DISTINCT seller_id FROM sales WHERE week = $1`, week)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var ids []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		ids = append(ids, id)
	}
	return ids, rows.Err()
}

func (s *Service) seller(ctx context.Context, id string) (Seller, error) {
	var sl Seller
	err := s.db.QueryRowContext(ctx, `SELECT id, iban, coalesce(stripe_account, ''), currency FROM sellers WHERE id = $1`, id).
		Scan(&sl.ID, &sl.IBAN, &sl.StripeAcc, &sl.Currency)
	return sl, err
}

func (s *Service) sales(ctx context.Context, sellerID, week string) ([]Sale, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT amount_cents, kind FROM sales WHERE seller_id = $1 AND week = $2`, sellerID, week)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Sale
	for rows.Next() {
		var sl Sale
		if err := rows.Scan(&sl.AmountCents, &sl.Kind); err != nil {
			return nil, err
		}
		out = append(out, sl)
	}
	return out, rows.Err()
}
