package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"runtime/debug"
	"strings"
	"unicode/utf16"
	"unicode/utf8"

	"golang.org/x/tools/go/analysis"

	"github.com/durable-go/durable/analyzers/suite"
)

func writeJSON(w io.Writer, findings []*finding) error {
	if findings == nil {
		findings = []*finding{}
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(struct {
		Findings []*finding `json:"findings"`
	}{findings})
}

// SARIF 2.1.0, the subset durable lint writes.
// https://docs.oasis-open.org/sarif/sarif/v2.1.0/sarif-v2.1.0.html

const (
	sarifSchema  = "https://json.schemastore.org/sarif-2.1.0.json"
	sarifVersion = "2.1.0"
	srcRoot      = "%SRCROOT%"
)

type sarifLog struct {
	Schema  string     `json:"$schema"`
	Version string     `json:"version"`
	Runs    []sarifRun `json:"runs"`
}

type sarifRun struct {
	Tool               sarifTool                   `json:"tool"`
	Invocations        []sarifInvocation           `json:"invocations,omitempty"`
	OriginalURIBaseIDs map[string]sarifArtifactLoc `json:"originalUriBaseIds,omitempty"`
	Results            []sarifResult               `json:"results"`
	ColumnKind         string                      `json:"columnKind"`
}

type sarifTool struct {
	Driver sarifDriver `json:"driver"`
}

type sarifDriver struct {
	Name            string      `json:"name"`
	InformationURI  string      `json:"informationUri"`
	Version         string      `json:"version,omitempty"`
	SemanticVersion string      `json:"semanticVersion,omitempty"`
	Rules           []sarifRule `json:"rules"`
}

// sarifInvocation records how this run was configured: the rules whose
// level or enablement durable.yaml or the flags changed from their defaults.
type sarifInvocation struct {
	ExecutionSuccessful        bool                         `json:"executionSuccessful"`
	RuleConfigurationOverrides []sarifConfigurationOverride `json:"ruleConfigurationOverrides,omitempty"`
}

type sarifConfigurationOverride struct {
	Descriptor    sarifDescriptorRef `json:"descriptor"`
	Configuration sarifRuleConfig    `json:"configuration"`
}

type sarifDescriptorRef struct {
	ID    string `json:"id"`
	Index int    `json:"index"`
}

type sarifRule struct {
	ID string `json:"id"`
	// Name is a readable identifier for the rule; omitted when it would only
	// repeat ID.
	Name                 string            `json:"name,omitempty"`
	ShortDescription     sarifMessage      `json:"shortDescription"`
	FullDescription      sarifMessage      `json:"fullDescription"`
	Help                 sarifMultiMessage `json:"help"`
	HelpURI              string            `json:"helpUri,omitempty"`
	DefaultConfiguration sarifRuleConfig   `json:"defaultConfiguration"`
	Properties           map[string]any    `json:"properties,omitempty"`
}

type sarifRuleConfig struct {
	Level   string `json:"level"`
	Enabled bool   `json:"enabled"`
}

type sarifMessage struct {
	Text string `json:"text"`
}

type sarifMultiMessage struct {
	Text     string `json:"text"`
	Markdown string `json:"markdown,omitempty"`
}

type sarifResult struct {
	RuleID           string          `json:"ruleId"`
	RuleIndex        int             `json:"ruleIndex"`
	Level            string          `json:"level"`
	Message          sarifMessage    `json:"message"`
	Locations        []sarifLocation `json:"locations"`
	RelatedLocations []sarifLocation `json:"relatedLocations,omitempty"`
	Fixes            []sarifFix      `json:"fixes,omitempty"`
	Properties       map[string]any  `json:"properties,omitempty"`
}

type sarifLocation struct {
	ID               *int                  `json:"id,omitempty"`
	PhysicalLocation sarifPhysicalLocation `json:"physicalLocation"`
	Message          *sarifMessage         `json:"message,omitempty"`
}

type sarifPhysicalLocation struct {
	ArtifactLocation sarifArtifactLoc `json:"artifactLocation"`
	Region           sarifRegion      `json:"region"`
}

type sarifArtifactLoc struct {
	URI       string `json:"uri"`
	URIBaseID string `json:"uriBaseId,omitempty"`
}

type sarifRegion struct {
	StartLine   int `json:"startLine"`
	StartColumn int `json:"startColumn,omitempty"`
	EndLine     int `json:"endLine,omitempty"`
	EndColumn   int `json:"endColumn,omitempty"`
}

type sarifFix struct {
	Description     sarifMessage          `json:"description"`
	ArtifactChanges []sarifArtifactChange `json:"artifactChanges"`
}

type sarifArtifactChange struct {
	ArtifactLocation sarifArtifactLoc   `json:"artifactLocation"`
	Replacements     []sarifReplacement `json:"replacements"`
}

type sarifReplacement struct {
	DeletedRegion   sarifRegion  `json:"deletedRegion"`
	InsertedContent sarifMessage `json:"insertedContent"`
}

// columns converts go/token byte columns to the UTF-16 code unit columns
// SARIF counts by default, reading each file (relative to root) once.
type columns struct {
	root  string
	lines map[string][][]byte
}

func (c columns) utf16(file string, line, col int) int {
	lines, ok := c.lines[file]
	if !ok {
		path := file
		if !filepath.IsAbs(path) {
			path = filepath.Join(c.root, path)
		}
		data, err := os.ReadFile(path)
		if err == nil {
			lines = bytes.Split(data, []byte("\n"))
		}
		c.lines[file] = lines
	}
	if line < 1 || line > len(lines) || col < 1 {
		return col
	}
	prefix := lines[line-1]
	if col-1 < len(prefix) {
		prefix = prefix[:col-1]
	}
	n := 1
	for len(prefix) > 0 {
		r, size := utf8.DecodeRune(prefix)
		prefix = prefix[size:]
		n += len(utf16.Encode([]rune{r}))
	}
	return n
}

// artifact locates file relative to %SRCROOT% (the module root, which
// code scanning takes for the repository root) when it is under it.
func artifact(file string) sarifArtifactLoc {
	if !filepath.IsAbs(file) {
		return sarifArtifactLoc{URI: (&url.URL{Path: filepath.ToSlash(file)}).String(), URIBaseID: srcRoot}
	}
	return sarifArtifactLoc{URI: (&url.URL{Scheme: "file", Path: filepath.ToSlash(file)}).String()}
}

func (c columns) region(p position, end *position) sarifRegion {
	r := sarifRegion{StartLine: p.Line, StartColumn: c.utf16(p.File, p.Line, p.Column)}
	if end != nil && end.Line > 0 {
		r.EndLine = end.Line
		r.EndColumn = c.utf16(end.File, end.Line, end.Column)
	}
	return r
}

// sarifText is a finding's message for code scanning, which shows no
// related locations in its alert list: the related information (the call
// chain, the other step with the same ID...) is spelled out in the text.
func sarifText(f *finding) string {
	if len(f.Related) == 0 {
		return f.Message
	}
	var b strings.Builder
	b.WriteString(f.Message)
	b.WriteString("\n")
	for i, r := range f.Related {
		fmt.Fprintf(&b, "\n%d. %s:%d:%d: %s", i+1, filepath.ToSlash(r.Pos.File), r.Pos.Line, r.Pos.Column, r.Message)
	}
	return b.String()
}

// writeSARIF writes the findings, whose paths are relative to root (the
// module root, %SRCROOT%), as a SARIF 2.1.0 log.
func writeSARIF(w io.Writer, root string, findings []*finding, s *lintSettings, all []*analysis.Analyzer) error {
	run := sarifRun{
		Tool: sarifTool{Driver: sarifDriver{
			Name:           "durable",
			InformationURI: "https://github.com/durable-go/durable",
		}},
		Results:    []sarifResult{},
		ColumnKind: "utf16CodeUnits",
	}
	run.Tool.Driver.Version, run.Tool.Driver.SemanticVersion = sarifToolVersion(buildVersion())
	run.OriginalURIBaseIDs = map[string]sarifArtifactLoc{
		srcRoot: {URI: (&url.URL{Scheme: "file", Path: filepath.ToSlash(root) + "/"}).String()},
	}
	enabled := map[string]bool{}
	for _, a := range s.analyzers {
		enabled[a.Name] = true
	}
	index := map[string]int{}
	inv := sarifInvocation{ExecutionSuccessful: true}
	for _, a := range all {
		i := len(run.Tool.Driver.Rules)
		index[a.Name] = i
		// The default configuration is the rule's metadata; what this run's
		// settings change is an override of the invocation.
		def := sarifRuleConfig{Level: string(suite.SeverityError), Enabled: true}
		tags := []string{"durable"}
		if r, ok := suite.Lookup(a.Name); ok {
			def.Level = string(r.Severity)
			tags = append(tags, r.Category)
		}
		if cur := (sarifRuleConfig{Level: s.level(a.Name, ""), Enabled: enabled[a.Name]}); cur != def {
			inv.RuleConfigurationOverrides = append(inv.RuleConfigurationOverrides, sarifConfigurationOverride{
				Descriptor:    sarifDescriptorRef{ID: a.Name, Index: i},
				Configuration: cur,
			})
		}
		// The full description is the summary and the paragraph after it.
		paras := strings.SplitN(a.Doc, "\n\n", 3)
		full := summary(a)
		if len(paras) > 1 && !strings.HasPrefix(paras[1], "#") {
			full += ". " + paras[1]
		}
		help := a.Doc
		if a.URL != "" {
			help += "\n\nDocumentation: " + a.URL
		}
		run.Tool.Driver.Rules = append(run.Tool.Driver.Rules, sarifRule{
			ID:                   a.Name,
			ShortDescription:     sarifMessage{Text: summary(a)},
			FullDescription:      sarifMessage{Text: strings.Join(strings.Fields(full), " ")},
			Help:                 sarifMultiMessage{Text: help, Markdown: docMarkdown(a)},
			HelpURI:              a.URL,
			DefaultConfiguration: def,
			Properties:           map[string]any{"tags": tags},
		})
	}
	run.Invocations = []sarifInvocation{inv}
	cols := columns{root: root, lines: map[string][][]byte{}}
	for _, f := range findings {
		res := sarifResult{
			RuleID:    f.Analyzer,
			RuleIndex: index[f.Analyzer],
			Level:     f.Severity,
			Message:   sarifMessage{Text: sarifText(f)},
			Locations: []sarifLocation{{PhysicalLocation: sarifPhysicalLocation{
				ArtifactLocation: artifact(f.Pos.File),
				Region:           cols.region(f.Pos, f.End),
			}}},
		}
		if f.Category != "" {
			res.Properties = map[string]any{"category": f.Category}
		}
		for i, r := range f.Related {
			id := i + 1
			res.RelatedLocations = append(res.RelatedLocations, sarifLocation{
				ID: &id,
				PhysicalLocation: sarifPhysicalLocation{
					ArtifactLocation: artifact(r.Pos.File),
					Region:           cols.region(r.Pos, nil),
				},
				Message: &sarifMessage{Text: r.Message},
			})
		}
		for _, fx := range f.Fixes {
			sf := sarifFix{Description: sarifMessage{Text: fx.Message}}
			byFile := map[string]int{}
			for _, e := range fx.Edits {
				i, ok := byFile[e.File]
				if !ok {
					i = len(sf.ArtifactChanges)
					byFile[e.File] = i
					sf.ArtifactChanges = append(sf.ArtifactChanges, sarifArtifactChange{ArtifactLocation: artifact(e.File)})
				}
				end := e.End
				sf.ArtifactChanges[i].Replacements = append(sf.ArtifactChanges[i].Replacements, sarifReplacement{
					DeletedRegion:   cols.region(e.Start, &end),
					InsertedContent: sarifMessage{Text: e.NewText},
				})
			}
			res.Fixes = append(res.Fixes, sf)
		}
		run.Results = append(run.Results, res)
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(sarifLog{Schema: sarifSchema, Version: sarifVersion, Runs: []sarifRun{run}})
}

// docMarkdown is an analyzer's documentation as Markdown for code
// scanning's rule help: its summary, its body and a link to its page.
func docMarkdown(a *analysis.Analyzer) string {
	var b strings.Builder
	r, ok := suite.Lookup(a.Name)
	if !ok { // not one of the suite's: its Doc as it is
		b.WriteString(a.Doc + "\n")
	} else {
		b.WriteString(r.Summary() + "\n\n" + r.BodyMarkdown(2))
	}
	if a.URL != "" {
		fmt.Fprintf(&b, "\n[Documentation](%s)\n", a.URL)
	}
	return b.String()
}

// buildVersion is the module version the binary was built at, with the VCS
// revision and whether the tree was modified when the build recorded them.
func buildVersion() (version, revision string, modified bool) {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return "", "", false
	}
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			revision = s.Value
		case "vcs.modified":
			modified = s.Value == "true"
		}
	}
	return bi.Main.Version, revision, modified
}

