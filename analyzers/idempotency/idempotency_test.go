package idempotency_test

import (
	"testing"

	"github.com/durable-go/durable/analyzers/idempotency"
	"github.com/durable-go/durable/analyzers/internal/testutil"
)

func TestIdempotency(t *testing.T) {
	testutil.Run(t, idempotency.Analyzer, "idemhelp", "idem", "idemsend", "idemadvice")
}

func TestCallsFlag(t *testing.T) {
	if err := idempotency.Analyzer.Flags.Set("calls", "idemapp.Refund"); err != nil {
		t.Fatal(err)
	}
	defer idempotency.Analyzer.Flags.Set("calls", "")
	testutil.Run(t, idempotency.Analyzer, "idemapp")
}
