package sqlite

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/durable-go/durable/runtime/store"
)

// BenchmarkOpen measures Open and Close of a database of 1,000 runs with
// 100 completed steps each (100,000 steps), with the checks every Open
// makes (header, -shm, identity, commit count, history) and with PRAGMA
// quick_check on top, which reads every page.
func BenchmarkOpen(b *testing.B) {
	path := filepath.Join(b.TempDir(), "big.db")
	buildSteps(b, path, 1000, 100)
	fi, err := os.Stat(path)
	if err != nil {
		b.Fatal(err)
	}
	for _, bc := range []struct {
		name string
		mode CheckMode
	}{{"checks", QuickCheckNever}, {"checks+quick_check", QuickCheckAlways}} {
		b.Run(bc.name, func(b *testing.B) {
			for b.Loop() {
				s, err := Open(path, QuickCheck(bc.mode))
				if err != nil {
					b.Fatal(err)
				}
				if err := s.Close(); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(fi.Size())/(1<<20), "MiB")
		})
	}
}

// BenchmarkOpenChecks measures the checks alone that every Open makes
// before SQLite opens the database: the header, the -shm index, the history.
func BenchmarkOpenChecks(b *testing.B) {
	path := filepath.Join(b.TempDir(), "big.db")
	buildSteps(b, path, 1000, 100)
	fi, err := os.Stat(path)
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		h, err := readHistory(path + historySuffix)
		if err != nil {
			b.Fatal(err)
		}
		if err := checkFiles(path, path+historySuffix, true, fi.Size(), h); err != nil {
			b.Fatal(err)
		}
	}
}

func buildSteps(b *testing.B, path string, runs, steps int) {
	b.Helper()
	s, err := Open(path, Synchronous("OFF"))
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	now := time.Now()
	output := json.RawMessage(`{"order":"ord-000123","amount":4200,"currency":"EUR","status":"charged"}`)
	for r := range runs {
		id := fmt.Sprintf("run-%06d", r)
		err := s.Update(ctx, func(tx store.Tx) error {
			if err := tx.InsertRun(ctx, store.Run{ID: id, FunctionID: "fn", Status: store.StatusCompleted, Events: json.RawMessage(`[]`), CreatedAt: now, AvailableAt: now}); err != nil {
				return err
			}
			for i := range steps {
				err := tx.PutStep(ctx, store.Step{RunID: id, Key: fmt.Sprintf("step-%03d", i), ID: fmt.Sprintf("step-%03d", i), Pos: i, Kind: "run",
					Status: store.StepCompleted, Output: output, Attempts: 1, StartedAt: now, UpdatedAt: now})
				if err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
	}
	if err := s.Close(); err != nil {
		b.Fatal(err)
	}
}
