package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"net/url"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/durable-go/durable/runtime/httpapi"
)

func init() {
	register(command{name: "runs", summary: "list, show, cancel and rerun an engine's runs (HTTP API)", run: runRuns})
}

const runsUsage = `usage:
  durable runs [--function F] [--status S[,S]] [--since 1h] [--until T] [--event ID] [--if CEL] [--limit N] [--cursor C]
  durable runs show ID
  durable runs cancel ID                 cancel a run
  durable runs cancel --function F ...   cancel every run the filter selects (--status, --since, --until, --if)
  durable runs rerun ID [--from-step S]  rerun a finished run, from a step
  durable runs rerun --function F ...    rerun every finished run the filter selects

Talks to an engine's HTTP API (--url); the management token is read from ` + tokenEnv + `.
--since and --until take a duration back from now (30m, 1h, 7d) or an RFC 3339 time.
Every form takes --json to print the API's JSON answer.
`

func runRuns(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	sub := ""
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		sub, args = args[0], args[1:]
	}
	switch sub {
	case "", "list":
		return runsList(ctx, args, stdout, stderr)
	case "show":
		return runsShow(ctx, args, stdout, stderr)
	case "cancel", "rerun":
		return runsAct(ctx, sub, args, stdout, stderr)
	default:
		fmt.Fprintf(stderr, "durable runs: unknown subcommand %q (show, cancel, rerun; or flags to list)\n%s", sub, runsUsage)
		return 2
	}
}

// runFilter holds the flags that select runs.
type runFilter struct {
	function, status, since, until, event, cel string
}

func (f *runFilter) register(fs *flag.FlagSet) {
	fs.StringVar(&f.function, "function", "", "a function ID")
	fs.StringVar(&f.status, "status", "", "statuses, comma-separated: queued, running, sleeping, waiting, blocked, paused, completed, failed, cancelled, skipped")
	fs.StringVar(&f.since, "since", "", "runs created since: a duration back from now (1h, 7d) or an RFC 3339 time")
	fs.StringVar(&f.until, "until", "", "runs created before: a duration back from now or an RFC 3339 time")
	fs.StringVar(&f.cel, "if", "", "a CEL expression over `event`, the run's first event (event.data.order_id == \"A-1\")")
}

func (f *runFilter) empty() bool {
	return f.function == "" && f.status == "" && f.since == "" && f.until == "" && f.cel == ""
}

