package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"strings"
	"text/template"

	"golang.org/x/mod/modfile"
	"golang.org/x/mod/module"
)

func init() {
	register(command{
		name:    "init",
		summary: "start a module with durable functions: a catalog, a function, its test and a worker",
		run:     runInit,
	})
}

const initUsage = `usage: durable init [--module PATH] [DIR]

Writes, in DIR (default: the current directory), a starting point that
passes durable lint and go test as it is:

  durable.yaml                   the event catalog, with one event
  cmd/worker/main.go             a program that starts the engine on SQLite,
                                 sends the event and prints the run's output;
                                 it holds the //go:generate line
  internal/greet/greet.go        a durable function triggered by the event,
                                 and the module's failure handler
  internal/greet/greet_test.go   its test, with runtime/durabletest

DIR may be an empty directory (durable init then writes go.mod too, for
--module, by default the directory's name) or a directory of an existing
module. Nothing is overwritten: if any of these files exists (or a file
durable generate writes from the catalog), durable init writes nothing and
names them. Then:

  go get github.com/durable-go/durable@latest
  go get -tool github.com/durable-go/durable/cmd/durable@latest
  go generate ./...
  go mod tidy
  go test ./...
  go tool durable lint ./...
  go run ./cmd/worker

Flags:
`

func runInit(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("durable init", flag.ContinueOnError)
	fs.SetOutput(stderr)
	modPath := fs.String("module", "", "the module `path` of a new go.mod (default: the directory's name); refused in an existing module")
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), initUsage)
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if fs.NArg() > 1 {
		fmt.Fprintf(stderr, "durable init: unexpected argument %q (one directory at most)\n", fs.Arg(1))
		return 2
	}
	dir := "."
	if fs.NArg() == 1 {
		dir = fs.Arg(0)
	}
	files, err := initFiles(dir, *modPath)
	if err != nil {
		fmt.Fprintf(stderr, "durable init: %v\n", err)
		return 2
	}
	for _, f := range files {
		if err := os.MkdirAll(filepath.Dir(f.path), 0o755); err != nil {
			fmt.Fprintf(stderr, "durable init: %v\n", err)
			return 2
		}
		// O_EXCL: a file created since the check is not overwritten either.
		out, err := os.OpenFile(f.path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
		if err == nil {
			_, err = out.WriteString(f.content)
			if cerr := out.Close(); err == nil {
				err = cerr
			}
		}
		if err != nil {
			fmt.Fprintf(stderr, "durable init: %v\n", err)
			return 2
		}
		fmt.Fprintf(stdout, "wrote %s\n", f.path)
	}
	fmt.Fprint(stdout, `
next:
  go get github.com/durable-go/durable@latest
  go get -tool github.com/durable-go/durable/cmd/durable@latest   # go tool durable
  go generate ./...     # typed events and the function registry, from durable.yaml
  go mod tidy
  go test ./...
  go tool durable lint ./...
  go run ./cmd/worker
`)
	return 0
}

// initFile is a file durable init writes.
type initFile struct {
	path    string
	content string
}

