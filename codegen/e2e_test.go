package codegen

import (
	"context"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/durable-go/durable/internal/testmod"
)

const e2eCatalog = `version: "1"
package: events
output:
  go: internal/events/events_gen.go
  schemas: schemas/events
  registry: internal/registry/registry_gen.go
types:
  LineItem: {sku: {type: string, required: true}, quantity: {type: integer, minimum: 1, required: true}}
events:
  - name: shop/order.created
    v: "2026-01-15.1"
    description: An order was placed.
    fields:
      order_id: {type: string, required: true}
      items: {type: "[]LineItem", required: true}
      card_last4: {type: string, sensitive: true}
  - name: shop/order.totalled
    v: "1"
    fields:
      order_id: {type: string, required: true}
      quantity: {type: integer, required: true}
`

const e2eFunctions = `package billing

import (
	"context"
	"fmt"

	"example.com/e2e/internal/events"
	"github.com/durable-go/durable/runtime"
	"github.com/durable-go/durable/runtime/step"
)

var TotalOrder = runtime.NewFunction(
	runtime.FunctionOpts{ID: "total-order"},
	events.OrderCreated.Trigger(),
	func(ctx context.Context, in runtime.Input[events.OrderCreatedData]) (any, error) {
		total, err := step.Run(ctx, "sum", func(ctx context.Context) (int64, error) {
			var n int64
			for _, it := range in.Event.Data.Items {
				n += it.Quantity
			}
			return n, nil
		})
		if err != nil {
			return nil, err
		}
		_, err = step.SendEvent(ctx, "emit", events.OrderTotalled.New(events.OrderTotalledData{OrderID: in.Event.Data.OrderID, Quantity: total}))
		// The sensitive card number reaches the function in the clear.
		return fmt.Sprintf("%s:%d:card-%t", in.Event.Data.OrderID, total, in.Event.Data.CardLast4 == "4242"), err
	})

var LogTotal = runtime.NewFunction(
	runtime.FunctionOpts{ID: "log-total"},
	events.OrderTotalled.Trigger(),
	func(ctx context.Context, in runtime.Input[events.OrderTotalledData]) (any, error) {
		return in.Event.Data.Quantity, nil
	})
`

const e2eMain = `package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	_ "example.com/e2e/billing"
	"example.com/e2e/internal/events"
	"example.com/e2e/internal/registry"
	"github.com/durable-go/durable/runtime"
	"github.com/durable-go/durable/runtime/store/sqlite"
)

func fail(v any) {
	fmt.Fprintln(os.Stderr, "FAIL:", v)
	os.Exit(1)
}

func main() {
	ctx := context.Background()
	st, err := sqlite.Open(filepath.Join(os.Args[1], "app.db"))
	if err != nil {
		fail(err)
	}
	defer st.Close()
	fns := registry.Functions()
	for _, f := range fns {
		fmt.Println("function", f.ID())
	}
	for _, e := range events.Events() {
		fmt.Println("event", e.Name(), e.Version(), len(e.Schema()) > 0)
	}
	eng, err := runtime.New(runtime.Options{
		Store:         st,
		Functions:     fns,
		Events:        events.Events(),
		EncryptionKey: []byte("e2e-key-0123456789abcdefghijklmn"),
	})
	if err != nil {
		fail(err)
	}
	if err := eng.Start(ctx); err != nil {
		fail(err)
	}
	defer func() {
		stopCtx, cancel := context.WithTimeout(ctx, 10*time.Second)
		defer cancel()
		if err := eng.Stop(stopCtx); err != nil {
			fail(err)
		}
	}()
	_, err = eng.Send(ctx, events.OrderCreated.New(events.OrderCreatedData{
		OrderID: "o-bad",
		Items:   []events.LineItem{{Sku: "a", Quantity: 0}},
	}))
	var invalid *runtime.EventValidationError
	if !errors.As(err, &invalid) {
		fail(fmt.Sprintf("invalid event: %v", err))
	}
	for _, v := range invalid.Violations {
		fmt.Println("rejected", v.Pointer)
	}
	_, err = eng.Send(ctx, events.OrderCreated.New(events.OrderCreatedData{
		OrderID:   "o-1",
		Items:     []events.LineItem{{Sku: "a", Quantity: 2}, {Sku: "b", Quantity: 3}},
		CardLast4: "4242",
	}))
	if err != nil {
		fail(err)
	}
	deadline := time.Now().Add(20 * time.Second)
	for _, id := range []string{"total-order", "log-total"} {
		for {
			page, err := eng.Runs(ctx, runtime.RunFilter{FunctionID: id})
			if err != nil {
				fail(err)
			}
			runs := page.Runs
			if len(runs) == 1 && runs[0].Status == runtime.RunCompleted {
				fmt.Printf("run %s %s %s\n", id, runs[0].Status, runs[0].Output)
				stored := string(runs[0].Events[0])
				// The plaintext is the JSON string "4242": the digits alone
				// may occur in a timestamp or an ID.
				fmt.Printf("stored %s encrypted=%t plaintext=%t\n", id, strings.Contains(stored, "$enc"), strings.Contains(stored, ` + "`" + `"4242"` + "`" + `))
				break
			}
			if len(runs) == 1 && runs[0].Status == runtime.RunFailed {
				fail(runs[0].Error)
			}
			if time.Now().After(deadline) {
				fail("timed out waiting for " + id)
			}
			time.Sleep(5 * time.Millisecond)
		}
	}
}
`

// TestEndToEnd generates into a temporary module, builds it with go build,
// and runs its generated functions on the engine with the SQLite store.
func TestEndToEnd(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a module")
	}
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go command")
	}
	root, err := filepath.Abs(filepath.Join(".."))
	if err != nil {
		t.Fatal(err)
	}
	dir := testmod.Write(t, root, "example.com/e2e", map[string]string{
		"durable.yaml":       e2eCatalog,
		"billing/billing.go": e2eFunctions,
		"main.go":            e2eMain,
	})
	// The generated events package must exist for go list to be happy
	// about imports; it does not, yet, which the scan tolerates.
	env := testmod.Env()

	p, err := Generate(context.Background(), Options{Config: filepath.Join(dir, "durable.yaml"), Env: env})
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, f := range p.Functions {
		ids = append(ids, f.ID)
	}
	if got := strings.Join(ids, " "); got != "log-total total-order" {
		t.Errorf("registry lists %q", got)
	}

	run := func(name string, args ...string) string {
		t.Helper()
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
		defer cancel()
		cmd := exec.CommandContext(ctx, name, args...)
		cmd.Dir = dir
		cmd.Env = env
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out)
		}
		return string(out)
	}
	bin := filepath.Join(dir, "app")
	run(goBin, "build", "-o", bin, ".")
	run(goBin, "vet", "./...")
	out := run(bin, dir) // the app gives up after 20s, stopping after 10s more
	for _, want := range []string{
		"function log-total\nfunction total-order\n",
		"event shop/order.created 2026-01-15.1 true\nevent shop/order.totalled 1 true\n",
		"rejected /data/items/0/quantity\n",
		"run total-order completed \"o-1:5:card-true\"\n",
		"stored total-order encrypted=true plaintext=false\n",
		"run log-total completed 5\n",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}

	// Generating again changes nothing.
	p, err = NewPlan(context.Background(), Options{Config: filepath.Join(dir, "durable.yaml"), Env: env})
	if err != nil {
		t.Fatal(err)
	}
	if stale := p.Stale(); len(stale) > 0 {
		t.Errorf("stale after generating:\n%s", p.Diff())
	}
}
