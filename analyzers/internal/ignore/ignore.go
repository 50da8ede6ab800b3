package ignore

import (
	"fmt"
	"go/ast"
	"go/token"
	"strings"

	"golang.org/x/tools/go/analysis"
)

// Prefix starts a directive comment.
const Prefix = "//durable:ignore"

// Directive is one //durable:ignore comment.
type Directive struct {
	Pos, End token.Pos
	Analyzer string
	Reason   string
	// File, FromLine and ToLine give the lines it covers.
	File             *token.File
	FromLine, ToLine int
	used             bool
}

// Parse returns the directives in file, with the lines each covers.
func Parse(fset *token.FileSet, file *ast.File) []*Directive {
	var out []*Directive
	var code map[int]bool
	tf := fset.File(file.Pos())
	if tf == nil {
		return nil
	}
	// Function declarations, to widen directives found in their doc comments.
	docOf := make(map[*ast.CommentGroup]ast.Node)
	for _, d := range file.Decls {
		switch d := d.(type) {
		case *ast.FuncDecl:
			if d.Doc != nil {
				docOf[d.Doc] = d
			}
		case *ast.GenDecl:
			if d.Doc != nil {
				docOf[d.Doc] = d
			}
		}
	}
	for _, cg := range file.Comments {
		for _, c := range cg.List {
			if !strings.HasPrefix(c.Text, Prefix) {
				continue
			}
			rest := strings.TrimPrefix(c.Text, Prefix)
			if rest != "" && rest[0] != ' ' && rest[0] != '\t' {
				continue // e.g. //durable:ignored
			}
			if i := strings.Index(rest, "//"); i >= 0 {
				rest = rest[:i] // a comment after the directive is not its reason
			}
			fields := strings.Fields(rest)
			d := &Directive{Pos: c.Pos(), End: c.End(), File: tf}
			if len(fields) > 0 {
				d.Analyzer = fields[0]
				d.Reason = strings.Join(fields[1:], " ")
			}
			line := tf.Line(c.Pos())
			d.FromLine, d.ToLine = line, line
			if decl, ok := docOf[cg]; ok {
				d.ToLine = tf.Line(decl.End())
			} else {
				if code == nil {
					code = codeLines(tf, file)
				}
				if !code[line] {
					d.ToLine = line + 1
				}
			}
			out = append(out, d)
		}
	}
	return out
}

// codeLines returns the lines of file on which some code starts or ends.
func codeLines(tf *token.File, file *ast.File) map[int]bool {
	lines := make(map[int]bool)
	ast.Inspect(file, func(n ast.Node) bool {
		switch n.(type) {
		case nil, *ast.CommentGroup, *ast.Comment:
			return false
		case *ast.File:
			return true
		}
		lines[tf.Line(n.Pos())] = true
		if n.End() > n.Pos() {
			lines[tf.Line(n.End()-1)] = true
		}
		return true
	})
	return lines
}

// Reporter reports one analyzer's diagnostics, dropping those that a
// directive naming that analyzer covers.
type Reporter struct {
	pass       *analysis.Pass
	analyzer   string
	directives []*Directive
	// Count is the number of diagnostics reported (not silenced).
	Count int
}

// New parses the directives of the pass's files that name analyzer.
func New(pass *analysis.Pass, analyzer string) *Reporter {
	r := &Reporter{pass: pass, analyzer: analyzer}
	for _, f := range pass.Files {
		if !hasDirective(f) {
			continue
		}
		for _, d := range Parse(pass.Fset, f) {
			if d.Analyzer == analyzer {
				r.directives = append(r.directives, d)
			}
		}
	}
	return r
}

func hasDirective(f *ast.File) bool {
	for _, cg := range f.Comments {
		for _, c := range cg.List {
			if strings.HasPrefix(c.Text, Prefix) {
				return true
			}
		}
	}
	return false
}

// Silenced reports whether a finding at pos is silenced, and marks the
// directive that silences it as used.
func (r *Reporter) Silenced(pos token.Pos) bool {
	silenced := false
	for _, d := range r.directives {
		if d.Reason == "" || !pos.IsValid() || r.pass.Fset.File(pos) != d.File {
			continue
		}
		if line := d.File.Line(pos); line >= d.FromLine && line <= d.ToLine {
			d.used = true
			silenced = true
		}
	}
	return silenced
}

// Report reports d unless a directive silences it.
func (r *Reporter) Report(d analysis.Diagnostic) {
	if r.Silenced(d.Pos) {
		return
	}
	r.Count++
	r.pass.Report(d)
}

// Reportf reports a diagnostic at pos unless a directive silences it.
func (r *Reporter) Reportf(pos token.Pos, format string, args ...any) {
	r.Report(analysis.Diagnostic{Pos: pos, Message: fmt.Sprintf(format, args...)})
}

// Finish reports directives of this analyzer that have no reason, and those
// that silenced nothing. Call it once, after all findings are reported.
func (r *Reporter) Finish() {
	for _, d := range r.directives {
		switch {
		case d.Reason == "":
			r.pass.Report(analysis.Diagnostic{Pos: d.Pos, Category: "ignore",
				Message: fmt.Sprintf("//durable:ignore %s needs a reason: //durable:ignore %s <why this finding does not apply>", r.analyzer, r.analyzer)})
		case !d.used:
			r.pass.Report(analysis.Diagnostic{Pos: d.Pos, Category: "ignore",
				Message: fmt.Sprintf("//durable:ignore %s matches no %s finding; remove it", r.analyzer, r.analyzer),
				SuggestedFixes: []analysis.SuggestedFix{{
					Message:   "Remove the unused directive",
					TextEdits: []analysis.TextEdit{{Pos: d.Pos, End: d.End}},
				}}})
		}
	}
}

// UnknownAnalyzer returns an analyzer that reports directives naming none of
// known (typos silence nothing) and directives naming no analyzer at all.
// The suite includes it with the names of all its analyzers.
func UnknownAnalyzer(known []string) *analysis.Analyzer {
	set := make(map[string]bool, len(known))
	for _, k := range known {
		set[k] = true
	}
	return &analysis.Analyzer{
		Name: "durableignore",
		Doc:  unknownAnalyzerDoc,
		URL:  "https://github.com/durable-go/durable/blob/main/docs/analyzers/durableignore.md",
		Run: func(pass *analysis.Pass) (any, error) {
			for _, f := range pass.Files {
				if !hasDirective(f) {
					continue
				}
				for _, d := range Parse(pass.Fset, f) {
					switch {
					case d.Analyzer == "":
						pass.Reportf(d.Pos, "//durable:ignore needs an analyzer name and a reason: //durable:ignore <analyzer> <reason>")
					case !set[d.Analyzer]:
						pass.Reportf(d.Pos, "//durable:ignore names unknown analyzer %q", d.Analyzer)
					}
				}
			}
			return nil, nil
		},
	}
}
