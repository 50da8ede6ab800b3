package lintconfig

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"golang.org/x/tools/go/analysis"
)

func TestParse(t *testing.T) {
	src := `version: "1"
output: {schemas: s}
events: [{name: BAD}]   # not lint's business
lint:
  disable: [stepid, goroutine]
  severity:
    default: warning
    sideeffect: error
  settings:
    idempotency:
      calls: [example.com/pay.Charge, example.com/mail.Send]
    other: {n: 3, on: true}
`
	l, err := Parse("durable.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(l.Disable, ",") != "stepid,goroutine" || len(l.DisablePos) != 2 || l.DisablePos[1] != (Pos{Line: 5, Col: 21}) {
		t.Errorf("disable = %v at %v", l.Disable, l.DisablePos)
	}
	if len(l.Severity) != 2 || l.Severity[0] != (SeveritySetting{"default", "warning", Pos{Line: 7, Col: 5}, Pos{Line: 7, Col: 14}}) || l.Severity[1].Level != "error" {
		t.Errorf("severity = %+v", l.Severity)
	}
	if len(l.Settings) != 2 || l.Settings[0].Analyzer != "idempotency" || l.Settings[0].Flags[0].Value != "example.com/pay.Charge,example.com/mail.Send" {
		t.Fatalf("settings = %+v", l.Settings)
	}
	if f := l.Settings[1].Flags; len(f) != 2 || f[0].Value != "3" || f[1].Value != "true" || f[1].Pos != (Pos{Line: 12, Col: 19}) {
		t.Errorf("other settings = %+v", f)
	}
}

func TestParseEmpty(t *testing.T) {
	for _, src := range []string{"", "version: \"1\"\n", "lint:\n"} {
		l, err := Parse("durable.yaml", []byte(src))
		if err != nil || len(l.Enable)+len(l.Disable)+len(l.Severity)+len(l.Settings) != 0 {
			t.Errorf("%q: %+v, %v", src, l, err)
		}
	}
}

func TestParseErrors(t *testing.T) {
	for _, tt := range []struct {
		name, src string
		want      []string
		// partial: the error contains each of want instead of being them.
		partial bool
	}{
		{"shape", `lint:
  enabel: [x]
  disable: [Bad-Name]
  severity: {sideeffect: fatal, stepid: [error]}
  settings:
    idempotency: {calls: {a: b}}
    waittimeout: [x]
`, []string{
			`durable.yaml:2:3: lint: unknown key "enabel" (known keys: disable, enable, settings, severity)`,
			`durable.yaml:3:13: lint.disable[0]: "Bad-Name" is not an analyzer name`,
			`durable.yaml:4:26: lint.severity.sideeffect: unknown severity "fatal" (want error, warning or note)`,
			`durable.yaml:4:41: lint.severity.stepid: want a string, got a list`,
			`durable.yaml:6:26: lint.settings.idempotency.calls: want a string, number or boolean, got a mapping`,
			`durable.yaml:7:18: lint.settings.waittimeout: want a mapping, got a list`,
		}, false},
		{"types", "lint:\n  enable: stepid\n  disable: [1]\n  severity: {stepid: error, stepid: note}\n", []string{
			`durable.yaml:2:11: lint.enable: want a list, got the string "stepid"`,
			`durable.yaml:3:13: lint.disable[0]: want a string, got the integer 1; quote it: "1"`,
			`durable.yaml:4:29: lint.severity: duplicate key "stepid" (first at 4:14)`,
		}, false},
		{"not a mapping", "- lint\n", []string{`durable.yaml:1:1: durable.yaml must be a mapping; got a list`}, false},
		{"invalid YAML", "lint: [\n", []string{`durable.yaml:`, `invalid YAML: `}, true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse("durable.yaml", []byte(tt.src))
			if err == nil {
				t.Fatal("no error")
			}
			if !tt.partial {
				if got := err.Error(); got != strings.Join(tt.want, "\n") {
					t.Errorf("errors:\n%s\nwant:\n%s", got, strings.Join(tt.want, "\n"))
				}
				return
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("%v lacks %q", err, w)
				}
			}
		})
	}
}

// analyzers are two analyzers with flags of several kinds.
func analyzers() []*analysis.Analyzer {
	a := &analysis.Analyzer{Name: "alpha", Doc: "alpha", Run: func(*analysis.Pass) (any, error) { return nil, nil }}
	a.Flags.String("calls", "", "calls")
	a.Flags.Duration("every", time.Minute, "every")
	b := &analysis.Analyzer{Name: "beta", Doc: "beta", Run: a.Run}
	c := &analysis.Analyzer{Name: "gamma", Doc: "gamma", Run: a.Run}
	return []*analysis.Analyzer{a, b, c}
}

