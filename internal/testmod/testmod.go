// Package testmod writes throwaway Go modules that use this checkout of
// durable, for the tests and benchmarks of the generator and the CLI.
package testmod

import (
	"os"
	"path/filepath"
	"regexp"
	"testing"
)

// Env is the environment in which the go command works on such a module
// offline: its go.mod already lists every requirement, so nothing is
// looked up.
func Env() []string {
	return append(os.Environ(), "GOPROXY=off", "GOWORK=off")
}

var moduleLine = regexp.MustCompile(`(?m)^module .*$`)

// Write creates the module modPath in a new temporary directory with the
// given files (slash-separated paths relative to the module root) and
// returns the directory. Its go.mod requires durable, replaced by the
// checkout at root, with durable's own requirements copied so that the
// module graph is complete without a network (a fresh module graph would
// otherwise need go.mod files that building durable never downloads).
func Write(tb testing.TB, root, modPath string, files map[string]string) string {
	tb.Helper()
	dir := tb.TempDir()
	gomod, err := os.ReadFile(filepath.Join(root, "go.mod"))
	if err != nil {
		tb.Fatal(err)
	}
	gosum, err := os.ReadFile(filepath.Join(root, "go.sum"))
	if err != nil {
		tb.Fatal(err)
	}
	mod := moduleLine.ReplaceAllLiteral(gomod, []byte("module "+modPath))
	mod = append(mod, "\nrequire github.com/durable-go/durable v0.0.0\n\nreplace github.com/durable-go/durable => "+root+"\n"...)
	all := map[string]string{"go.mod": string(mod), "go.sum": string(gosum)}
	for name, data := range files {
		all[name] = data
	}
	for name, data := range all {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			tb.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
			tb.Fatal(err)
		}
	}
	return dir
}