// initFiles returns the files to write in dir, or an error naming what
// stands in the way (existing files, a bad module path) when none may be.
func initFiles(dir, modPath string) ([]initFile, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, err
	}
	if st, err := os.Stat(abs); err != nil {
		return nil, err
	} else if !st.IsDir() {
		return nil, fmt.Errorf("%s is not a directory", dir)
	}
	var files []initFile
	root, existing, err := findModule(abs)
	if err != nil {
		return nil, err
	}
	importPath := ""
	if existing != "" {
		if modPath != "" {
			return nil, fmt.Errorf("--module %q: %s is in module %s already (go.mod at %s)", modPath, dir, existing, filepath.Join(root, "go.mod"))
		}
		rel, err := filepath.Rel(root, abs)
		if err != nil {
			return nil, err
		}
		importPath = existing
		if rel != "." {
			importPath = path.Join(existing, filepath.ToSlash(rel))
		}
	} else {
		if modPath == "" {
			modPath = filepath.Base(abs)
		}
		if err := module.CheckImportPath(modPath); err != nil {
			return nil, fmt.Errorf("module path %q (set it with --module): %v", modPath, err)
		}
		importPath = modPath
		files = append(files, initFile{path: "go.mod", content: "module " + modPath + "\n\ngo 1.26\n"})
	}
	for _, t := range initTemplates {
		var b strings.Builder
		if err := t.tmpl.Execute(&b, struct{ Module string }{importPath}); err != nil {
			return nil, err
		}
		files = append(files, initFile{path: t.path, content: b.String()})
	}
	// What generate writes from the catalog must not exist either.
	var taken []string
	for _, p := range append(fileNames(files), initGenerated...) {
		if _, err := os.Lstat(filepath.Join(abs, p)); err == nil {
			taken = append(taken, filepath.Join(dir, p))
		} else if !errors.Is(err, os.ErrNotExist) {
			return nil, err
		}
	}
	if len(taken) > 0 {
		return nil, fmt.Errorf("nothing written: %d file(s) exist that durable init would write (or durable generate would, from the catalog it writes): %s",
			len(taken), strings.Join(taken, ", "))
	}
	for i := range files {
		files[i].path = filepath.Join(dir, files[i].path)
	}
	return files, nil
}

func fileNames(files []initFile) []string {
	out := make([]string, len(files))
	for i, f := range files {
		out[i] = f.path
	}
	return out
}

// findModule returns the root and path of the module dir is in, or ""
// when it is in none.
func findModule(dir string) (root, modPath string, err error) {
	for d := dir; ; d = filepath.Dir(d) {
		gomod := filepath.Join(d, "go.mod")
		data, err := os.ReadFile(gomod)
		if err == nil {
			mp := modfile.ModulePath(data)
			if mp == "" {
				return "", "", fmt.Errorf("%s: no module line", gomod)
			}
			return d, mp, nil
		}
		if !errors.Is(err, os.ErrNotExist) {
			return "", "", err
		}
		if filepath.Dir(d) == d {
			return "", "", nil
		}
	}
}

// initGenerated are the files durable generate writes from the catalog
// durable init writes (its output section).
var initGenerated = []string{
	"internal/events/events_gen.go",
	"internal/events/schemas/app/greeting.requested.json",
	"internal/registry/registry_gen.go",
}

var initTemplates = []struct {
	path string
	tmpl *template.Template
}{
	{"durable.yaml", template.Must(template.New("durable.yaml").Parse(initCatalog))},
	{"cmd/worker/main.go", template.Must(template.New("main.go").Parse(initMain))},
	{"internal/greet/greet.go", template.Must(template.New("greet.go").Parse(initFunction))},
	{"internal/greet/greet_test.go", template.Must(template.New("greet_test.go").Parse(initTest))},
}

const initCatalog = `# The event catalog: durable generate (go generate ./...) turns it into typed
# Go events (internal/events), one JSON Schema per event and the registry of
# the module's durable functions (internal/registry).
version: "1"
package: events
output:
  go: internal/events/events_gen.go
  schemas: internal/events/schemas
  registry: internal/registry/registry_gen.go
events:
  - name: app/greeting.requested
    v: "1"
    description: Someone asked to be greeted.
    fields:
      name: {type: string, required: true, description: Who to greet.}
`

