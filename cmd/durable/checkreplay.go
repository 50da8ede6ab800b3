package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/durable-go/durable/runtime"
)

func init() {
	register(command{name: "check-replay", summary: "replay the runs in flight against an app's new code before deploying it", run: runCheckReplay})
}

// runCheckReplay builds the app's main package and runs it with
// runtime.CheckReplayEnv set: the app opens its store and builds its engine
// as it always does, and Engine.Start, instead of starting, replays every
// run in flight against the functions of this build, writes a report and
// returns. The CLI cannot replay by itself: only the app has the code.
func runCheckReplay(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("durable check-replay", flag.ContinueOnError)
	fs.SetOutput(stderr)
	asJSON := fs.Bool("json", false, "print the report as JSON")
	timeout := fs.Duration("timeout", 10*time.Minute, "how long the build and the check may take")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: durable check-replay [--json] [--timeout d] PACKAGE [-- APP ARGS...]")
		fmt.Fprintln(stderr, "\nBuilds PACKAGE (the app's main package, as go build takes it) and runs it with the")
		fmt.Fprintln(stderr, "APP ARGS (those that point it at the production store) and "+runtime.CheckReplayEnv+" set:")
		fmt.Fprintln(stderr, "its Engine.Start replays every run in flight against the new code, executing nothing.")
		fmt.Fprintln(stderr, "Exit status 0: every run replays; 1: some would fail (listed); 2: the check could not run.")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return 2
	}
	rest := fs.Args()
	if len(rest) == 0 {
		fmt.Fprintln(stderr, "durable check-replay: the app's main package is required (e.g. ./cmd/app)")
		return 2
	}
	pkg, appArgs := rest[0], rest[1:]
	if len(appArgs) > 0 {
		if appArgs[0] != "--" {
			fmt.Fprintf(stderr, "durable check-replay: unexpected argument %q; give the app's arguments after --\n", appArgs[0])
			return 2
		}
		appArgs = appArgs[1:]
	}
	ctx, cancel := context.WithTimeout(ctx, *timeout)
	defer cancel()

	tmp, err := os.MkdirTemp("", "durable-check-replay-")
	if err != nil {
		fmt.Fprintf(stderr, "durable check-replay: %v\n", err)
		return 2
	}
	defer os.RemoveAll(tmp)
	bin := filepath.Join(tmp, "app")
	build := exec.CommandContext(ctx, "go", "build", "-o", bin, pkg)
	if out, err := build.CombinedOutput(); err != nil {
		fmt.Fprintf(stderr, "durable check-replay: go build %s: %v\n%s", pkg, err, out)
		return 2
	}

	reportPath := filepath.Join(tmp, "report.json")
	app := exec.CommandContext(ctx, bin, appArgs...)
	app.Env = append(os.Environ(), runtime.CheckReplayEnv+"="+reportPath)
	var appOut strings.Builder // one writer for both: exec writes from one goroutine at a time
	app.Stdout, app.Stderr = &appOut, &appOut
	runErr := runUntilReport(app, reportPath)
	data, err := os.ReadFile(reportPath)
	if errors.Is(err, os.ErrNotExist) {
		fmt.Fprintf(stderr, "durable check-replay: %s exited (%v) without checking: it must build its engine and call Engine.Start, "+
			"which runs the check when %s is set; its output:\n%s", pkg, exitDescription(runErr), runtime.CheckReplayEnv, appOut.String())
		return 2
	}
	if err != nil {
		fmt.Fprintf(stderr, "durable check-replay: %v\n", err)
		return 2
	}
	var report runtime.ReplayReport
	if err := json.Unmarshal(data, &report); err != nil {
		fmt.Fprintf(stderr, "durable check-replay: the report of %s is not valid: %v\n", pkg, err)
		return 2
	}
	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(report); err != nil {
			fmt.Fprintf(stderr, "durable check-replay: %v\n", err)
			return 2
		}
	} else {
		printReplayReport(stdout, report)
	}
	if len(report.Failures) > 0 {
		return 1
	}
	return 0
}

// reportGrace is how long an app may take to exit once its report is
// written, before it is stopped: an app that goes on serving after Start
// failed would otherwise hold the check until the timeout.
const reportGrace = 5 * time.Second

// runUntilReport runs app until it exits, or until reportGrace after the
// report appears at path (the app is then killed).
func runUntilReport(app *exec.Cmd, path string) error {
	if err := app.Start(); err != nil {
		return err
	}
	exited := make(chan error, 1)
	go func() { exited <- app.Wait() }()
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	for {
		select {
		case err := <-exited:
			return err
		case <-tick.C:
			if _, err := os.Stat(path); err != nil {
				continue
			}
			select {
			case err := <-exited:
				return err
			case <-time.After(reportGrace):
				app.Process.Kill()
				<-exited
				return fmt.Errorf("still running %v after writing its report: stopped", reportGrace)
			}
		}
	}
}

func exitDescription(err error) string {
	if err == nil {
		return "status 0"
	}
	return err.Error()
}

func printReplayReport(w io.Writer, r runtime.ReplayReport) {
	if len(r.Failures) == 0 {
		fmt.Fprintf(w, "%d run(s) in flight checked: every one replays on this code\n", r.Checked)
		return
	}
	fmt.Fprintf(w, "%d run(s) in flight checked: %d would fail on this code\n\n", r.Checked, len(r.Failures))
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "FUNCTION\tRUN\tSTATUS\tWHY")
	for _, f := range r.Failures {
		why := f.Error
		if f.Expected != "" {
			why = fmt.Sprintf("its journal has step %s where the code now reaches step %s", f.Expected, f.Actual)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", f.FunctionID, f.RunID, f.Status, why)
	}
	tw.Flush()
	fmt.Fprintln(w, "\nGate the change with step.Version so that these runs keep their recorded path, or let them finish before deploying.")
}
