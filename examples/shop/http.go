package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/durable-go/durable/runtime"
)

// httpOptions configures the engine's HTTP API for -http: the event key
// and management token of DURABLE_EVENT_KEY and DURABLE_TOKEN (those the
// durable CLI sends), or dev mode (loopback clients only, no keys) when
// they are unset.
func httpOptions() runtime.HTTPOptions {
	key, token := os.Getenv("DURABLE_EVENT_KEY"), os.Getenv("DURABLE_TOKEN")
	if key == "" && token == "" {
		return runtime.HTTPOptions{DevMode: true}
	}
	return runtime.HTTPOptions{EventKeys: []string{key}, ManagementTokens: []string{token}}
}

// serveHTTP serves the engine's HTTP API on addr until the returned stop
// is called.
func serveHTTP(addr string, eng *runtime.Engine, out io.Writer) (stop func(), err error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("-http: %w", err)
	}
	// The web UI under /ui/, the API everywhere else.
	mux := http.NewServeMux()
	mux.Handle("/ui/", http.StripPrefix("/ui", eng.UI()))
	mux.Handle("/", eng.Handler())
	srv := runtime.NewHTTPServer(addr, mux)
	go func() {
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			fmt.Fprintln(os.Stderr, "shop: HTTP API:", err)
		}
	}()
	fmt.Fprintf(out, "HTTP API on http://%s (try: durable functions --url http://%s), web UI on http://%s/ui/\n\n", ln.Addr(), ln.Addr(), ln.Addr())
	return func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		srv.Shutdown(ctx)
	}, nil
}

// untilInterrupted returns when the process is interrupted.
func untilInterrupted(ctx context.Context, out io.Writer, why string) {
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()
	fmt.Fprintf(out, "%s; Ctrl-C to stop\n", why)
	<-ctx.Done()
}