func (f *runFilter) statuses() []string {
	if f.status == "" {
		return nil
	}
	var out []string
	for _, s := range strings.Split(f.status, ",") {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	return out
}

func (f *runFilter) times(now time.Time) (since, until time.Time, err error) {
	if since, err = parseSince("--since", f.since, now); err != nil {
		return
	}
	until, err = parseSince("--until", f.until, now)
	return
}

func newRunsFlags(name string, stderr io.Writer) (*flag.FlagSet, *apiFlags) {
	fs := flag.NewFlagSet("durable runs "+name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	var api apiFlags
	api.register(fs)
	fs.Usage = func() { fmt.Fprint(stderr, runsUsage); fs.PrintDefaults() }
	return fs, &api
}

func runsList(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs, api := newRunsFlags("", stderr)
	var f runFilter
	f.register(fs)
	fs.StringVar(&f.event, "event", "", "runs whose first event has this ID")
	limit := fs.Int("limit", 50, "runs per page, 1 to 1000")
	cursor := fs.String("cursor", "", "the page after the one that printed this cursor")
	pos, err := parseInterleaved(fs, args)
	if err != nil {
		return 2
	}
	if len(pos) > 0 {
		fmt.Fprintf(stderr, "durable runs: unexpected argument %q (durable runs show ID shows a run)\n", pos[0])
		return 2
	}
	if *limit < 1 || *limit > 1000 {
		fmt.Fprintf(stderr, "durable runs: --limit %d: want 1 to 1000\n", *limit)
		return 2
	}
	since, until, err := f.times(time.Now())
	if err != nil {
		fmt.Fprintf(stderr, "durable runs: %v\n", err)
		return 2
	}
	q := url.Values{}
	set := func(k, v string) {
		if v != "" {
			q.Set(k, v)
		}
	}
	set("function", f.function)
	set("event", f.event)
	set("if", f.cel)
	set("cursor", *cursor)
	q.Set("limit", strconv.Itoa(*limit))
	if st := f.statuses(); len(st) > 0 {
		q.Set("status", strings.Join(st, ","))
	}
	if !since.IsZero() {
		q.Set("since", since.UTC().Format(time.RFC3339Nano))
	}
	if !until.IsZero() {
		q.Set("until", until.UTC().Format(time.RFC3339Nano))
	}
	c, err := api.client()
	if err != nil {
		return fail(stderr, "runs", err)
	}
	var list httpapi.RunList
	raw, err := c.do(ctx, "GET", "/api/v1/runs?"+q.Encode(), nil, true, &list)
	if err != nil {
		return fail(stderr, "runs", err)
	}
	if api.json {
		stdout.Write(raw)
		return 0
	}
	tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "RUN\tFUNCTION\tSTATUS\tCREATED\tDURATION\tERROR")
	for _, r := range list.Runs {
		dur := ""
		if r.EndedAt != nil {
			dur = r.EndedAt.Sub(r.CreatedAt).Round(time.Millisecond).String()
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", printable(r.ID), printable(r.FunctionID), r.Status,
			r.CreatedAt.Local().Format(time.DateTime), dur, printable(clip(r.Error, 60)))
	}
	tw.Flush()
	if list.NextCursor != "" {
		fmt.Fprintf(stderr, "more runs: add --cursor %s\n", list.NextCursor)
	}
	return 0
}

func runsShow(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs, api := newRunsFlags("show", stderr)
	pos, err := parseInterleaved(fs, args)
	if err != nil {
		return 2
	}
	if len(pos) != 1 {
		fmt.Fprintf(stderr, "durable runs show: want one run ID, got %d arguments\n", len(pos))
		return 2
	}
	c, err := api.client()
	if err != nil {
		return fail(stderr, "runs show", err)
	}
	var run httpapi.Run
	raw, err := c.do(ctx, "GET", "/api/v1/runs/"+url.PathEscape(pos[0]), nil, true, &run)
	if err != nil {
		return fail(stderr, "runs show", err)
	}
	if api.json {
		stdout.Write(raw)
		return 0
	}
	printTimeline(stdout, run)
	return 0
}

// printTimeline prints a run and its steps as examples/shop does.
func printTimeline(w io.Writer, r httpapi.Run) {
	dur := "(not over)"
	if r.EndedAt != nil {
		dur = r.EndedAt.Sub(r.CreatedAt).Round(time.Millisecond).String()
	}
	fmt.Fprintf(w, "%s  run %s  %s  %s\n", printable(r.FunctionID), printable(r.ID), strings.ToUpper(r.Status), dur)
	for _, l := range []struct{ label, id string }{{"invoked by", r.ParentRunID}, {"rerun of", r.RerunOf}, {"rerun by", r.RerunBy}} {
		if l.id != "" {
			fmt.Fprintf(w, "  %s %s\n", l.label, printable(l.id))
		}
	}
	if len(r.Invoked) > 0 {
		ids := make([]string, len(r.Invoked))
		for i, id := range r.Invoked {
			ids[i] = printable(id)
		}
		fmt.Fprintf(w, "  invoked %s\n", strings.Join(ids, ", "))
	}
	if r.RerunFromStep != "" {
		fmt.Fprintf(w, "  rerun from step %s\n", printable(r.RerunFromStep))
	}
	for _, s := range r.Steps {
		detail := string(s.Output)
		if s.Error != "" {
			detail = "error: " + s.Error
		} else if s.WakeAt != nil && (s.Status == "sleeping" || s.Status == "waiting" || s.Status == "retrying") {
			detail = "until " + s.WakeAt.Local().Format(time.DateTime)
		}
		attempts := ""
		if s.Attempts > 1 {
			attempts = fmt.Sprintf("%d attempts", s.Attempts)
		}
		fmt.Fprintf(w, "  +%-8s %-7s %-18s %-10s %-11s %s\n",
			s.StartedAt.Sub(r.CreatedAt).Round(time.Millisecond), printable(s.Kind), printable(s.ID), s.Status, attempts, printable(clip(detail, 60)))
	}
	switch {
	case r.Error != "":
		fmt.Fprintf(w, "  => error: %s\n", printable(r.Error))
	case r.EndedAt != nil:
		fmt.Fprintf(w, "  => %s\n", printable(string(r.Output)))
	}
}

func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n-3] + "..."
}

