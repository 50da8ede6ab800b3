package suite

import (
	"go/doc/comment"
	"strings"
)

// Summary is the first paragraph of the analyzer's Doc without the
// "<name>: " it starts with: one line saying what it reports.
func (r Rule) Summary() string {
	first, _, _ := strings.Cut(r.Analyzer.Doc, "\n\n")
	first = strings.TrimPrefix(first, r.Analyzer.Name+":")
	return strings.Join(strings.Fields(first), " ")
}

// Body is the analyzer's Doc after its summary, in doc comment syntax
// (go/doc/comment): what it reports, why it matters and how to fix it.
// It is empty when the analyzer documents nothing beyond its summary.
func (r Rule) Body() string {
	_, rest, _ := strings.Cut(r.Analyzer.Doc, "\n\n")
	return strings.TrimSpace(rest)
}

// BodyMarkdown is Body as Markdown, its headings at level headingLevel and
// without anchors (renderers such as GitHub's make their own).
func (r Rule) BodyMarkdown(headingLevel int) string {
	var p comment.Parser
	pr := comment.Printer{HeadingLevel: headingLevel, HeadingID: func(*comment.Heading) string { return "" }}
	return string(pr.Markdown(p.Parse(r.Body())))
}
