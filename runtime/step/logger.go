package step

import (
	"context"
	"log/slog"

	"github.com/durable-go/durable/runtime/internal/runctx"
)

// Logger returns the logger of the run ctx belongs to: the engine's
// Options.Logger (slog.Default when unset) with the run's function and ID,
// and the step's ID inside a step's function. It prints nothing while the
// run replays the part of the function an earlier execution ran (records
// made before the handler reaches the step where the previous execution
// stopped are dropped), so that a run resumed after a sleep or a wait does
// not log its beginning again. Outside a durable function it returns
// slog.Default().
func Logger(ctx context.Context) *slog.Logger {
	if l, ok := runctx.From(ctx).(interface {
		Logger(context.Context) *slog.Logger
	}); ok {
		return l.Logger(ctx)
	}
	return slog.Default()
}