var (
	// releaseVersion is a module version that names a tag: semver with no
	// build metadata (+dirty) ...
	releaseVersion = regexp.MustCompile(`^v(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)(-[0-9A-Za-z.-]+)?$`)
	// ... that is not a pseudo-version (a timestamp and a commit hash).
	pseudoVersion = regexp.MustCompile(`[-.][0-9]{14}-[0-9a-f]{12}$`)
	// moduleVersion is any semver module version the go command records:
	// tags, pseudo-versions, either with +dirty or +incompatible.
	moduleVersion = regexp.MustCompile(`^v(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)(-[0-9A-Za-z.-]+)?(\+[0-9A-Za-z.-]+)?$`)
)

// sarifToolVersion is tool.driver's version and semanticVersion for a binary
// built at module version v: a release tag gives both as its numbers
// ("1.2.0"); any other build gives only a semanticVersion that sorts before
// the release it leads to: a pseudo-version or a modified tag as the go
// command recorded it, else 0.0.0-devel with the revision as build metadata.
func sarifToolVersion(v, revision string, modified bool) (version, semanticVersion string) {
	if releaseVersion.MatchString(v) && !pseudoVersion.MatchString(v) && !modified {
		n := strings.TrimPrefix(v, "v")
		return n, n
	}
	if moduleVersion.MatchString(v) {
		semanticVersion = strings.TrimPrefix(v, "v")
		if modified && !strings.Contains(semanticVersion, "+") {
			semanticVersion += "+dirty"
		}
		return "", semanticVersion
	}
	semanticVersion = "0.0.0-devel"
	var meta []string
	if len(revision) >= 12 {
		meta = append(meta, revision[:12])
	} else if revision != "" {
		meta = append(meta, revision)
	}
	if modified {
		meta = append(meta, "dirty")
	}
	if len(meta) > 0 {
		semanticVersion += "+" + strings.Join(meta, ".")
	}
	return "", semanticVersion
}
