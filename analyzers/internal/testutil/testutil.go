// Package testutil runs analysistest over an analyzer's own fixtures
// together with the stubs of the durable APIs kept in one place,
// analyzers/internal/testdata/src (this module's runtime and step packages,
// the Inngest Go SDK, github.com/google/uuid).
//
// analysistest loads GOPATH-style trees from a single directory, so Run
// copies the stubs and the caller's testdata/src into a temporary GOPATH.
// Diagnostics therefore name files under that temporary directory.
package testutil

import (
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"testing"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/analysis/analysistest"
)

// StubsDir is the directory holding the shared stubs (a GOPATH root).
func StubsDir() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "testdata")
}

// GOPATH returns a temporary GOPATH holding the shared stubs and the
// packages of the given testdata directories (each a GOPATH root with a src
// subdirectory); later directories win on conflicts.
func GOPATH(t testing.TB, dirs ...string) string {
	t.Helper()
	root := t.TempDir()
	for _, d := range append([]string{StubsDir()}, dirs...) {
		if err := copyTree(filepath.Join(d, "src"), filepath.Join(root, "src")); err != nil {
			t.Fatalf("preparing testdata: %v", err)
		}
	}
	return root
}

func copyTree(from, to string) error {
	return filepath.WalkDir(from, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(from, path)
		if err != nil {
			return err
		}
		dst := filepath.Join(to, rel)
		if d.IsDir() {
			return os.MkdirAll(dst, 0o755)
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		return os.WriteFile(dst, data, 0o644)
	})
}

// Run runs analysistest.Run for a over the packages matching patterns in
// ./testdata/src plus the shared stubs.
func Run(t *testing.T, a *analysis.Analyzer, patterns ...string) []*analysistest.Result {
	t.Helper()
	return analysistest.Run(t, GOPATH(t, analysistest.TestData()), a, patterns...)
}

// RunWithSuggestedFixes is Run that also checks suggested fixes against
// the .golden files next to the fixtures.
func RunWithSuggestedFixes(t *testing.T, a *analysis.Analyzer, patterns ...string) []*analysistest.Result {
	t.Helper()
	return analysistest.RunWithSuggestedFixes(t, GOPATH(t, analysistest.TestData()), a, patterns...)
}
