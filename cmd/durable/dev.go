package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"time"

	"github.com/durable-go/durable/analyzers/lintconfig"
	"github.com/durable-go/durable/runtime"
)

func init() {
	register(command{
		name:    "dev",
		summary: "run an app with dev defaults, rebuilding and restarting it when its code changes",
		run:     runDev,
	})
}

const devUsage = `usage: durable dev [flags] [package [app arguments]]

Runs the app of the main package (default .), with the arguments that
follow the package, the way one develops it:

 1. durable generate, when a durable.yaml is found (from the package's
    directory up to the module root);
 2. go build, into .durable/bin/ at the module root;
 3. runs the app with the dev settings in its environment:
	DURABLE_DEV=1                       dev mode: the UI needs no login
	                                    (and answers loopback clients only)
	DURABLE_DB=<module>/.durable/dev.db  the SQLite file to use
	DURABLE_ADDR=127.0.0.1:8288          where to serve the UI (and API)
    The app reads them with runtime.Dev() (see the README's "Web UI and
    durable dev");
 4. prints durable lint's findings for the package, then for the packages
    whose files change;
 5. watches the module's .go files and durable.yaml (polling their
    modification times) and, once they stop changing for a moment, does
    it all again: the running app is stopped (interrupt, then kill after
    5s) and the new build started. A build that fails leaves nothing
    running until the next change.

It stops, stopping the app, on interrupt (Ctrl-C).

Flags:
`

// devConfig is what durable dev was asked to do.
type devConfig struct {
	pkg      string // as given: ./cmd/app
	root     string // module root (absolute)
	catalog  string // durable.yaml, or ""
	addr     string
	dataDir  string // absolute .durable directory
	poll     time.Duration
	debounce time.Duration
	lint     bool
	args     []string // the app's arguments
	stdout   io.Writer
	stderr   io.Writer
}

func runDev(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("durable dev", flag.ContinueOnError)
	fs.SetOutput(stderr)
	addr := fs.String("addr", "127.0.0.1:8288", "the `address` the app is told to serve the UI and API on (DURABLE_ADDR)")
	dir := fs.String("dir", ".durable", "the `directory`, relative to the module root, of the dev database and the build")
	poll := fs.Duration("poll", 500*time.Millisecond, "how often to look for changed files")
	debounce := fs.Duration("debounce", 300*time.Millisecond, "how long files must stay unchanged before a rebuild")
	lint := fs.Bool("lint", true, "print durable lint's findings of the changed packages")
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), devUsage)
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	cfg := devConfig{pkg: ".", addr: *addr, poll: *poll, debounce: *debounce, lint: *lint, stdout: stdout, stderr: stderr}
	if fs.NArg() > 0 {
		cfg.pkg = fs.Arg(0)
		cfg.args = fs.Args()[1:]
	}
	if cfg.poll <= 0 || cfg.debounce < 0 {
		fmt.Fprintln(stderr, "durable dev: -poll must be positive and -debounce not negative")
		return 2
	}
	wd, err := os.Getwd()
	if err != nil {
		fmt.Fprintf(stderr, "durable dev: %v\n", err)
		return 2
	}
	pkgDir := filepath.Join(wd, cfg.pkg)
	if st, err := os.Stat(pkgDir); err != nil || !st.IsDir() {
		fmt.Fprintf(stderr, "durable dev: %s is not a package directory (give a path such as ./cmd/app)\n", cfg.pkg)
		return 2
	}
	cfg.root = lintconfig.ModuleRoot(pkgDir)
	if cfg.root == "" {
		fmt.Fprintf(stderr, "durable dev: %s is in no Go module (no go.mod in it or its parents)\n", cfg.pkg)
		return 2
	}
	cfg.catalog = findCatalogFrom(pkgDir, cfg.root)
	cfg.dataDir = *dir
	if !filepath.IsAbs(cfg.dataDir) {
		cfg.dataDir = filepath.Join(cfg.root, cfg.dataDir)
	}
	if err := os.MkdirAll(filepath.Join(cfg.dataDir, "bin"), 0o755); err != nil {
		fmt.Fprintf(stderr, "durable dev: %v\n", err)
		return 2
	}
	return cfg.loop(ctx)
}

