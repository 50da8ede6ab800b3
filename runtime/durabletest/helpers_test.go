package durabletest_test

import (
	"fmt"
	goruntime "runtime"
	"strings"
	"sync"
	"testing"
)

// recorder stands in for a *testing.T to observe the failures the harness
// reports; everything else goes to the real test.
type recorder struct {
	testing.TB
	mu     sync.Mutex
	msgs   []string
	fatal  bool
	failed bool
}

func (r *recorder) Helper() {}

func (r *recorder) Errorf(format string, args ...any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.msgs = append(r.msgs, fmt.Sprintf(format, args...))
	r.failed = true
}

func (r *recorder) Fatalf(format string, args ...any) {
	r.Errorf(format, args...)
	r.mu.Lock()
	r.fatal = true
	r.mu.Unlock()
	goruntime.Goexit()
}

func (r *recorder) FailNow() {
	r.mu.Lock()
	r.fatal, r.failed = true, true
	r.mu.Unlock()
	goruntime.Goexit()
}

func (r *recorder) Failed() bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.failed
}

func (r *recorder) Logf(string, ...any) {}

// capture runs f with a recorder in place of t, in a goroutine of its own so
// that Fatalf can end it.
func capture(t *testing.T, f func(tb testing.TB)) *recorder {
	t.Helper()
	r := &recorder{TB: t}
	done := make(chan struct{})
	go func() {
		defer close(done)
		f(r)
	}()
	<-done
	return r
}

// all returns every message, joined.
func (r *recorder) all() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return strings.Join(r.msgs, "\n---\n")
}

// want fails t unless some message contains every fragment.
func (r *recorder) want(t *testing.T, fragments ...string) {
	t.Helper()
	r.mu.Lock()
	msgs := append([]string(nil), r.msgs...)
	r.mu.Unlock()
	for _, m := range msgs {
		ok := true
		for _, f := range fragments {
			ok = ok && strings.Contains(m, f)
		}
		if ok {
			return
		}
	}
	t.Errorf("no failure message contains all of %q; messages:\n%s", fragments, r.all())
}

// clean fails t if the harness reported any failure.
func (r *recorder) clean(t *testing.T) {
	t.Helper()
	if r.Failed() {
		t.Errorf("unexpected failures:\n%s", r.all())
	}
}
