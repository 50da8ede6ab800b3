package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"net/url"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/durable-go/durable/runtime/httpapi"
)

func init() {
	register(command{name: "functions", summary: "list an engine's functions, their triggers and pauses (HTTP API)", run: runFunctions})
	register(command{name: "pause", summary: "pause a function: it starts no run until resumed (HTTP API)", run: runPause})
	register(command{name: "resume", summary: "resume a paused function (HTTP API)", run: runResume})
}

func runFunctions(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("durable functions", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var api apiFlags
	api.register(fs)
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: durable functions [--url URL] [--json]\n\nLists the functions of an engine; the management token is read from "+tokenEnv+".")
		fs.PrintDefaults()
	}
	pos, err := parseInterleaved(fs, args)
	if err != nil {
		return 2
	}
	if len(pos) > 0 {
		fmt.Fprintf(stderr, "durable functions: unexpected argument %q\n", pos[0])
		return 2
	}
	c, err := api.client()
	if err != nil {
		return fail(stderr, "functions", err)
	}
	var list httpapi.FunctionList
	raw, err := c.do(ctx, "GET", "/api/v1/functions", nil, true, &list)
	if err != nil {
		return fail(stderr, "functions", err)
	}
	if api.json {
		stdout.Write(raw)
		return 0
	}
	tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "FUNCTION\tTRIGGERS\tPAUSED")
	for _, f := range list.Functions {
		var trig []string
		for _, t := range f.Triggers {
			switch {
			case t.Cron != "":
				trig = append(trig, "cron "+t.Cron)
			case t.If != "":
				trig = append(trig, t.Event+" if "+t.If)
			default:
				trig = append(trig, t.Event)
			}
		}
		paused := "no"
		if f.Paused && f.PausedSince != nil {
			paused = "since " + f.PausedSince.Local().Format(time.DateTime)
		} else if f.Paused {
			paused = "yes"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\n", printable(f.ID), printable(strings.Join(trig, "; ")), paused)
	}
	tw.Flush()
	return 0
}

func runPause(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	return pauseOrResume(ctx, "pause", args, stdout, stderr)
}

func runResume(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	return pauseOrResume(ctx, "resume", args, stdout, stderr)
}

func pauseOrResume(ctx context.Context, op string, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("durable "+op, flag.ContinueOnError)
	fs.SetOutput(stderr)
	var api apiFlags
	api.register(fs)
	var skipHeld *bool
	if op == "resume" {
		skipHeld = fs.Bool("skip-held", false, "skip the runs of the events that arrived during the pause instead of starting them")
	}
	fs.Usage = func() {
		fmt.Fprintf(stderr, "usage: durable %s FUNCTION [flags]\n", op)
		fs.PrintDefaults()
	}
	pos, err := parseInterleaved(fs, args)
	if err != nil {
		return 2
	}
	if len(pos) != 1 {
		fmt.Fprintf(stderr, "durable %s: want one function ID, got %d arguments (durable functions lists them)\n", op, len(pos))
		return 2
	}
	c, err := api.client()
	if err != nil {
		return fail(stderr, op, err)
	}
	var body any
	if skipHeld != nil && *skipHeld {
		body = httpapi.ResumeRequest{SkipHeld: true}
	}
	var res httpapi.PauseResponse
	raw, err := c.do(ctx, "POST", "/api/v1/functions/"+url.PathEscape(pos[0])+"/"+op, body, true, &res)
	if err != nil {
		return fail(stderr, op, err)
	}
	if api.json {
		stdout.Write(raw)
		return 0
	}
	switch {
	case op == "pause":
		fmt.Fprintf(stdout, "%s paused: it starts no run until resumed; events are kept\n", printable(res.Function.ID))
	case skipHeld != nil && *skipHeld:
		fmt.Fprintf(stdout, "%s resumed; %d held runs skipped\n", printable(res.Function.ID), res.Held)
	default:
		fmt.Fprintf(stdout, "%s resumed; %d held runs started\n", printable(res.Function.ID), res.Held)
	}
	return 0
}
