package runtime

import (
	"errors"
	"fmt"
	"time"
)

// NonRetriable marks err as permanent: the step (or run) fails at once,
// without spending its retries.
func NonRetriable(err error) error {
	if err == nil {
		return nil
	}
	return &nonRetriableError{err}
}

type nonRetriableError struct{ err error }

func (e *nonRetriableError) Error() string { return e.err.Error() }
func (e *nonRetriableError) Unwrap() error { return e.err }

// IsNonRetriable reports whether err, or an error it wraps, came from NonRetriable.
func IsNonRetriable(err error) bool {
	var nr *nonRetriableError
	return errors.As(err, &nr)
}

// RetryAt asks for the next attempt at t instead of after the usual backoff.
// It still counts as an attempt.
func RetryAt(err error, t time.Time) error {
	if err == nil {
		return nil
	}
	return &retryAtError{err: err, at: t}
}

type retryAtError struct {
	err error
	at  time.Time
}

func (e *retryAtError) Error() string { return e.err.Error() }
func (e *retryAtError) Unwrap() error { return e.err }

// retryTime returns the time requested by RetryAt, if any.
func retryTime(err error) (time.Time, bool) {
	var ra *retryAtError
	if errors.As(err, &ra) {
		return ra.at, true
	}
	return time.Time{}, false
}

// StepError is the error of a step whose retries are spent. Returning it from
// a handler fails the run at once (the step already had its retries).
type StepError struct {
	StepID  string
	Message string
	// Attempts is how many times the step ran.
	Attempts int
	cause    error
}

func (e *StepError) Error() string {
	return fmt.Sprintf("step %q failed after %d attempt(s): %s", e.StepID, e.Attempts, e.Message)
}

// Unwrap returns the step's original error on the attempt that failed; after a
// replay only the message survives, so Unwrap returns nil then.
func (e *StepError) Unwrap() error { return e.cause }

// NonDeterminismError fails a run whose replay reached a step other than the
// one its journal recorded at that point.
type NonDeterminismError struct {
	Expected, Actual string
}

func (e *NonDeterminismError) Error() string {
	return fmt.Sprintf("non-determinism: replay expected step %s but the function reached step %s; "+
		"a function must reach its steps in the same order on every replay", e.Expected, e.Actual)
}

// ErrRunNotFound is returned for an unknown run ID.
var ErrRunNotFound = errors.New("run not found")
