package main

import (
	"encoding/json"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/durable-go/durable/analyzers/suite"
)

// semVer is Semantic Versioning 2.0's grammar (semver.org's regular expression).
var semVer = regexp.MustCompile(`^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-((?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*)(?:\.(?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?(?:\+([0-9a-zA-Z-]+(?:\.[0-9a-zA-Z-]+)*))?$`)

func TestSARIFToolVersion(t *testing.T) {
	for _, tc := range []struct {
		name               string
		version, revision  string
		modified           bool
		wantVersion, wantS string
	}{
		{"tag", "v1.2.0", "0123456789abcdef", false, "1.2.0", "1.2.0"},
		{"prerelease tag", "v0.3.0-rc.1", "", false, "0.3.0-rc.1", "0.3.0-rc.1"},
		{"tag, modified tree", "v1.2.0+dirty", "0123456789abcdef", true, "", "1.2.0+dirty"},
		{"tag, modified, no +dirty recorded", "v1.2.0", "0123456789abcdef", true, "", "1.2.0+dirty"},
		{"pseudo-version", "v0.0.0-20261130042809-6c53b2c1a2b3", "6c53b2c1a2b3", false, "", "0.0.0-20261130042809-6c53b2c1a2b3"},
		{"pseudo-version after a tag", "v1.2.1-0.20261130042809-6c53b2c1a2b3", "6c53b2c1a2b3", false, "", "1.2.1-0.20261130042809-6c53b2c1a2b3"},
		{"pseudo-version, modified", "v0.0.0-20261130042809-6c53b2c1a2b3+dirty", "6c53b2c1a2b3", true, "", "0.0.0-20261130042809-6c53b2c1a2b3+dirty"},
		{"devel with revision", "(devel)", "6c53b2c1a2b3d4e5f6", false, "", "0.0.0-devel+6c53b2c1a2b3"},
		{"devel, modified", "(devel)", "6c53b2c1a2b3d4e5f6", true, "", "0.0.0-devel+6c53b2c1a2b3.dirty"},
		{"nothing recorded", "", "", false, "", "0.0.0-devel"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			v, s := sarifToolVersion(tc.version, tc.revision, tc.modified)
			if v != tc.wantVersion || s != tc.wantS {
				t.Errorf("sarifToolVersion(%q, %q, %v) = %q, %q; want %q, %q", tc.version, tc.revision, tc.modified, v, s, tc.wantVersion, tc.wantS)
			}
			if !semVer.MatchString(s) {
				t.Errorf("semanticVersion %q is not SemVer 2.0", s)
			}
		})
	}
}

// officialSARIFSchema is the official SARIF 2.1.0 schema (see testdata/sarif/README.md).
func officialSARIFSchema(t *testing.T) *jsonschema.Schema {
	t.Helper()
	f, err := os.Open("testdata/sarif/sarif-schema-2.1.0.json")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	doc, err := jsonschema.UnmarshalJSON(f)
	if err != nil {
		t.Fatal(err)
	}
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	const url = "file:///sarif-schema-2.1.0.json"
	if err := c.AddResource(url, doc); err != nil {
		t.Fatal(err)
	}
	sch, err := c.Compile(url)
	if err != nil {
		t.Fatal(err)
	}
	return sch
}

// TestSARIFSchema: durable lint's SARIF is valid against the official
// schema, and its rules carry the suite's metadata: default levels from
// suite.Rules, what durable.yaml changes as invocation overrides, no name
// that repeats the id.
func TestSARIFSchema(t *testing.T) {
	sch := officialSARIFSchema(t)
	dir := lintFixture(t, map[string]string{"durable.yaml": "lint:\n  disable: [stepid]\n  severity: {waittimeout: warning}\n"})
	code, out, errs := runIn(t, dir, "lint", "--format", "sarif")
	if code != 1 {
		t.Fatalf("code %d\n%s", code, errs)
	}
	doc, err := jsonschema.UnmarshalJSON(strings.NewReader(out))
	if err != nil {
		t.Fatal(err)
	}
	if err := sch.Validate(doc); err != nil {
		t.Fatalf("durable lint's SARIF does not match the SARIF 2.1.0 schema: %v", err)
	}

	var log struct {
		Runs []struct {
			Tool struct {
				Driver struct {
					Version, SemanticVersion string
					Rules                    []map[string]any
				}
			}
			Invocations []struct {
				ExecutionSuccessful        bool
				RuleConfigurationOverrides []struct {
					Descriptor struct {
						ID    string
						Index int
					}
					Configuration struct {
						Level   string
						Enabled bool
					}
				}
			}
		}
	}
	if err := json.Unmarshal([]byte(out), &log); err != nil {
		t.Fatal(err)
	}
	run := log.Runs[0]
	if d := run.Tool.Driver; !semVer.MatchString(d.SemanticVersion) {
		t.Errorf("driver version %q, semanticVersion %q: want a SemVer semanticVersion", d.Version, d.SemanticVersion)
	}
	rules := suite.Rules()
	if len(run.Tool.Driver.Rules) != len(rules) {
		t.Fatalf("%d rules, want %d", len(run.Tool.Driver.Rules), len(rules))
	}
	for i, r := range rules {
		got := run.Tool.Driver.Rules[i]
		if got["id"] != r.Analyzer.Name {
			t.Errorf("rule %d is %v, want %s", i, got["id"], r.Analyzer.Name)
		}
		if _, ok := got["name"]; ok {
			t.Errorf("rule %s has a name, which only repeats its id", r.Analyzer.Name)
		}
		def, _ := got["defaultConfiguration"].(map[string]any)
		if def["level"] != string(r.Severity) || def["enabled"] != true {
			t.Errorf("rule %s: defaultConfiguration %v, want level %s, enabled", r.Analyzer.Name, def, r.Severity)
		}
		tags, _ := got["properties"].(map[string]any)["tags"].([]any)
		if len(tags) != 2 || tags[1] != r.Category {
			t.Errorf("rule %s: tags %v, want durable and its category %s", r.Analyzer.Name, tags, r.Category)
		}
	}
	if len(run.Invocations) != 1 || !run.Invocations[0].ExecutionSuccessful {
		t.Fatalf("invocations %+v, want one, successful", run.Invocations)
	}
	overrides := map[string]string{}
	for _, o := range run.Invocations[0].RuleConfigurationOverrides {
		if rules[o.Descriptor.Index].Analyzer.Name != o.Descriptor.ID {
			t.Errorf("override of %s points at rule %d", o.Descriptor.ID, o.Descriptor.Index)
		}
		overrides[o.Descriptor.ID] = o.Configuration.Level
		if !o.Configuration.Enabled {
			overrides[o.Descriptor.ID] += ", disabled"
		}
	}
	want := map[string]string{"waittimeout": "warning", "stepid": "error, disabled"}
	for name, w := range want {
		if overrides[name] != w {
			t.Errorf("override of %s: %q, want %q (all: %v)", name, overrides[name], w, overrides)
		}
	}
	for name := range overrides {
		if _, ok := want[name]; !ok {
			t.Errorf("override of %s, which durable.yaml leaves at its default (all: %v)", name, overrides)
		}
	}
}
