package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http/httptest"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/durable-go/durable/runtime"
	"github.com/durable-go/durable/runtime/httpapi"
	"github.com/durable-go/durable/runtime/step"
	"github.com/durable-go/durable/runtime/store/sqlite"
)

const (
	cliEventKey = "cli-key-0123456789abcdef"
	cliToken    = "cli-token-0123456789abcdef"
)

var cliGreet = runtime.NewFunction(runtime.FunctionOpts{ID: "cli-greet"},
	runtime.EventTrigger("cli/hello", ""),
	func(ctx context.Context, in runtime.Input[map[string]any]) (any, error) {
		return step.Run(ctx, "say", func(ctx context.Context) (string, error) {
			if in.Event.Data["fail"] == true {
				return "", runtime.NonRetriable(errors.New("told to fail"))
			}
			return "hello " + in.Event.Data["who"].(string), nil
		})
	})

var cliNapper = runtime.NewFunction(runtime.FunctionOpts{ID: "cli-napper"},
	runtime.Triggers(runtime.EventTrigger("cli/nap", "event.data.n > 0"), runtime.CronTrigger("@daily")),
	func(ctx context.Context, in runtime.Input[map[string]any]) (any, error) {
		return nil, step.Sleep(ctx, "nap", time.Hour)
	})

// cliServer serves the HTTP API of a real engine on SQLite and points the
// CLI at it (token and event key in the environment).
func cliServer(t *testing.T) (*runtime.Engine, string) {
	t.Helper()
	st, err := sqlite.Open(filepath.Join(t.TempDir(), "cli.db"), sqlite.Synchronous("OFF"))
	if err != nil {
		t.Fatal(err)
	}
	eng, err := runtime.New(runtime.Options{Store: st, Functions: []*runtime.Function{cliGreet, cliNapper},
		PollInterval: 10 * time.Millisecond,
		HTTP:         runtime.HTTPOptions{EventKeys: []string{cliEventKey}, ManagementTokens: []string{cliToken}}})
	if err != nil {
		t.Fatal(err)
	}
	if err := eng.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(eng.Handler())
	t.Cleanup(func() {
		srv.Close()
		eng.Stop(context.Background())
		st.Close()
	})
	t.Setenv(tokenEnv, cliToken)
	t.Setenv(eventKeyEnv, cliEventKey)
	return eng, srv.URL
}

func cli(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := dispatch(context.Background(), args, &out, &errb)
	return code, out.String(), errb.String()
}

