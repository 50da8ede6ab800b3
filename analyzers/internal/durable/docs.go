package durable

import "strings"

// DocsBaseURL is where the analyzers' pages live: docs/analyzers/<name>.md,
// generated from each analyzer's doc.go (see analyzers/suite), with an index
// at docs/analyzers/README.md.
const DocsBaseURL = "https://github.com/durable-go/durable/blob/main/docs/analyzers/"

// DocURL returns the help URL of the analyzer name: its page under
// docs/analyzers, which exists in the repository for every analyzer of the
// suite (a test in analyzers/suite keeps them in step).
func DocURL(name string) string { return DocsBaseURL + name + ".md" }

// ExtractDoc returns the package comment from its "# Analyzer <name>" heading on
// (the source of a doc.go, usually embedded with //go:embed), without the
// comment markers, for use as an analysis.Analyzer's Doc. It panics if the
// section is missing, so that a broken doc.go fails every test at once.
func ExtractDoc(src, name string) string {
	marker := "// # Analyzer " + name + "\n"
	start := strings.Index(src, marker)
	end := strings.Index(src, "\npackage ")
	if start < 0 || end < start {
		panic("doc.go has no \"# Analyzer " + name + "\" section")
	}
	var b strings.Builder
	for _, line := range strings.Split(src[start+len(marker):end], "\n") {
		line = strings.TrimPrefix(line, "//")
		line = strings.TrimPrefix(line, " ")
		b.WriteString(line + "\n")
	}
	return strings.TrimSpace(b.String())
}
