// Command onboardingd runs the onboarding workflows.
package main

import (
	"context"
	"database/sql"
	"log"
	"os"
	"os/signal"

	"github.com/durable-go/durable/runtime"

	"acme.dev/onboarding/email"
	"acme.dev/onboarding/flows"
	"acme.dev/onboarding/postgres"
)

// noCRM is used until the sales team picks a CRM.
type noCRM struct{}

func (noCRM) UpsertContact(ctx context.Context, email, company, stage string) error { return nil }

func main() { // want "failurehandler: .*durable/function\\.failed"
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	db, err := sql.Open("postgres", os.Getenv("DATABASE_URL"))
	if err != nil {
		log.Fatal(err)
	}
	f := flows.New(postgres.New(db), noCRM{}, email.NewSender(os.Getenv("SENDGRID_KEY")), db)
	eng, err := runtime.New(runtime.Options{Functions: f.Functions()})
	if err != nil {
		log.Fatal(err)
	}
	if err := eng.Start(ctx); err != nil {
		log.Fatal(err)
	}
	<-ctx.Done()
	eng.Stop(context.Background())
}
