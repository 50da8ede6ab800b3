package catalog

import (
	"strings"
	"testing"
)

func TestParseLint(t *testing.T) {
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
	l, err := ParseLint("durable.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(l.Disable, ",") != "stepid,goroutine" || len(l.DisablePos) != 2 || l.DisablePos[1] != (Pos{5, 21}) {
		t.Errorf("disable = %v at %v", l.Disable, l.DisablePos)
	}
	if len(l.Severity) != 2 || l.Severity[0] != (SeveritySetting{"default", "warning", Pos{7, 5}, Pos{7, 14}}) || l.Severity[1].Level != "error" {
		t.Errorf("severity = %+v", l.Severity)
	}
	if len(l.Settings) != 2 || l.Settings[0].Analyzer != "idempotency" || l.Settings[0].Flags[0].Value != "example.com/pay.Charge,example.com/mail.Send" {
		t.Fatalf("settings = %+v", l.Settings)
	}
	if f := l.Settings[1].Flags; len(f) != 2 || f[0].Value != "3" || f[1].Value != "true" || f[1].Pos != (Pos{12, 19}) {
		t.Errorf("other settings = %+v", f)
	}
}

func TestParseLintEmpty(t *testing.T) {
	for _, src := range []string{"", "version: \"1\"\n", "lint:\n"} {
		l, err := ParseLint("durable.yaml", []byte(src))
		if err != nil || len(l.Enable)+len(l.Disable)+len(l.Severity)+len(l.Settings) != 0 {
			t.Errorf("%q: %+v, %v", src, l, err)
		}
	}
}

func TestParseLintErrors(t *testing.T) {
	src := `lint:
  enabel: [x]
  disable: [Bad-Name]
  severity: {sideeffect: fatal, stepid: [error]}
  settings:
    idempotency: {calls: {a: b}}
    waittimeout: [x]
`
	_, err := ParseLint("durable.yaml", []byte(src))
	want := []string{
		`durable.yaml:2:3: lint: unknown key "enabel" (known keys: disable, enable, settings, severity)`,
		`durable.yaml:3:13: lint.disable[0]: "Bad-Name" is not an analyzer name`,
		`durable.yaml:4:26: lint.severity.sideeffect: unknown severity "fatal" (want error, warning or note)`,
		`durable.yaml:4:41: lint.severity.stepid: want a string, got a list`,
		`durable.yaml:6:26: lint.settings.idempotency.calls: want a string, number or boolean, got a mapping`,
		`durable.yaml:7:18: lint.settings.waittimeout: want a mapping, got a list`,
	}
	if err == nil || err.Error() != strings.Join(want, "\n") {
		t.Errorf("errors:\n%v\nwant:\n%s", err, strings.Join(want, "\n"))
	}
	if _, err := ParseLint("durable.yaml", []byte("lint: [\n")); err == nil || !strings.HasPrefix(err.Error(), "durable.yaml:") {
		t.Errorf("invalid YAML: %v", err)
	}
}

// TestParseReadsLint: the full catalog decoder accepts the lint section too.
func TestParseReadsLint(t *testing.T) {
	cfg, err := Parse("durable.yaml", []byte("version: \"1\"\noutput: {schemas: s}\nlint: {enable: [sideeffect]}\n"))
	if err != nil || len(cfg.Lint.Enable) != 1 {
		t.Fatalf("%+v, %v", cfg, err)
	}
	if _, err := Parse("durable.yaml", []byte("version: \"1\"\noutput: {schemas: s}\nlint: {severity: {x: bad}}\n")); err == nil {
		t.Error("bad severity accepted by Parse")
	}
}
