package registry

import (
	"context"
	"fmt"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/durable-go/durable/internal/testmod"
)

// benchModule writes a module of n packages, each with three files, one of
// which declares a durable function (and a test file, which the scan skips).
func benchModule(b *testing.B, n int) string {
	b.Helper()
	root, err := filepath.Abs(filepath.Join("..", "..", ".."))
	if err != nil {
		b.Fatal(err)
	}
	files := map[string]string{}
	for i := range n {
		pkg := fmt.Sprintf("p%03d", i)
		files[pkg+"/fn.go"] = fmt.Sprintf(`package %s

import (
	"context"

	"github.com/durable-go/durable/runtime"
)

const id = "fn-%03d"

var Fn = runtime.NewFunction(runtime.FunctionOpts{ID: id}, runtime.EventTrigger("a/b.c", ""),
	func(ctx context.Context, in runtime.Input[map[string]any]) (any, error) { return helper(in.RunID), nil })
`, pkg, i)
		files[pkg+"/helper.go"] = fmt.Sprintf("package %s\n\nimport \"strings\"\n\nfunc helper(s string) string { return strings.ToUpper(s) }\n", pkg)
		files[pkg+"/types.go"] = fmt.Sprintf("package %s\n\n// T is a type.\ntype T struct{ A, B int }\n\nfunc (t T) Sum() int { return t.A + t.B }\n", pkg)
		files[pkg+"/fn_test.go"] = fmt.Sprintf("package %s\n\nimport \"testing\"\n\nfunc TestX(t *testing.T) {}\n", pkg)
	}
	return testmod.Write(b, root, "example.com/bench", files)
}

// BenchmarkScan200 compares the registry scan of a 200-package module with
// `go list ./...` on the same module (the floor: the scan costs at most
// 1.5x go list).
func BenchmarkScan200(b *testing.B) {
	dir := benchModule(b, 200)
	env := testmod.Env()
	// Warm the go command's caches before timing.
	warm := exec.Command("go", "list", "./...")
	warm.Dir, warm.Env = dir, env
	if out, err := warm.CombinedOutput(); err != nil {
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
