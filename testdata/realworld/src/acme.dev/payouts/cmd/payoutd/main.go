// Command payoutd serves the payouts functions.
package main

import (
	"database/sql"
	"log"
	"net/http"
	"os"

	"github.com/inngest/inngestgo"

	"acme.dev/payouts/bank"
	"acme.dev/payouts/payout"
)

func main() { // silent: failurehandler (payout-failed is triggered by inngest/function.failed)
	db, err := sql.Open("postgres", os.Getenv("DATABASE_URL"))
	if err != nil {
		log.Fatal(err)
	}
	client, err := inngestgo.NewClient(inngestgo.ClientOpts{AppID: "payouts"})
	if err != nil {
		log.Fatal(err)
	}
	if err := payout.New(db, bank.New(os.Getenv("BANK_URL"), os.Getenv("BANK_KEY"))).Register(client); err != nil {
		log.Fatal(err)
	}
	log.Fatal(http.ListenAndServe(":8080", client.Serve()))
}
