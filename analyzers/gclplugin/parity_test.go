package gclplugin

import (
	"bytes"
	"cmp"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite testdata/lintparity/want.txt from durable lint's findings (when go vet agrees)")

// parityFixture is the module every driver lints: functions in two
// packages registered in main through the generated registry and a slice
// built in another package, the failure handler in a third.
const parityFixture = "../../testdata/lintparity"

// finding is what the drivers must agree on: the analyzer, the position
// relative to the fixture's module root, and the message.
type finding struct {
	Analyzer, Pos, Message string
}

func (f finding) String() string { return f.Pos + ": " + f.Analyzer + ": " + f.Message }

func sortFindings(fs []finding) []finding {
	slices.SortFunc(fs, func(a, b finding) int {
		return cmp.Or(comparePos(a.Pos, b.Pos), strings.Compare(a.Analyzer, b.Analyzer), strings.Compare(a.Message, b.Message))
	})
	return slices.Compact(fs)
}

// comparePos orders file:line:col positions by file, then numerically.
func comparePos(a, b string) int {
	var fa, fb string
	var la, ca, lb, cb int
	split := func(p string, f *string, l, c *int) {
		parts := strings.Split(p, ":")
		if len(parts) >= 3 {
			*f = strings.Join(parts[:len(parts)-2], ":")
			fmt.Sscan(parts[len(parts)-2], l)
			fmt.Sscan(parts[len(parts)-1], c)
		}
	}
	split(a, &fa, &la, &ca)
	split(b, &fb, &lb, &cb)
	return cmp.Or(strings.Compare(fa, fb), cmp.Compare(la, lb), cmp.Compare(ca, cb))
}

// relPos makes a file:line:col position relative to root.
func relPos(t *testing.T, root, posn string) string {
	t.Helper()
	if rel, err := filepath.Rel(root, posn); err == nil && filepath.IsAbs(posn) && !strings.HasPrefix(rel, "..") {
		return filepath.ToSlash(rel)
	}
	return filepath.ToSlash(posn)
}

// buildTools builds durable and durable-vet from this checkout.
func buildTools(t *testing.T) (durable, durableVet string) {
	t.Helper()
	dir := t.TempDir()
	repo, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("go", "build", "-o", dir+string(filepath.Separator), "./cmd/durable", "./cmd/durable-vet")
	cmd.Dir = repo
	cmd.Env = append(os.Environ(), "GOWORK=off")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build ./cmd/durable ./cmd/durable-vet: %v\n%s", err, out)
	}
	return filepath.Join(dir, "durable"), filepath.Join(dir, "durable-vet")
}

// fixtureCmd runs in the fixture without changing it (-mod=readonly).
func fixtureCmd(root, name string, args ...string) *exec.Cmd {
	cmd := exec.Command(name, args...)
	cmd.Dir = root
	cmd.Env = append(os.Environ(), "GOWORK=off", "GOFLAGS=-mod=readonly")
	return cmd
}

func run(t *testing.T, cmd *exec.Cmd) (stdout []byte, code int, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatalf("%s: %v", strings.Join(cmd.Args, " "), err)
	}
	return out.Bytes(), code, errb.String()
}

// durableLint runs `durable lint --format json` (cmd/durable/lint_output.go).
func durableLint(t *testing.T, bin, root string) []finding {
	out, code, stderr := run(t, fixtureCmd(root, bin, "lint", "--format", "json", "./..."))
	if code != 0 && code != 1 {
		t.Fatalf("durable lint: exit %d\n%s", code, stderr)
	}
	var res struct {
		Findings []struct {
			Analyzer string
			Pos      struct {
				File         string
				Line, Column int
			}
			Message string
		}
	}
	if err := json.Unmarshal(out, &res); err != nil {
		t.Fatalf("durable lint output: %v\n%s", err, out)
	}
	var fs []finding
	for _, f := range res.Findings {
		pos := fmt.Sprintf("%s:%d:%d", relPos(t, root, f.Pos.File), f.Pos.Line, f.Pos.Column)
		fs = append(fs, finding{f.Analyzer, pos, f.Message})
	}
	return sortFindings(fs)
}

// goVet runs `go vet -json -vettool=durable-vet`; its output is a stream
// of JSON objects, package ID → analyzer → diagnostics (or an error).
func goVet(t *testing.T, bin, root string) []finding {
	out, code, stderr := run(t, fixtureCmd(root, "go", "vet", "-json", "-vettool="+bin, "./..."))
	if code != 0 {
		t.Fatalf("go vet: exit %d\n%s", code, stderr)
	}
	var fs []finding
	dec := json.NewDecoder(bytes.NewReader(out))
	for {
		var tree map[string]map[string]json.RawMessage
		if err := dec.Decode(&tree); err == io.EOF {
			break
		} else if err != nil {
			t.Fatalf("go vet output: %v\n%s", err, out)
		}
		for pkg, byAnalyzer := range tree {
			for analyzer, raw := range byAnalyzer {
				var diags []struct{ Posn, Message string }
				if err := json.Unmarshal(raw, &diags); err != nil {
					t.Fatalf("go vet: %s on %s: %s", analyzer, pkg, raw)
				}
				for _, d := range diags {
					fs = append(fs, finding{analyzer, relPos(t, root, d.Posn), d.Message})
				}
			}
		}
	}
	return sortFindings(fs) // a file is in a package and its test variant
}

