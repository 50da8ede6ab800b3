// Command shop is the example app of durable: an order workflow on the
// embedded SQLite store, or on PostgreSQL. It sends three orders (one paid,
// one never paid, one underpaid), lets the engine run them, and prints each
// run's step timeline.
//
//	go run ./examples/shop [-db shop.db] [-http 127.0.0.1:8288]
//	go run ./examples/shop -store postgres://user@host/db [-work]
//
// On PostgreSQL, any number of processes share the work: those started with
// -work only execute runs, until interrupted.
//
// Its events are typed from the catalog durable.yaml, and the engine gets
// every function of the module from the generated registry:
//
//go:generate go run github.com/durable-go/durable/cmd/durable generate
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/durable-go/durable/examples/shop/internal/events"
	"github.com/durable-go/durable/examples/shop/internal/registry"
	"github.com/durable-go/durable/examples/shop/orders"
	"github.com/durable-go/durable/runtime"
	"github.com/durable-go/durable/runtime/store"
	"github.com/durable-go/durable/runtime/store/postgres"
	"github.com/durable-go/durable/runtime/store/sqlite"
)

func main() {
	if err := run(context.Background(), os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "shop:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, out io.Writer) error {
	fs := flag.NewFlagSet("shop", flag.ContinueOnError)
	dbPath := fs.String("db", "", "SQLite file of the engine (default: a new file in a temporary directory)")
	storeURL := fs.String("store", "", "a postgres:// URL: the engine's store is that PostgreSQL database instead of SQLite")
	schema := fs.String("schema", "shop", "with -store: the PostgreSQL schema of the tables")
	work := fs.Bool("work", false, "with -store: send nothing, execute runs until interrupted")
	verbose := fs.Bool("v", false, "log what the engine does")
	httpAddr := fs.String("http", "", "serve the engine's HTTP API on this address (such as 127.0.0.1:8288) and keep running; keys from DURABLE_EVENT_KEY and DURABLE_TOKEN, else dev mode")
	if err := fs.Parse(args); err != nil {
		return err
	}
	// Under durable dev: its database and address, and the UI in dev mode.
	if dev := runtime.Dev(); dev.On {
		if *dbPath == "" && *storeURL == "" {
			*dbPath = dev.DBPath
		}
		if *httpAddr == "" {
			*httpAddr = dev.Addr
		}
	}
	if *storeURL != "" && *dbPath != "" {
		return errors.New("-db and -store: give one")
	}
	if *work && *storeURL == "" {
		return errors.New("-work needs -store: a SQLite file belongs to one process")
	}
	if *storeURL == "" && *dbPath == "" {
		dir, err := os.MkdirTemp("", "durable-shop-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(dir)
		*dbPath = filepath.Join(dir, "shop.db")
	}
	logger := slog.New(slog.DiscardHandler)
	if *verbose {
		logger = slog.New(slog.NewTextHandler(os.Stderr, nil))
	}

	var st store.Store
	where := *dbPath
	if *storeURL != "" {
		pg, err := postgres.Open(ctx, *storeURL, postgres.Schema(*schema))
		if err != nil {
			return err
		}
		st, where = pg, fmt.Sprintf("PostgreSQL (schema %s)", *schema)
	} else {
		lite, err := sqlite.Open(*dbPath)
		if err != nil {
			return err
		}
		st = lite
	}
	defer st.Close()
	opts := runtime.Options{
		Store:     st,
		Functions: registry.Functions(),
		// Events are validated against the catalog's schemas when sent.
		Events:       events.Events(),
		Logger:       logger,
		PollInterval: 50 * time.Millisecond,
	}
	if os.Getenv(runtime.EncryptionKeyEnv) == "" {
		// card_last4 is sensitive: encrypted at rest. The example uses a
		// fixed key; production sets DURABLE_ENCRYPTION_KEY.
		opts.EncryptionKey = []byte("example-key-do-not-use-in-prod!!")
	}
	if *httpAddr != "" {
		opts.HTTP = httpOptions()
	}
	eng, err := runtime.New(opts)
	if err != nil {
		return err
	}
	if err := eng.Start(ctx); err != nil {
		return err
	}
	defer eng.Stop(context.WithoutCancel(ctx))
	fmt.Fprintf(out, "engine started on %s\n\n", where)
	if *httpAddr != "" {
		stop, err := serveHTTP(*httpAddr, eng, out)
		if err != nil {
			return err
		}
		defer stop()
	}
	if *work {
		ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
		defer stop()
		<-ctx.Done()
		return nil
	}

	began := time.Now()
	placed := []events.OrderCreatedData{
		{OrderID: "A-1001", CustomerID: "cus-ada", CardLast4: "4242", Items: []events.Item{{Sku: "kettle", Quantity: 1}}, TotalCents: 4900},
		{OrderID: "B-1002", CustomerID: "cus-bob", Items: []events.Item{{Sku: "mug", Quantity: 2}}, TotalCents: 1800},
		{OrderID: "C-1003", CustomerID: "cus-cy", Items: []events.Item{{Sku: "teapot", Quantity: 1}}, TotalCents: 6500},
	}
	runOf := map[string]string{}
	for _, o := range placed {
		if _, err := eng.Send(ctx, events.OrderCreated.New(o)); err != nil {
			return err
		}
	}
	// A payment only counts once its run waits for it, as in production:
	// wait until each order's run is waiting, then pay A in full and C short.
	payments := map[string]int64{"A-1001": 4900, "C-1003": 3000}
	for len(runOf) < len(placed) {
		page, err := eng.Runs(ctx, runtime.RunFilter{FunctionID: orders.ProcessOrder.ID()})
		if err != nil {
			return err
		}
		for _, r := range page.Runs {
			// Stored events show sensitive fields encrypted: read the ID only.
			var ev struct {
				Data struct {
					OrderID string `json:"order_id"`
				} `json:"data"`
			}
			if err := json.Unmarshal(r.Events[0], &ev); err != nil {
				return err
			}
			id := ev.Data.OrderID
			if _, seen := runOf[id]; seen || r.Status != runtime.RunWaiting || r.CreatedAt.Before(began) {
				continue
			}
			runOf[id] = r.ID
			if amount, ok := payments[id]; ok {
				if _, err := eng.Send(ctx, events.PaymentReceived.New(events.PaymentReceivedData{OrderID: id, AmountCents: amount})); err != nil {
					return err
				}
			}
		}
		if err := pause(ctx, 10*time.Millisecond, began); err != nil {
			return err
		}
	}

	// 3 orders, 1 shipping email, 1 failure alert.
	const wantRuns = 5
	var runs []runtime.RunInfo
	for {
		page, err := eng.Runs(ctx, runtime.RunFilter{})
		if err != nil {
			return err
		}
		runs = page.Runs
		// A shared database keeps the runs of earlier invocations.
		runs = slices.DeleteFunc(runs, func(r runtime.RunInfo) bool { return r.CreatedAt.Before(began) })
		if len(runs) >= wantRuns && !slices.ContainsFunc(runs, func(r runtime.RunInfo) bool { return !r.Status.Terminal() }) {
			break
		}
		if err := pause(ctx, 20*time.Millisecond, began); err != nil {
			return err
		}
	}
	slices.SortFunc(runs, func(a, b runtime.RunInfo) int { return a.CreatedAt.Compare(b.CreatedAt) })
	for _, r := range runs {
		info, err := eng.Run(ctx, r.ID)
		if err != nil {
			return err
		}
		printTimeline(out, info)
	}
	fmt.Fprintf(out, "%d runs in %v\n", len(runs), time.Since(began).Round(time.Millisecond))
	if *httpAddr != "" {
		untilInterrupted(ctx, out, "serving the HTTP API")
	}
	return nil
}

func pause(ctx context.Context, d time.Duration, began time.Time) error {
	if time.Since(began) > time.Minute {
		return errors.New("runs did not finish within a minute")
	}
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-time.After(d):
		return nil
	}
}

func printTimeline(w io.Writer, r runtime.RunInfo) {
	end := r.EndedAt
	fmt.Fprintf(w, "%s  run %s  %s  %v\n", r.FunctionID, r.ID, strings.ToUpper(string(r.Status)), end.Sub(r.CreatedAt).Round(time.Millisecond))
	for _, s := range r.Steps {
		detail := string(s.Output)
		if s.Error != "" {
			detail = "error: " + s.Error
		}
		if len(detail) > 60 {
			detail = detail[:57] + "..."
		}
		attempts := ""
		if s.Attempts > 1 {
			attempts = fmt.Sprintf("%d attempts", s.Attempts)
		}
		fmt.Fprintf(w, "  +%-8s %-7s %-18s %-10s %-11s %s\n",
			s.StartedAt.Sub(r.CreatedAt).Round(time.Millisecond), s.Kind, s.ID, s.Status, attempts, detail)
	}
	switch {
	case r.Error != "":
		fmt.Fprintf(w, "  => error: %s\n\n", r.Error)
	default:
		fmt.Fprintf(w, "  => %s\n\n", r.Output)
	}
}