func TestFlags(t *testing.T) {
	as := analyzers()
	for _, tt := range []struct {
		name, src string
		want      []string
	}{
		{"defaults", "version: \"1\"\n", nil},
		{"disable", "lint: {disable: [beta]}\n", []string{"-beta=false"}},
		{"enable", "lint: {enable: [beta, gamma], disable: [gamma]}\n", []string{"-alpha=false", "-gamma=false"}},
		{"settings", "lint:\n  settings:\n    alpha: {every: 2m, calls: [a.B, c.D]}\n", []string{"-alpha.calls=a.B,c.D", "-alpha.every=2m"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			l, err := Parse("durable.yaml", []byte(tt.src))
			if err != nil {
				t.Fatal(err)
			}
			got, err := l.Flags("durable.yaml", as)
			if err != nil || !slices.Equal(got, tt.want) {
				t.Errorf("Flags = %q, %v; want %q", got, err, tt.want)
			}
		})
	}
	// Checking a value leaves the flag as it was.
	if f := as[0].Flags.Lookup("every"); f.Value.String() != "1m0s" {
		t.Errorf("every = %s after checks", f.Value)
	}
}

func TestCheckErrors(t *testing.T) {
	src := `lint:
  enable: [alpha, sidefx]
  disable: [delta]
  severity: {default: note, epsilon: error}
  settings:
    alpha: {call: x, every: soon}
    beta: {x: 1}
    zeta: {x: 1}
`
	l, err := Parse("durable.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		`durable.yaml:2:19: lint.enable: unknown analyzer "sidefx" (known: alpha, beta, gamma)`,
		`durable.yaml:3:13: lint.disable: unknown analyzer "delta" (known: alpha, beta, gamma)`,
		`durable.yaml:4:29: lint.severity: unknown analyzer "epsilon" (known: alpha, beta, gamma)`,
		`durable.yaml:6:13: lint.settings.alpha.call: analyzer alpha has no flag "call" (its flags: calls, every)`,
		`durable.yaml:6:22: lint.settings.alpha.every: invalid value "soon": parse error`,
		`durable.yaml:7:12: lint.settings.beta.x: analyzer beta has no flag "x" (it has no flags)`,
		`durable.yaml:8:5: lint.settings: unknown analyzer "zeta" (known: alpha, beta, gamma)`,
	}
	if _, err := l.Flags("durable.yaml", analyzers()); err == nil || err.Error() != strings.Join(want, "\n") {
		t.Errorf("errors:\n%v\nwant:\n%s", err, strings.Join(want, "\n"))
	}
}

func TestArgsLastWins(t *testing.T) {
	as := analyzers()
	got := Args(as, func(n string) bool { return n != "gamma" }, []Assignment{
		{"alpha", "every", "1h"}, {"alpha", "calls", "x"}, {"alpha", "every", "2h"},
	})
	want := []string{"-gamma=false", "-alpha.calls=x", "-alpha.every=2h"}
	if !slices.Equal(got, want) {
		t.Errorf("Args = %q, want %q", got, want)
	}
}

func TestLevel(t *testing.T) {
	l, err := Parse("durable.yaml", []byte("lint: {severity: {alpha: note, default: warning}}\n"))
	if err != nil {
		t.Fatal(err)
	}
	if l.Level("alpha") != "note" || l.Level("beta") != "warning" || (&Lint{}).Level("alpha") != "" {
		t.Errorf("levels %q %q", l.Level("alpha"), l.Level("beta"))
	}
}

func TestFind(t *testing.T) {
	root := t.TempDir()
	mk := func(path, content string) {
		p := filepath.Join(root, path)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	mk("durable.yaml", "outside the module\n")
	mk("mod/go.mod", "module m\n")
	mk("mod/a/b/x.go", "package b\n")
	mk("mod/c/durable.yaml", "lint:\n")
	mk("mod/c/d/x.go", "package d\n")
	for _, tt := range []struct{ dir, want string }{
		{"mod/a/b", ""}, // the search stops at the module root
		{"mod/c/d", "mod/c/durable.yaml"},
		{"mod/c", "mod/c/durable.yaml"},
	} {
		got := Find(filepath.Join(root, tt.dir))
		if want := filepath.Join(root, tt.want); (tt.want == "" && got != "") || (tt.want != "" && got != want) {
			t.Errorf("Find(%s) = %q, want %q", tt.dir, got, tt.want)
		}
	}
	mk("mod/durable.yaml", "lint:\n")
	if got := Find(filepath.Join(root, "mod/a/b")); got != filepath.Join(root, "mod/durable.yaml") {
		t.Errorf("Find(mod/a/b) = %q", got)
	}
}
