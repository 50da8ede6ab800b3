package gclplugin

import (
	"strings"
	"testing"

	"github.com/golangci/plugin-module-register/register"

	"github.com/durable-go/durable/analyzers/idempotency"
	"github.com/durable-go/durable/analyzers/suite"
)

func names(p register.LinterPlugin) string {
	as, _ := p.BuildAnalyzers()
	var ns []string
	for _, a := range as {
		ns = append(ns, a.Name)
	}
	return strings.Join(ns, ",")
}

func TestRegistered(t *testing.T) {
	newPlugin, err := register.GetPlugin("durable")
	if err != nil {
		t.Fatal(err)
	}
	p, err := newPlugin(nil)
	if err != nil {
		t.Fatal(err)
	}
	if p.GetLoadMode() != register.LoadModeTypesInfo {
		t.Errorf("load mode %q", p.GetLoadMode())
	}
	as, _ := p.BuildAnalyzers()
	if len(as) != len(suite.Analyzers()) {
		t.Errorf("%d analyzers, want the whole suite (%d)", len(as), len(suite.Analyzers()))
	}
}

func TestSettings(t *testing.T) {
	defer idempotency.Analyzer.Flags.Set("calls", "")
	// As golangci-lint passes them: decoded YAML, maps of any.
	p, err := New(map[string]any{
		"disable":  []any{"stepid", "goroutine"},
		"settings": map[string]any{"idempotency": map[string]any{"calls": []any{"a.B", "c.D"}}},
	})
	if err != nil {
		t.Fatal(err)
	}
	if n := names(p); strings.Contains(n, "stepid") || strings.Contains(n, "goroutine") || !strings.Contains(n, "sideeffect") {
		t.Errorf("analyzers %s", n)
	}
	if got := idempotency.Analyzer.Flags.Lookup("calls").Value.String(); got != "a.B,c.D" {
		t.Errorf("idempotency -calls = %q", got)
	}
	p, err = New(map[string]any{"enable": []any{"waittimeout", "sideeffect"}})
	if err != nil || names(p) != "sideeffect,waittimeout" {
		t.Errorf("enable: %v %v", names(p), err)
	}
}

func TestSettingsStrict(t *testing.T) {
	for _, tt := range []struct {
		conf any
		want string
	}{
		{map[string]any{"disabel": []any{"x"}}, `unknown field "disabel"`},
		{map[string]any{"enable": "sideeffect"}, "cannot unmarshal string"},
		{map[string]any{"enable": []any{"sidefx"}}, `enable: unknown analyzer "sidefx" (known: sideeffect,`},
		{map[string]any{"disable": []any{"nope"}}, `disable: unknown analyzer "nope"`},
		{map[string]any{"settings": map[string]any{"nope": map[string]any{}}}, `settings: unknown analyzer "nope"`},
		{map[string]any{"settings": map[string]any{"idempotency": map[string]any{"call": "x"}}}, `settings.idempotency.call: analyzer idempotency has no flag "call" (its flags: calls)`},
		{map[string]any{"settings": map[string]any{"idempotency": map[string]any{"calls": map[string]any{}}}}, `settings.idempotency.calls: want a string, number, boolean or a list of them`},
		{map[string]any{"enable": []any{"sideeffect"}, "disable": []any{"sideeffect"}}, "every analyzer is disabled"},
	} {
		_, err := New(tt.conf)
		if err == nil || !strings.Contains(err.Error(), tt.want) || !strings.HasPrefix(err.Error(), "durable: ") {
			t.Errorf("%v: error %v, want %q", tt.conf, err, tt.want)
		}
	}
}

func TestFlagText(t *testing.T) {
	for _, tt := range []struct {
		v    any
		want string
	}{{"x", "x"}, {true, "true"}, {float64(3), "3"}, {1.5, "1.5"}, {[]any{"a", 2.0, false}, "a,2,false"}} {
		if got, err := flagText(tt.v); err != nil || got != tt.want {
			t.Errorf("flagText(%v) = %q, %v", tt.v, got, err)
		}
	}
	if _, err := flagText([]any{[]any{"a"}}); err == nil {
		t.Error("list of lists accepted")
	}
	if _, err := flagText(nil); err == nil {
		t.Error("null accepted")
	}
}
