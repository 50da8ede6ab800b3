package runtime_test

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/durable-go/durable/runtime"
)

// BrowserTestsEnv turns on the tests that drive the UI in headless
// Chromium (Debian's chromium package). Where it is set, a missing
// Chromium fails them.
const browserTestsEnv = "DURABLE_BROWSER_TESTS"

// chromium finds the browser: $DURABLE_CHROMIUM, or chromium,
// chromium-browser or google-chrome on the PATH.
func chromium(t *testing.T) string {
	t.Helper()
	if os.Getenv(browserTestsEnv) != "1" {
		t.Skipf("browser test: set %s=1 to drive the UI in headless Chromium (apt-get install chromium)", browserTestsEnv)
	}
	if p := os.Getenv("DURABLE_CHROMIUM"); p != "" {
		return p
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	t.Fatalf("%s=1 but no Chromium was found (chromium, chromium-browser, google-chrome; or set DURABLE_CHROMIUM): apt-get install -y chromium", browserTestsEnv)
	return ""
}

// TestUIBrowser drives the UI in headless Chromium: the runs page of an
// engine with real runs, a run's waterfall, a rerun from a step, the send
// form (an invalid
// event, then a valid one whose run appears through the live refresh),
// and cancelling a waiting run. Screenshots go to t.ArtifactDir (kept
// with go test -artifacts -outputdir DIR).
func TestUIBrowser(t *testing.T) {
	browser := chromium(t)
	fx := newUIEngine(t, runtime.UIOptions{DevMode: true})
	srv := uiServer(t, fx.eng)
	base := srv.URL + "/ui/"
	shots := t.ArtifactDir()
	t.Logf("screenshots in %s", shots)

	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(browser), chromedp.NoSandbox,
		chromedp.WindowSize(1400, 900), chromedp.Flag("disable-gpu", true), chromedp.Flag("disable-dev-shm-usage", true))
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	defer cancelAlloc()
	// The test's bound: past it the browser is stopped.
	tctx, cancelTimeout := context.WithTimeout(actx, 120*time.Second)
	defer cancelTimeout()
	ctx, cancelCtx := chromedp.NewContext(tctx)
	defer cancelCtx()

	// Errors in the page (a script or style the CSP blocked, an
	// exception) fail the test.
	var mu sync.Mutex
	var pageErrors []string
	messages := chromedp.Console(ctx)
	go func() {
		for m, err := range messages {
			if err != nil {
				return
			}
			// The invalid send is answered 422, on purpose.
			if m.IsException() || m.Type == "error" && !strings.Contains(m.Text, "422") {
				mu.Lock()
				pageErrors = append(pageErrors, m.String())
				mu.Unlock()
			}
		}
	}()

	do := func(step string, actions ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		if err := chromedp.Do(ctx, actions...); err != nil {
			t.Fatalf("%s: %v", step, err)
		}
	}
	shot := func(name string) chromedp.Action[chromedp.Void] {
		return chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
			png, err := chromedp.FullScreenshot(100)(ctx, tg) // quality 100: PNG
			if err != nil {
				return err
			}
			return os.WriteFile(filepath.Join(shots, name), png, 0o644)
		})
	}

	// The runs page lists the fixture's runs.
	do("runs page", chromedp.Navigate(base+"runs"), chromedp.WaitVisible("#runs"), shot("runs.png"))
	runsText := value(t, ctx, "runs table", chromedp.Text("#runs"))
	for _, id := range []string{fx.completed, fx.failed, fx.waiting, fx.sleeping, fx.skipped} {
		if !strings.Contains(runsText, id) {
			t.Errorf("the runs table lacks run %s:\n%s", id, runsText)
		}
	}

	// Open the completed run from the list: its waterfall has each step
	// with its status.
	do("open a run", chromedp.Click(`a[href="./runs/`+fx.completed+`"]`), chromedp.WaitVisible("#waterfall"), shot("run.png"))
	steps := value(t, ctx, "steps", chromedp.AttributesAll("#waterfall details.wf-row"))
	got := map[string]string{}
	for _, s := range steps {
		got[s["data-step"]] = s["data-status"]
	}
	if got["reserve"] != "completed" || got["charge"] != "completed" || len(got) != 2 {
		t.Errorf("waterfall steps = %v, want reserve and charge completed", got)
	}
	chargeMeta := value(t, ctx, "charge line", chromedp.Text(`details[data-step="charge"] .wf-meta`))
	if !strings.Contains(chargeMeta, "completed") || !strings.Contains(chargeMeta, "2 attempts") {
		t.Errorf("the charge step's line = %q, want its status and 2 attempts", chargeMeta)
	}
	if bars := value(t, ctx, "bars", chromedp.Evaluate[int](`document.querySelectorAll("#waterfall svg rect.bar").length`)); bars != 2 {
		t.Errorf("%d waterfall bars, want 2", bars)
	}

	// Rerun it from its second step: the new run's page names the old.
	do("rerun from a step", chromedp.Click(`details[data-step="charge"] summary`), chromedp.WaitVisible(`button[data-rerun-from="charge"]`),
		chromedp.Click(`button[data-rerun-from="charge"]`), chromedp.WaitVisible("#rerun-of"), shot("rerun.png"))
	if of := value(t, ctx, "rerun of", chromedp.Text("#rerun-of")); of != fx.completed {
		t.Errorf("the rerun's page says it reruns %q, want %s", of, fx.completed)
	}

	// The send form, prefilled from the schema, shows violations by
	// JSON pointer and sends nothing for an invalid event.
	do("send form", chromedp.Navigate(base+"send?name=shop/order.created"), chromedp.WaitVisible("#send-data"))
	prefilled := value(t, ctx, "prefilled", chromedp.Value("#send-data"))
	if !strings.Contains(prefilled, `"order_id": "xxx"`) || !strings.Contains(prefilled, `"total_cents": 1`) {
		t.Errorf("the form is not prefilled from the schema:\n%s", prefilled)
	}
	do("invalid event", chromedp.SetValue("#send-data", `{"order_id": "b", "total_cents": 0}`), chromedp.Click("#send"),
		chromedp.WaitVisible("#violations"), shot("send-invalid.png"))
	violations := value(t, ctx, "violations", chromedp.Text("#violations"))
	if !strings.Contains(violations, "/data/order_id") || !strings.Contains(violations, "/data/total_cents") {
		t.Errorf("violations = %q", violations)
	}

	// A valid event: the page of the sent event shows its run once the
	// live refresh (the page's script) sees it completed.
	do("send", chromedp.SetValue("#send-data", `{"order_id": "brw-1", "card_last4": "`+uiSecret+`", "total_cents": 700}`),
		chromedp.Click("#send"), chromedp.WaitVisible("#event-id"))
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](`!!document.querySelector("#event-runs") && document.querySelector("#event-runs").textContent.includes("completed")`,
		chromedp.WithPollingTimeout(20*time.Second))); err != nil {
		t.Fatalf("the sent event's run did not appear completed: %v", err)
	}
	do("sent", shot("sent.png"))
	if runs := value(t, ctx, "event runs", chromedp.Text("#event-runs")); !strings.Contains(runs, "process-order") {
		t.Errorf("the sent event's runs = %q", runs)
	}
	if payload := value(t, ctx, "payload", chromedp.Text("#event-json")); strings.Contains(payload, uiSecret) || !strings.Contains(payload, "[sensitive: redacted]") {
		t.Errorf("the sent event's payload is not redacted:\n%s", payload)
	}

	// Cancel the waiting run from its page.
	do("cancel", chromedp.Navigate(base+"runs/"+fx.waiting), chromedp.WaitVisible(`details[data-step="wait-payment"]`),
		shot("waiting.png"), chromedp.Click("#cancel"), chromedp.WaitVisible("#run-status.s-cancelled"))
	if st := value(t, ctx, "status", chromedp.Text("#run-status")); st != "cancelled" {
		t.Errorf("the run page shows the run %q after cancel", st)
	}
	do("cancelled", shot("cancelled.png"))
	ri, err := fx.eng.Run(context.Background(), fx.waiting)
	if err != nil || ri.Status != runtime.RunCancelled {
		t.Errorf("engine: run %s is %s (%v), want cancelled", fx.waiting, ri.Status, err)
	}

	// The events and functions pages, for the record.
	do("events page", chromedp.Navigate(base+"events"), chromedp.WaitVisible("#events"), shot("events.png"),
		chromedp.Navigate(base), chromedp.WaitVisible("#functions"), shot("functions.png"))
	for _, f := range []string{"runs.png", "run.png", "rerun.png", "send-invalid.png", "sent.png", "waiting.png", "cancelled.png", "events.png", "functions.png"} {
		if st, err := os.Stat(filepath.Join(shots, f)); err != nil || st.Size() < 5000 {
			t.Errorf("screenshot %s missing or blank (%v)", f, err)
		}
	}
	mu.Lock()
	defer mu.Unlock()
	if len(pageErrors) > 0 {
		t.Errorf("errors in the browser: %q", pageErrors)
	}
}

// value runs an action that returns a value, failing the test on error.
func value[T any](t *testing.T, ctx context.Context, what string, a chromedp.Action[T]) T {
	t.Helper()
	v, err := chromedp.Run(ctx, a)
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
	return v
}
