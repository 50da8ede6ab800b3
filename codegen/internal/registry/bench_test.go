package registry

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// benchModule writes a module of n packages, each with three files, one of
// which declares a durable function.
func benchModule(b *testing.B, n int) string {
	b.Helper()
	dir := b.TempDir()
	write := func(name, data string) {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			b.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
			b.Fatal(err)
		}
	}
	// A realistic module: it requires durable (replaced by this checkout)
	// and has a go.sum, so that go list resolves every import.
	root, err := filepath.Abs(filepath.Join("..", "..", ".."))
	if err != nil {
		b.Fatal(err)
	}
	write("go.mod", "module example.com/bench\n\ngo 1.26.0\n\nrequire github.com/durable-go/durable v0.0.0\n\nreplace github.com/durable-go/durable => "+root+"\n")
	sum, err := os.ReadFile(filepath.Join(root, "go.sum"))
	if err != nil {
		b.Fatal(err)
	}
	write("go.sum", string(sum))
	for i := range n {
		pkg := fmt.Sprintf("p%03d", i)
		write(pkg+"/fn.go", fmt.Sprintf(`package %s

import (
	"context"

	"github.com/durable-go/durable/runtime"
)

const id = "fn-%03d"

var Fn = runtime.NewFunction(runtime.FunctionOpts{ID: id}, runtime.EventTrigger("a/b.c", ""),
	func(ctx context.Context, in runtime.Input[map[string]any]) (any, error) { return helper(in.RunID), nil })
`, pkg, i))
		write(pkg+"/helper.go", fmt.Sprintf("package %s\n\nimport \"strings\"\n\nfunc helper(s string) string { return strings.ToUpper(s) }\n", pkg))
		write(pkg+"/types.go", fmt.Sprintf("package %s\n\n// T is a type.\ntype T struct{ A, B int }\n\nfunc (t T) Sum() int { return t.A + t.B }\n", pkg))
		write(pkg+"/fn_test.go", fmt.Sprintf("package %s\n\nimport \"testing\"\n\nfunc TestX(t *testing.T) {}\n", pkg))
	}
	return dir
}

// BenchmarkScan200 compares the registry scan of a 200-package module with
// `go list ./...` on the same module (the floor: the scan costs at most
// 1.5x go list).
func BenchmarkScan200(b *testing.B) {
	dir := benchModule(b, 200)
	env := append(os.Environ(), "GOFLAGS=-mod=mod", "GOPROXY=off", "GOWORK=off")
	// Settle go.mod (-mod=mod adds the missing requirements) before timing.
	tidy := exec.Command("go", "list", "./...")
	tidy.Dir, tidy.Env = dir, env
	if out, err := tidy.CombinedOutput(); err != nil {
		b.Fatalf("%v\n%s", err, out)
	}
	b.Run("scan", func(b *testing.B) {
		for b.Loop() {
			res, err := Scan(context.Background(), dir, Options{Env: env})
			if err != nil {
				b.Fatal(err)
			}
			if len(res.Functions) != 200 || len(res.Errors) > 0 {
				b.Fatalf("found %d functions, errors %v", len(res.Functions), res.Errors)
			}
		}
	})
	b.Run("go-list", func(b *testing.B) {
		for b.Loop() {
			cmd := exec.Command("go", "list", "./...")
			cmd.Dir, cmd.Env = dir, env
			if out, err := cmd.CombinedOutput(); err != nil {
				b.Fatalf("%v\n%s", err, out)
			}
		}
	})
}