// awaitRun waits until run id has one of the statuses.
func awaitRun(t *testing.T, eng *runtime.Engine, id string, want ...runtime.RunStatus) runtime.RunInfo {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		info, err := eng.Run(context.Background(), id)
		if err == nil {
			for _, w := range want {
				if info.Status == w {
					return info
				}
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("run %s: %s (err %v), want %v", id, info.Status, err, want)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// runOfEvent returns the run of function fn started by event eventID.
func runOfEvent(t *testing.T, eng *runtime.Engine, fn, eventID string) string {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		page, err := eng.Runs(context.Background(), runtime.RunFilter{FunctionID: fn})
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range page.Runs {
			var ev struct {
				ID string `json:"id"`
			}
			if json.Unmarshal(r.Events[0], &ev) == nil && ev.ID == eventID {
				return r.ID
			}
		}
		time.Sleep(5 * time.Millisecond)
	}
	t.Fatalf("no run of %s for event %s", fn, eventID)
	return ""
}

func TestCLISendAndRuns(t *testing.T) {
	eng, url := cliServer(t)
	code, out, errs := cli(t, "send", "cli/hello", "--data", `{"who":"ada"}`, "--id", "ev-ada", "--url", url)
	if code != 0 || out != "ev-ada\n" {
		t.Fatalf("send: %d %q %q", code, out, errs)
	}
	runID := runOfEvent(t, eng, "cli-greet", "ev-ada")
	awaitRun(t, eng, runID, runtime.RunCompleted)

	code, out, errs = cli(t, "runs", "--function", "cli-greet", "--status", "completed", "--since", "1h", "--url", url)
	if code != 0 || !regexp.MustCompile(`(?m)^RUN +FUNCTION +STATUS +CREATED +DURATION +ERROR\n`+runID+` +cli-greet +completed `).MatchString(out) {
		t.Fatalf("runs: %d\n%s%s", code, out, errs)
	}
	code, out, _ = cli(t, "runs", "--status", "failed", "--url", url)
	if code != 0 || strings.Contains(out, runID) {
		t.Fatalf("runs --status failed lists the completed run: %s", out)
	}

	code, out, errs = cli(t, "runs", "show", runID, "--url", url)
	want := regexp.MustCompile(`^cli-greet  run ` + runID + `  COMPLETED  \S+\n  \+\S+ +run +say +completed +"hello ada"\n  => "hello ada"\n$`)
	if code != 0 || !want.MatchString(out) {
		t.Fatalf("runs show: %d\n%s%s", code, out, errs)
	}
	code, out, _ = cli(t, "runs", "show", "--json", runID, "--url", url)
	var run httpapi.Run
	if code != 0 || json.Unmarshal([]byte(out), &run) != nil || run.ID != runID || len(run.Steps) != 1 {
		t.Fatalf("runs show --json: %d %s", code, out)
	}

	code, out, _ = cli(t, "functions", "--url", url)
	if code != 0 || !regexp.MustCompile(`(?m)^cli-napper +cli/nap if event.data.n > 0; cron @daily +no$`).MatchString(out) {
		t.Fatalf("functions: %d\n%s", code, out)
	}
}

func TestCLICancel(t *testing.T) {
	eng, url := cliServer(t)
	if code, _, errs := cli(t, "send", "cli/nap", "--data", `{"n":1}`, "--id", "nap-1", "--url", url); code != 0 {
		t.Fatal(errs)
	}
	runID := runOfEvent(t, eng, "cli-napper", "nap-1")
	awaitRun(t, eng, runID, runtime.RunSleeping)
	code, out, errs := cli(t, "runs", "cancel", runID, "--url", url)
	if code != 0 || out != "run "+runID+" is cancelled\n" {
		t.Fatalf("%d %q %q", code, out, errs)
	}
	awaitRun(t, eng, runID, runtime.RunCancelled)
}

// TestCLIErrors: bad flags and API errors are reported clearly, with exit
// status 2.
func TestCLIErrors(t *testing.T) {
	_, url := cliServer(t)
	tests := []struct {
		name string
		args []string
		env  map[string]string
		want string
	}{
		{"send without name", []string{"send", "--url", url}, nil, "want one event name, got 0 arguments"},
		{"send bad data", []string{"send", "x", "--data", "[1]", "--url", url}, nil, "--data must be a JSON object"},
		{"send bad JSON data", []string{"send", "x", "--data", "{", "--url", url}, nil, "--data must be a JSON object"},
		{"bad url", []string{"functions", "--url", "localhost:8288"}, nil, `--url "localhost:8288": want an http:// or https:// URL`},
		{"unknown flag", []string{"runs", "--bogus"}, nil, "flag provided but not defined: -bogus"},
		{"bad since", []string{"runs", "--since", "yesterday", "--url", url}, nil, `--since "yesterday": want a positive duration`},
		{"bad limit", []string{"runs", "--limit", "0", "--url", url}, nil, "--limit 0: want 1 to 1000"},
		{"bad status", []string{"runs", "--status", "done", "--url", url}, nil, `400 invalid_request: status "done" is not one of`},
		{"bad CEL", []string{"runs", "--if", "event.data.(", "--url", url}, nil, "400 invalid_request: if: "},
		{"unknown subcommand", []string{"runs", "delete", "x"}, nil, `unknown subcommand "delete"`},
		{"show without ID", []string{"runs", "show", "--url", url}, nil, "want one run ID, got 0"},
		{"show unknown run", []string{"runs", "show", "nope", "--url", url}, nil, "404 not_found: runtime: run nope: run not found"},
		{"cancel without target", []string{"runs", "cancel", "--url", url}, nil, "give a run ID, or filter flags"},
		{"cancel ID and filter", []string{"runs", "cancel", "x", "--function", "f", "--url", url}, nil, "not both"},
		{"from-step without ID", []string{"runs", "rerun", "--function", "f", "--from-step", "s", "--url", url}, nil, "--from-step needs a run ID"},
		{"pause without function", []string{"pause", "--url", url}, nil, "want one function ID"},
		{"pause unknown function", []string{"pause", "nope", "--url", url}, nil, `404 not_found: no function "nope"`},
		{"wrong token", []string{"functions", "--url", url}, map[string]string{tokenEnv: "wrong-token-0123456789"}, "401 unauthorized: the bearer token is not one of this engine's management tokens\n(set DURABLE_TOKEN"},
		{"no token", []string{"functions", "--url", url}, map[string]string{tokenEnv: ""}, "401 unauthorized: a management token is required"},
		{"wrong event key", []string{"send", "x", "--url", url}, map[string]string{eventKeyEnv: "wrong-key-0123456789"}, "401 invalid_event_key"},
		{"invalid event", []string{"send", "bad\x1bname", "--url", url}, nil, `400 invalid_events: the events are invalid; nothing was stored: runtime: event 0: name has a control`},
		{"nothing listening", []string{"functions", "--url", "http://127.0.0.1:1"}, nil, "is the engine serving its HTTP API there?"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for k, v := range tt.env {
				t.Setenv(k, v)
			}
			code, out, errs := cli(t, tt.args...)
			if code != 2 || out != "" || !strings.Contains(errs, tt.want) {
				t.Errorf("code %d, stdout %q, stderr %q; want 2, nothing, %q", code, out, errs, tt.want)
			}
			if strings.ContainsRune(errs, 0x1b) {
				t.Errorf("stderr carries a terminal escape: %q", errs)
			}
		})
	}
}

func TestCLIRerunPauseBulk(t *testing.T) {
	eng, url := cliServer(t)
	if code, _, errs := cli(t, "send", "cli/hello", "--data", `{"who":"x","fail":true}`, "--id", "fail-1", "--url", url); code != 0 {
		t.Fatal(errs)
	}
	failed := runOfEvent(t, eng, "cli-greet", "fail-1")
	awaitRun(t, eng, failed, runtime.RunFailed)

	code, out, errs := cli(t, "runs", "rerun", failed, "--from-step", "say", "--url", url)
	m := regexp.MustCompile(`^run (\S+) reruns ` + failed + "\n$").FindStringSubmatch(out)
	if code != 0 || m == nil {
		t.Fatalf("rerun: %d %q %q", code, out, errs)
	}
	awaitRun(t, eng, m[1], runtime.RunFailed)
	code, out, _ = cli(t, "runs", "show", m[1], "--url", url)
	if code != 0 || !strings.Contains(out, "  rerun of "+failed+"\n  rerun from step \"say\"/0\n") {
		t.Fatalf("runs show of the rerun: %s", out)
	}
	// The original was rerun already: a bulk rerun of failed runs takes the new one only.
	code, out, errs = cli(t, "runs", "rerun", "--function", "cli-greet", "--status", "failed", "--since", "1h", "--url", url)
	if code != 0 || out != "1 runs rerun\n" {
		t.Fatalf("bulk rerun: %d %q %q", code, out, errs)
	}

	code, out, errs = cli(t, "pause", "cli-napper", "--url", url)
	if code != 0 || out != "cli-napper paused: it starts no run until resumed; events are kept\n" {
		t.Fatalf("pause: %d %q %q", code, out, errs)
	}
	code, out, _ = cli(t, "functions", "--url", url)
	if !regexp.MustCompile(`(?m)^cli-napper +.* since \d{4}-\d\d-\d\d \d\d:\d\d:\d\d$`).MatchString(out) || !regexp.MustCompile(`(?m)^cli-greet +cli/hello +no$`).MatchString(out) {
		t.Fatalf("functions: %d\n%s", code, out)
	}
	for i := range 2 {
		if code, _, errs := cli(t, "send", "cli/nap", "--data", `{"n":1}`, "--id", "held-"+strconv.Itoa(i), "--url", url); code != 0 {
			t.Fatal(errs)
		}
		awaitRun(t, eng, runOfEvent(t, eng, "cli-napper", "held-"+strconv.Itoa(i)), runtime.RunPaused)
	}
	code, out, errs = cli(t, "resume", "cli-napper", "--skip-held", "--url", url)
	if code != 0 || out != "cli-napper resumed; 2 held runs skipped\n" {
		t.Fatalf("resume: %d %q %q", code, out, errs)
	}
	awaitRun(t, eng, runOfEvent(t, eng, "cli-napper", "held-0"), runtime.RunSkipped)

	if code, _, errs := cli(t, "send", "cli/nap", "--data", `{"n":5}`, "--id", "nap-5", "--url", url); code != 0 {
		t.Fatal(errs)
	}
	awaitRun(t, eng, runOfEvent(t, eng, "cli-napper", "nap-5"), runtime.RunSleeping)
	code, out, errs = cli(t, "runs", "cancel", "--function", "cli-napper", "--if", "event.data.n == 5", "--json", "--url", url)
	var bulk httpapi.BulkResponse
	if code != 0 || json.Unmarshal([]byte(out), &bulk) != nil || bulk.Count != 1 {
		t.Fatalf("bulk cancel: %d %q %q", code, out, errs)
	}

	// Pages: the cursor of the next one is printed on stderr.
	code, out, errs = cli(t, "runs", "--limit", "1", "--url", url)
	m = regexp.MustCompile(`^more runs: add --cursor (\S+)\n$`).FindStringSubmatch(errs)
	if code != 0 || strings.Count(out, "\n") != 2 || m == nil {
		t.Fatalf("page 1: %d %q %q", code, out, errs)
	}
	code, out2, _ := cli(t, "runs", "--limit", "1", "--cursor", m[1], "--url", url)
	if code != 0 || strings.Count(out2, "\n") != 2 || out2 == out {
		t.Fatalf("page 2: %q after %q", out2, out)
	}
}