// runsAct cancels or reruns one run (an ID) or every run a filter selects.
func runsAct(ctx context.Context, op string, args []string, stdout, stderr io.Writer) int {
	fs, api := newRunsFlags(op, stderr)
	var f runFilter
	f.register(fs)
	var fromStep *string
	if op == "rerun" {
		fromStep = fs.String("from-step", "", "with a run ID: the step to rerun from (its ID); the steps before it keep their results")
	}
	pos, err := parseInterleaved(fs, args)
	if err != nil {
		return 2
	}
	cmd := "runs " + op
	c, err := api.client()
	if err != nil {
		return fail(stderr, cmd, err)
	}
	switch {
	case len(pos) > 1:
		fmt.Fprintf(stderr, "durable %s: want one run ID, got %d arguments\n", cmd, len(pos))
		return 2
	case len(pos) == 1 && !f.empty():
		fmt.Fprintf(stderr, "durable %s: give a run ID or filter flags (--function, --status, --since, --until, --if), not both\n", cmd)
		return 2
	case len(pos) == 0 && f.empty():
		fmt.Fprintf(stderr, "durable %s: give a run ID, or filter flags to %s every run they select\n%s", cmd, op, runsUsage)
		return 2
	case len(pos) == 0 && fromStep != nil && *fromStep != "":
		fmt.Fprintf(stderr, "durable %s: --from-step needs a run ID\n", cmd)
		return 2
	}
	if len(pos) == 1 {
		id := url.PathEscape(pos[0])
		if op == "cancel" {
			var run httpapi.Run
			raw, err := c.do(ctx, "POST", "/api/v1/runs/"+id+"/cancel", nil, true, &run)
			if err != nil {
				return fail(stderr, cmd, err)
			}
			if api.json {
				stdout.Write(raw)
				return 0
			}
			fmt.Fprintf(stdout, "run %s is %s\n", printable(run.ID), run.Status)
			return 0
		}
		var res httpapi.RerunResponse
		raw, err := c.do(ctx, "POST", "/api/v1/runs/"+id+"/rerun", httpapi.RerunRequest{FromStep: *fromStep}, true, &res)
		if err != nil {
			return fail(stderr, cmd, err)
		}
		if api.json {
			stdout.Write(raw)
			return 0
		}
		fmt.Fprintf(stdout, "run %s reruns %s\n", printable(res.RunID), printable(pos[0]))
		return 0
	}
	since, until, err := f.times(time.Now())
	if err != nil {
		fmt.Fprintf(stderr, "durable %s: %v\n", cmd, err)
		return 2
	}
	req := httpapi.BulkRequest{FunctionID: f.function, Statuses: f.statuses(), If: f.cel}
	if !since.IsZero() {
		req.Since = &since
	}
	if !until.IsZero() {
		req.Until = &until
	}
	var res httpapi.BulkResponse
	raw, err := c.do(ctx, "POST", "/api/v1/runs/"+op, req, true, &res)
	if err != nil {
		return fail(stderr, cmd, err)
	}
	if api.json {
		stdout.Write(raw)
		return 0
	}
	verb := map[string]string{"cancel": "cancelled", "rerun": "rerun"}[op]
	fmt.Fprintf(stdout, "%d runs %s\n", res.Count, verb)
	return 0
}