// findCatalogFrom looks for durable.yaml in dir and its parents up to root.
func findCatalogFrom(dir, root string) string {
	for {
		p := filepath.Join(dir, "durable.yaml")
		if _, err := os.Stat(p); err == nil {
			return p
		}
		if dir == root || filepath.Dir(dir) == dir {
			return ""
		}
		dir = filepath.Dir(dir)
	}
}

// loop builds, runs and watches until ctx ends.
func (c *devConfig) loop(ctx context.Context) int {
	c.logf("watching %s (Ctrl-C stops)", c.root)
	changed := []string{filepath.Join(c.root, c.pkg)}
	first := true
	for {
		app, before := c.cycle(ctx, changed, first)
		first = false
		changed, _ = c.waitForChange(ctx, before)
		if app != nil {
			app.stop(c)
		}
		if ctx.Err() != nil {
			c.logf("stopped")
			return 0
		}
		c.logf("changed: %s", c.relList(changed))
	}
}

// cycle generates, builds, starts the app and lints. It returns the
// running app (nil when a step failed) and the files as they were after
// the generator ran: what changes from then on, even while the build or
// lint runs, is a change.
func (c *devConfig) cycle(ctx context.Context, changed []string, first bool) (*devApp, map[string]time.Time) {
	if c.catalog != "" {
		rel, _ := filepath.Rel(c.root, c.catalog)
		c.logf("durable generate --config %s", rel)
		if code := runGenerate(ctx, []string{"--config", c.catalog}, c.stdout, c.stderr); code != 0 {
			c.logf("generate failed; waiting for a change")
			return nil, snapshot(c.root, c.dataDir)
		}
	}
	snap := snapshot(c.root, c.dataDir)
	bin := filepath.Join(c.dataDir, "bin", "app")
	c.logf("go build %s", c.pkg)
	build := exec.CommandContext(ctx, "go", "build", "-o", bin, c.pkg)
	build.Stdout, build.Stderr = c.stderr, c.stderr
	if err := build.Run(); err != nil {
		if ctx.Err() == nil {
			c.logf("build failed; waiting for a change")
		}
		return nil, snap
	}
	app := c.start(bin)
	if c.lint {
		c.lintPackages(ctx, changed, first)
	}
	return app, snap
}

// devApp is the running app.
type devApp struct {
	cmd      *exec.Cmd
	stopping atomic.Bool
	// exited is closed when the process has exited.
	exited chan struct{}
}

func (c *devConfig) start(bin string) *devApp {
	cmd := exec.Command(bin, c.args...)
	cmd.Stdout, cmd.Stderr = c.stdout, c.stderr
	cmd.Env = append(os.Environ(),
		runtime.DevEnv+"=1",
		runtime.DevDBEnv+"="+filepath.Join(c.dataDir, "dev.db"),
		runtime.DevAddrEnv+"="+c.addr)
	if err := cmd.Start(); err != nil {
		c.logf("starting the app: %v", err)
		return nil
	}
	c.logf("app started (pid %d); UI and API on http://%s", cmd.Process.Pid, c.addr)
	app := &devApp{cmd: cmd, exited: make(chan struct{})}
	go func() {
		err := cmd.Wait()
		if !app.stopping.Load() {
			c.logf("app exited (%s); waiting for a change", exitText(err))
		}
		close(app.exited)
	}()
	return app
}

func exitText(err error) string {
	if err == nil {
		return "status 0"
	}
	return err.Error()
}

// stop interrupts the app and kills it if it has not exited after 5s.
func (a *devApp) stop(c *devConfig) {
	a.stopping.Store(true)
	select {
	case <-a.exited:
		return
	default:
	}
	_ = a.cmd.Process.Signal(os.Interrupt)
	select {
	case <-a.exited:
	case <-time.After(5 * time.Second):
		c.logf("the app did not stop within 5s of an interrupt: killing it")
		_ = a.cmd.Process.Kill()
		<-a.exited
	}
}

