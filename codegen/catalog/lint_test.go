package catalog

import (
	"strings"
	"testing"
)

// TestParseReadsLint: the full catalog decoder reads the lint section
// through analyzers/lintconfig, with its errors at their positions.
func TestParseReadsLint(t *testing.T) {
	cfg, err := Parse("durable.yaml", []byte("version: \"1\"\noutput: {schemas: s}\nlint: {enable: [sideeffect]}\n"))
	if err != nil || len(cfg.Lint.Enable) != 1 || cfg.Lint.EnablePos[0].Line != 3 {
		t.Fatalf("%+v, %v", cfg, err)
	}
	_, err = Parse("durable.yaml", []byte("version: \"1\"\noutput: {schemas: s}\nlint: {severity: {x: bad}}\n"))
	if want := `durable.yaml:3:22: lint.severity.x: unknown severity "bad" (want error, warning or note)`; err == nil || !strings.Contains(err.Error(), want) {
		t.Errorf("bad severity: %v, want %s", err, want)
	}
}
