// Package stdlib decides what is the Go standard library, for the analyzers
// that treat it differently from application code (its effects are known
// from a table and it is not summarised; its calls are not a
// "responsibility" of their own).
package stdlib

import (
	"go/ast"
	"go/build"
	"go/token"
	"path/filepath"
	"strings"
)

// Path reports whether an import path is a standard-library package: its
// first element is one of the standard library's top-level directories
// (which never contain a dot, while other modules' paths start with a
// domain name). Dot-free paths outside that list (GOPATH-style test
// fixtures, "mailer") are not the standard library.
func Path(path string) bool {
	first, _, _ := strings.Cut(path, "/")
	return roots[first]
}

// roots are the top-level directories of GOROOT/src.
var roots = map[string]bool{}

func init() {
	for _, r := range strings.Fields(`archive bufio builtin bytes cmp compress container context crypto
		database debug embed encoding errors expvar flag fmt go hash html image index internal io
		iter log maps math mime net os path plugin reflect regexp runtime slices sort strconv
		strings structs sync syscall testing text time unicode unique unsafe weak vendor cmd`) {
		roots[r] = true
	}
}

// Pass reports whether the files of a pass live in GOROOT: the package being
// analysed is the standard library itself.
func Pass(fset *token.FileSet, files []*ast.File) bool {
	if len(files) == 0 || goroot == "" {
		return false
	}
	name := filepath.ToSlash(fset.File(files[0].Pos()).Name())
	return strings.HasPrefix(name, goroot)
}

var goroot = func() string {
	r := build.Default.GOROOT
	if r == "" {
		return ""
	}
	return strings.TrimSuffix(filepath.ToSlash(r), "/") + "/src/"
}()
