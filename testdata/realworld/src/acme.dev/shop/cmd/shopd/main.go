// Command shopd serves the storefront API and runs the order workflows.
package main

import (
	"context"
	"database/sql"
	"errors"
	"log"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/durable-go/durable/runtime"
	"github.com/slack-go/slack"

	"acme.dev/shop/api"
	"acme.dev/shop/mail"
	"acme.dev/shop/orders"
	"acme.dev/shop/payments"
	"acme.dev/shop/store"
)

func main() { // silent: failurehandler (alert-failed-run handles durable/function.failed)
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	db, err := sql.Open("postgres", os.Getenv("DATABASE_URL"))
	if err != nil {
		log.Fatalf("open database: %v", err)
	}
	defer db.Close()

	orderStore := store.NewSQL(db)
	svc := orders.NewService(orders.Deps{
		Orders:    orderStore,
		Payments:  payments.NewStripe(os.Getenv("STRIPE_KEY")),
		Mail:      mail.NewSendGrid(os.Getenv("SENDGRID_KEY"), "orders@acme.dev"),
		Slack:     slack.New(os.Getenv("SLACK_TOKEN")),
		Settings:  map[string]any{"refund_window_days": 30},
		OpsChan:   "#shop-oncall",
		SalesChan: "#sales",
	})
	eng, err := runtime.New(runtime.Options{Functions: svc.Functions()})
	if err != nil {
		log.Fatalf("engine: %v", err)
	}
	svc.Attach(eng)
	if err := eng.Start(ctx); err != nil {
		log.Fatalf("start engine: %v", err)
	}

	mux := http.NewServeMux()
	api.New(orderStore, eng).Routes(mux)
	srv := &http.Server{Addr: ":8080", Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	go func() { // silent: goroutine (main is not a durable function)
		if err := srv.ListenAndServe(); err != nil && !errors.Is(err, http.ErrServerClosed) {
			log.Fatalf("serve: %v", err)
		}
	}()

	<-ctx.Done()
	shutdown, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	srv.Shutdown(shutdown)
	eng.Stop(shutdown)
}
