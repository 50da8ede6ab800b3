// Package modroot locates the root of the Go module a file belongs to, so
// that paths in findings and messages name files relative to it: the same
// text on every machine and in every driver.
package modroot

import (
	"fmt"
	"go/token"
	"os"
	"path/filepath"
	"sync"
)

var roots sync.Map // directory -> module root ("" when none)

// Dir returns the directory holding the go.mod of the module dir is in
// (dir itself or its nearest parent with a go.mod), or "" when there is
// none. dir should be absolute; results are cached per directory.
func Dir(dir string) string {
	if r, ok := roots.Load(dir); ok {
		return r.(string)
	}
	root := ""
	if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
		root = dir
	} else if parent := filepath.Dir(dir); parent != dir {
		root = Dir(parent)
	}
	roots.Store(dir, root)
	return root
}

// Rel returns filename relative to the root of its module, with forward
// slashes, or filename unchanged when it is relative already or in no
// module.
func Rel(filename string) string {
	if !filepath.IsAbs(filename) {
		return filename
	}
	root := Dir(filepath.Dir(filename))
	if root == "" {
		return filename
	}
	rel, err := filepath.Rel(root, filename)
	if err != nil {
		return filename
	}
	return filepath.ToSlash(rel)
}

// Position formats pos as file:line:col with the file relative to the root
// of its module: what a message that points at another place should print
// (an absolute path would differ between machines, drivers and caches).
func Position(fset *token.FileSet, pos token.Pos) string {
	p := fset.Position(pos)
	if !p.IsValid() {
		return "-"
	}
	return fmt.Sprintf("%s:%d:%d", Rel(p.Filename), p.Line, p.Column)
}