// golangciLintFindings runs golangci-lint built with the plugin, with the
// fixture's .golangci.yml.
func golangciLintFindings(t *testing.T, bin, root string) []finding {
	cmd := fixtureCmd(root, bin, "run", "--output.json.path=stdout", "--show-stats=false", "./...")
	cmd.Env = append(cmd.Env, "GOLANGCI_LINT_CACHE="+t.TempDir())
	out, code, stderr := run(t, cmd)
	if code != 0 && code != 1 {
		t.Fatalf("golangci-lint: exit %d\n%s", code, stderr)
	}
	var res struct{ Issues []gclIssue }
	if err := json.Unmarshal(out, &res); err != nil {
		t.Fatalf("golangci-lint output: %v\n%s\nstderr:\n%s", err, out, stderr)
	}
	var fs []finding
	for _, is := range res.Issues {
		// The text is "analyzer: message"; golangci-lint turns related
		// information into issues of their own ("analyzer(related
		// information): ..."), which the other drivers attach to the finding.
		analyzer, msg, _ := strings.Cut(is.Text, ": ")
		if is.FromLinter != "durable" || strings.HasSuffix(analyzer, "(related information)") {
			continue
		}
		pos := fmt.Sprintf("%s:%d:%d", relPos(t, root, is.Pos.Filename), is.Pos.Line, is.Pos.Column)
		fs = append(fs, finding{analyzer, pos, msg})
	}
	return sortFindings(fs)
}

func readWant(t *testing.T, file string) []string {
	t.Helper()
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatalf("%v (go test -run TestParity -update writes it)", err)
	}
	var want []string
	for _, l := range strings.Split(strings.TrimSpace(string(data)), "\n") {
		if l != "" && !strings.HasPrefix(l, "#") {
			want = append(want, l)
		}
	}
	return want
}

func lines(fs []finding) []string {
	out := make([]string, len(fs))
	for i, f := range fs {
		out[i] = f.String()
	}
	return out
}

// diffLines lists the lines only one of got and want has.
func diffLines(got, want []string) string {
	var b strings.Builder
	for _, l := range want {
		if !slices.Contains(got, l) {
			fmt.Fprintf(&b, "- %s\n", l)
		}
	}
	for _, l := range got {
		if !slices.Contains(want, l) {
			fmt.Fprintf(&b, "+ %s\n", l)
		}
	}
	return b.String()
}

// TestParity lints testdata/lintparity with every driver and asserts that
// they report the same findings, those of want.txt: durable lint and go
// vet -vettool=durable-vet when DURABLE_SLOW_TESTS=1, golangci-lint with
// the plugin when DURABLE_GCL_REQUIRED also asks for the tests that build
// it. It is a slow test: on an empty build cache it builds two binaries
// and compiles the fixture module's dependencies for vet (two minutes on
// a 2-core machine), which alone would take `go test ./...` past five.
func TestParity(t *testing.T) {
	if os.Getenv("DURABLE_SLOW_TESTS") != "1" {
		t.Skip("builds durable and durable-vet and lints a module, minutes on an empty build cache; set DURABLE_SLOW_TESTS=1 to run it")
	}
	root, err := filepath.Abs(parityFixture)
	if err != nil {
		t.Fatal(err)
	}
	wantFile := filepath.Join(root, "want.txt")
	durable, durableVet := buildTools(t)
	lint := durableLint(t, durable, root)
	vet := goVet(t, durableVet, root)
	if *update {
		if d := diffLines(lines(vet), lines(lint)); d != "" {
			t.Fatalf("not updating %s: go vet (+) and durable lint (-) disagree:\n%s", wantFile, d)
		}
		header := "# Findings every driver reports on this module (analyzers/gclplugin TestParity; -update rewrites it).\n"
		if err := os.WriteFile(wantFile, []byte(header+strings.Join(lines(lint), "\n")+"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want := readWant(t, wantFile)
	analyzers := map[string]bool{}
	for _, l := range want {
		_, rest, _ := strings.Cut(l, ": ")
		a, _, _ := strings.Cut(rest, ": ")
		analyzers[a] = true
	}
	if len(analyzers) < 4 {
		t.Errorf("want.txt has findings of %d analyzers; the fixture is meant to exercise several", len(analyzers))
	}
	for _, d := range []struct {
		driver string
		got    []finding
	}{{"durable lint", lint}, {"go vet -vettool=durable-vet", vet}} {
		if diff := diffLines(lines(d.got), want); diff != "" {
			t.Errorf("%s differs from want.txt (- missing, + extra):\n%s(when both drivers agree and an analyzer's findings changed on purpose, go test ./analyzers/gclplugin -run TestParity -update rewrites it)", d.driver, diff)
		}
	}
	t.Run("golangci-lint", func(t *testing.T) {
		bin := golangciLint(t)
		if diff := diffLines(lines(golangciLintFindings(t, bin, root)), want); diff != "" {
			t.Errorf("golangci-lint with the plugin differs from want.txt (- missing, + extra):\n%s", diff)
		}
	})
}
