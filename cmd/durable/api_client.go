package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/durable-go/durable/runtime/httpapi"
)

// The commands that talk to an engine's HTTP API (send, runs, functions,
// pause, resume) share these settings.
const (
	defaultAPIURL = "http://127.0.0.1:8288"
	tokenEnv      = "DURABLE_TOKEN"
	eventKeyEnv   = "DURABLE_EVENT_KEY"
	// devEventKey is sent when DURABLE_EVENT_KEY is unset: an engine in
	// dev mode without keys accepts any key.
	devEventKey = "dev"
)

// apiFlags are the flags every API command has.
type apiFlags struct {
	url     string
	json    bool
	timeout time.Duration
}

func (f *apiFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&f.url, "url", defaultAPIURL, "the engine's HTTP API (Engine.Handler)")
	fs.BoolVar(&f.json, "json", false, "print the API's JSON answer, for scripts")
	fs.DurationVar(&f.timeout, "timeout", 30*time.Second, "give up on a request after this long")
}

// client returns an API client, or an error naming the bad --url.
func (f *apiFlags) client() (*apiClient, error) {
	u, err := url.Parse(f.url)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("--url %q: want an http:// or https:// URL such as %s", f.url, defaultAPIURL)
	}
	if f.timeout <= 0 {
		return nil, fmt.Errorf("--timeout %v: must be positive", f.timeout)
	}
	return &apiClient{
		base:     strings.TrimSuffix(u.String(), "/"),
		token:    os.Getenv(tokenEnv),
		eventKey: os.Getenv(eventKeyEnv),
		http:     &http.Client{Timeout: f.timeout},
	}, nil
}

type apiClient struct {
	base, token, eventKey string
	http                  *http.Client
}

// apiError is an error answer of the API.
type apiError struct {
	body httpapi.Error
}

func (e *apiError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%d %s: %s", e.body.Status, e.body.Code, printable(e.body.Message))
	for _, p := range e.body.Problems {
		b.WriteString("\n  ")
		if p.Pointer != "" {
			b.WriteString(printable(p.Pointer) + ": ")
		}
		b.WriteString(printable(p.Message))
	}
	if n := e.body.ProblemsTotal - len(e.body.Problems); n > 0 {
		fmt.Fprintf(&b, "\n  and %d more", n)
	}
	switch e.body.Code {
	case httpapi.CodeUnauthorized:
		b.WriteString("\n(set " + tokenEnv + " to a management token of the engine)")
	case httpapi.CodeInvalidEventKey:
		b.WriteString("\n(set " + eventKeyEnv + " to an event key of the engine)")
	}
	return b.String()
}

// do sends a request and decodes the answer into out; it returns the raw
// answer too (for --json).
func (c *apiClient) do(ctx context.Context, method, path string, body any, auth bool, out any) ([]byte, error) {
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return nil, err
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.base+path, rd)
	if err != nil {
		return nil, err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if auth && c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	res, err := c.http.Do(req)
	if err != nil {
		return nil, fmt.Errorf("%s %s: %w (is the engine serving its HTTP API there? see --url)", method, c.base+path, unwrapURLError(err))
	}
	defer res.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(res.Body, 64<<20))
	if err != nil {
		return nil, fmt.Errorf("%s %s: reading the answer: %w", method, path, err)
	}
	if res.StatusCode >= 300 {
		var e apiError
		if json.Unmarshal(raw, &e.body) != nil || e.body.Code == "" {
			return raw, fmt.Errorf("%s %s: %s (not the durable API? see --url)", method, path, res.Status)
		}
		return raw, &e
	}
	if out != nil {
		if err := json.Unmarshal(raw, out); err != nil {
			return raw, fmt.Errorf("%s %s: decoding the answer: %w", method, path, err)
		}
	}
	return raw, nil
}

func unwrapURLError(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}

// parseInterleaved parses flags wherever they are among the arguments
// ("runs show ID --json" as "runs show --json ID") and returns the others.
func parseInterleaved(fs *flag.FlagSet, args []string) ([]string, error) {
	var rest []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		args = fs.Args()
		if len(args) == 0 {
			return rest, nil
		}
		if args[0] == "--" {
			return append(rest, args[1:]...), nil
		}
		rest = append(rest, args[0])
		args = args[1:]
	}
}

// printable quotes s when it holds characters that would reach a terminal
// as control sequences (names and messages come from the server).
func printable(s string) string {
	for _, r := range s {
		if !unicode.IsPrint(r) && r != ' ' {
			return strconv.Quote(s)
		}
	}
	return s
}

// parseSince reads --since and --until: a duration back from now (90s,
// 30m, 1h, 7d) or an RFC 3339 time.
func parseSince(flagName, v string, now time.Time) (time.Time, error) {
	if v == "" {
		return time.Time{}, nil
	}
	if t, err := time.Parse(time.RFC3339Nano, v); err == nil {
		return t, nil
	}
	d, err := time.ParseDuration(v)
	if days, ok := strings.CutSuffix(v, "d"); ok && err != nil {
		var n int
		n, err = strconv.Atoi(days)
		d = time.Duration(n) * 24 * time.Hour
	}
	if err != nil || d <= 0 {
		return time.Time{}, fmt.Errorf("%s %q: want a positive duration back from now (90s, 30m, 1h, 7d) or an RFC 3339 time (2026-01-15T09:00:00Z)", flagName, v)
	}
	return now.Add(-d), nil
}

// fail prints a command's error and returns the exit code for errors.
func fail(stderr io.Writer, cmd string, err error) int {
	fmt.Fprintf(stderr, "durable %s: %v\n", cmd, err)
	return 2
}