// lintPackages prints durable lint's findings for the app's package the
// first time, then for the packages of the changed .go files.
func (c *devConfig) lintPackages(ctx context.Context, changed []string, first bool) {
	patterns := []string{c.pkg}
	if !first {
		patterns = changedPackages(changed)
	}
	if len(patterns) == 0 {
		return
	}
	c.logf("durable lint %s", strings.Join(patterns, " "))
	if code := runLint(ctx, patterns, c.stdout, c.stderr); code == 0 {
		c.logf("lint: no findings")
	}
}

// changedPackages returns the package patterns (./dir, relative to the
// working directory, where durable lint runs) of the changed .go files
// below it, without repeats.
func changedPackages(changed []string) []string {
	wd, _ := os.Getwd()
	var patterns []string
	for _, f := range changed {
		if filepath.Ext(f) != ".go" {
			continue
		}
		if _, err := os.Stat(f); err != nil {
			continue // removed: its package may be gone too
		}
		rel, err := filepath.Rel(wd, filepath.Dir(f))
		if err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
			continue
		}
		p := "./" + filepath.ToSlash(rel)
		if rel == "." {
			p = "."
		}
		if !slices.Contains(patterns, p) {
			patterns = append(patterns, p)
		}
	}
	return patterns
}

// waitForChange polls the files until some changed and then stayed
// unchanged for the debounce time; it returns the changed files and the
// new snapshot (nil, nil when ctx ends).
func (c *devConfig) waitForChange(ctx context.Context, before map[string]time.Time) ([]string, map[string]time.Time) {
	var changed []string
	cur := before
	quietSince := time.Time{}
	tick := time.NewTicker(c.poll)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil, nil
		case <-tick.C:
		}
		next := snapshot(c.root, c.dataDir)
		if d := diffSnapshots(cur, next); len(d) > 0 {
			for _, f := range d {
				if !slices.Contains(changed, f) {
					changed = append(changed, f)
				}
			}
			cur = next
			quietSince = time.Now()
			continue
		}
		if len(changed) > 0 && time.Since(quietSince) >= c.debounce {
			slices.Sort(changed)
			return changed, cur
		}
	}
}

// snapshot records the modification times of the module's .go files and
// durable.yaml files, skipping the dev directory, hidden directories,
// testdata, vendor and node_modules, and nested modules.
func snapshot(root, skip string) map[string]time.Time {
	out := map[string]time.Time{}
	_ = filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return nil // a file removed during the walk
		}
		if d.IsDir() {
			name := d.Name()
			if p != root && (p == skip || strings.HasPrefix(name, ".") || strings.HasPrefix(name, "_") ||
				name == "testdata" || name == "vendor" || name == "node_modules") {
				return filepath.SkipDir
			}
			if p != root {
				if _, err := os.Stat(filepath.Join(p, "go.mod")); err == nil {
					return filepath.SkipDir
				}
			}
			return nil
		}
		if strings.HasSuffix(p, ".go") || d.Name() == "durable.yaml" {
			if info, err := d.Info(); err == nil {
				out[p] = info.ModTime()
			}
		}
		return nil
	})
	return out
}

// diffSnapshots lists the files added, removed or modified, sorted.
func diffSnapshots(a, b map[string]time.Time) []string {
	var out []string
	for p, t := range b {
		if at, ok := a[p]; !ok || !at.Equal(t) {
			out = append(out, p)
		}
	}
	for p := range a {
		if _, ok := b[p]; !ok {
			out = append(out, p)
		}
	}
	slices.Sort(out)
	return out
}

func (c *devConfig) relList(files []string) string {
	var rel []string
	for _, f := range files {
		r, err := filepath.Rel(c.root, f)
		if err != nil {
			r = f
		}
		rel = append(rel, r)
	}
	if len(rel) > 5 {
		return strings.Join(rel[:5], ", ") + fmt.Sprintf(" and %d more", len(rel)-5)
	}
	return strings.Join(rel, ", ")
}

func (c *devConfig) logf(format string, args ...any) {
	fmt.Fprintf(c.stderr, "durable dev: "+format+"\n", args...)
}