const initMain = `// Command worker runs the module's durable functions on an embedded SQLite
// store: it sends one app/greeting.requested event, waits for the run it
// starts and prints the run's output.
//
//	go run ./cmd/worker -name Ada
//
// The typed events and the registry come from durable.yaml, through the
// durable tool of go.mod (go get -tool github.com/durable-go/durable/cmd/durable):
//
//go:generate go tool durable generate
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"time"

	"github.com/durable-go/durable/runtime"
	"github.com/durable-go/durable/runtime/store/sqlite"

	"{{.Module}}/internal/events"
	"{{.Module}}/internal/registry"
)

func main() {
	db := flag.String("db", "durable.db", "the engine's SQLite file")
	name := flag.String("name", "world", "who to greet")
	flag.Parse()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, *db, *name); err != nil {
		fmt.Fprintln(os.Stderr, "worker:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, db, name string) error {
	st, err := sqlite.Open(db)
	if err != nil {
		return err
	}
	defer st.Close()
	eng, err := runtime.New(runtime.Options{
		Store:     st,
		Functions: registry.Functions(),
		Events:    events.Events(),
		Logger:    slog.Default(),
	})
	if err != nil {
		return err
	}
	if err := eng.Start(ctx); err != nil {
		return err
	}
	defer eng.Stop(context.Background())

	ids, err := eng.Send(ctx, events.GreetingRequested.New(events.GreetingRequestedData{Name: name}))
	if err != nil {
		return err
	}
	for {
		page, err := eng.Runs(ctx, runtime.RunFilter{EventID: ids[0]})
		if err != nil {
			return err
		}
		for _, r := range page.Runs {
			switch r.Status {
			case runtime.RunCompleted:
				fmt.Printf("run %s of %s: %s\n", r.ID, r.FunctionID, r.Output)
				return nil
			case runtime.RunFailed, runtime.RunCancelled, runtime.RunSkipped:
				return fmt.Errorf("run %s of %s %s: %s", r.ID, r.FunctionID, r.Status, r.Error)
			}
		}
		select {
		case <-ctx.Done():
			return errors.New("interrupted before the run ended")
		case <-time.After(50 * time.Millisecond):
		}
	}
}
`

const initFunction = `// Package greet holds the module's durable functions.
package greet

import (
	"context"
	"fmt"

	"github.com/durable-go/durable/runtime"
	"github.com/durable-go/durable/runtime/step"

	"{{.Module}}/internal/events"
)

// SendGreeting greets whoever app/greeting.requested names. Each step's
// result is recorded: if the process dies after compose-greeting, the run
// resumes after it without composing it again.
var SendGreeting = runtime.NewFunction(
	runtime.FunctionOpts{ID: "send-greeting", Retries: runtime.Retries(3)},
	events.GreetingRequested.Trigger(),
	func(ctx context.Context, in runtime.Input[events.GreetingRequestedData]) (any, error) {
		greeting, err := step.Run(ctx, "compose-greeting", func(ctx context.Context) (string, error) {
			return fmt.Sprintf("Hello, %s!", in.Event.Data.Name), nil
		})
		if err != nil {
			return nil, err
		}
		// Printed once per run, though the function runs again from the
		// top whenever the run resumes.
		step.Logger(ctx).Info("greeting composed", "greeting", greeting)
		return greeting, nil
	})

// ReportFailure receives durable/function.failed for every run of the
// module that fails for good.
var ReportFailure = runtime.NewFunction(
	runtime.FunctionOpts{ID: "report-failure"},
	runtime.FunctionFailed.Trigger(),
	func(ctx context.Context, in runtime.Input[runtime.FunctionFailedData]) (any, error) {
		f := in.Event.Data
		step.Logger(ctx).Error("run failed", "function", f.FunctionID, "failed_run", f.RunID, "error", f.Error)
		return nil, nil
	})
`

const initTest = `package greet

import (
	"testing"

	"github.com/durable-go/durable/runtime/durabletest"

	"{{.Module}}/internal/events"
)

func TestSendGreeting(t *testing.T) {
	res := durabletest.Run(t, SendGreeting, events.GreetingRequested.New(events.GreetingRequestedData{Name: "Ada"}))
	res.AssertCompleted(t)
	res.AssertSteps(t, "compose-greeting")
	res.AssertOutput(t, "Hello, Ada!")
}
`
