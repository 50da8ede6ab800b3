package registry

import (
	"bufio"
	"bytes"
	"cmp"
	"context"
	"errors"
	"fmt"
	"go/ast"
	"go/constant"
	"go/parser"
	"go/token"
	"os"
	"path"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"unicode"

	"golang.org/x/tools/go/packages"

	"github.com/durable-go/durable/internal/durablefn"
)

// RuntimePath is the import path of the package that declares NewFunction.
const RuntimePath = durablefn.RuntimePath

// Function is a durable function found in the module.
type Function struct {
	// ID is the function ID from its FunctionOpts.
	ID string
	// Var is the package-level variable holding the function.
	Var string
	// PkgPath and PkgName identify the variable's package.
	PkgPath string
	PkgName string
	// Pos is the position of Var's declaration.
	Pos token.Position
}

// Problem is an error or a warning of a scan, at a position when one is
// known.
type Problem struct {
	Pos token.Position
	Msg string
}

func (p Problem) String() string {
	if p.Pos.IsValid() {
		return p.Pos.String() + ": " + p.Msg
	}
	return p.Msg
}

// Result is what a scan found.
type Result struct {
	// ModulePath and ModuleDir describe the scanned module.
	ModulePath string
	ModuleDir  string
	// Functions the registry lists, sorted by ID.
	Functions []Function
	// Skipped are functions found but not listed (unexported variables,
	// package main), with the reason in Warnings.
	Skipped []Function
	// Unreadable are functions found whose ID the scan cannot read (not a
	// constant, or options that are not a literal), with the reason in
	// Errors; their ID is empty.
	Unreadable []Function
	// Errors make the registry wrong if written: duplicate IDs, IDs that
	// are not constant, functions the registry cannot import.
	Errors []Problem
	// Warnings do not stop generation: packages with errors, skipped
	// functions.
	Warnings []Problem
}

// Err returns the errors of the scan joined, or nil.
func (r *Result) Err() error {
	if len(r.Errors) == 0 {
		return nil
	}
	errs := make([]error, len(r.Errors))
	for i, p := range r.Errors {
		errs[i] = errors.New(p.String())
	}
	return errors.Join(errs...)
}

// Options tune a scan.
type Options struct {
	// RegistryPkgPath is the import path of the package the registry is
	// written to; functions it could not import are errors. Empty skips
	// those checks.
	RegistryPkgPath string
	// Env is the environment of the go command; nil means os.Environ().
	Env []string
}

// FindModule returns the directory of the go.mod governing dir and the
// module path it declares.
func FindModule(dir string) (modDir, modPath string, err error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return "", "", err
	}
	for d := abs; ; d = filepath.Dir(d) {
		data, err := os.ReadFile(filepath.Join(d, "go.mod"))
		if err == nil {
			p := modulePath(data)
			if p == "" {
				return "", "", fmt.Errorf("%s: no module directive", filepath.Join(d, "go.mod"))
			}
			return d, p, nil
		}
		if !errors.Is(err, os.ErrNotExist) {
			return "", "", err
		}
		if filepath.Dir(d) == d {
			return "", "", fmt.Errorf("no go.mod in %s or any parent directory", abs)
		}
	}
}

// modulePath reads the module directive of a go.mod file.
func modulePath(gomod []byte) string {
	sc := bufio.NewScanner(bytes.NewReader(gomod))
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if rest, ok := strings.CutPrefix(line, "module"); ok && (rest == "" || rest[0] == ' ' || rest[0] == '\t' || rest[0] == '"') {
			rest, _, _ = strings.Cut(rest, "//")
			rest = strings.TrimSpace(rest)
			if uq, err := strconv.Unquote(rest); err == nil {
				rest = uq
			}
			return rest
		}
	}
	return ""
}

// Scan finds the durable functions of the module containing dir.
func Scan(ctx context.Context, dir string, opts Options) (*Result, error) {
	modDir, modPath, err := FindModule(dir)
	if err != nil {
		return nil, err
	}
	cfg := &packages.Config{
		Context: ctx,
		Mode:    packages.NeedName | packages.NeedFiles,
		Dir:     modDir,
		Env:     opts.Env,
	}
	pkgs, err := packages.Load(cfg, "./...")
	if err != nil {
		return nil, fmt.Errorf("listing the packages of %s: %w", modPath, err)
	}
	s := &scanner{
		fset:    token.NewFileSet(),
		modPath: modPath,
		byPath:  map[string]*pkgInfo{},
		res:     &Result{ModulePath: modPath, ModuleDir: modDir},
		opts:    opts,
	}
	for _, p := range pkgs {
		for _, e := range p.Errors {
			s.warn(token.Position{}, "package %s: %s; functions in it may be missing from the registry", p.PkgPath, errText(e))
		}
		if p.PkgPath == "" {
			continue
		}
		s.byPath[p.PkgPath] = &pkgInfo{pkg: p}
	}
	s.scanAll(ctx)
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	s.finish()
	return s.res, nil
}

func errText(e packages.Error) string {
	if e.Pos != "" && e.Pos != "-" {
		return e.Pos + ": " + e.Msg
	}
	return e.Msg
}

type pkgInfo struct {
	pkg *packages.Package

	// Files that mention NewFunction, parsed by scanAll.
	cands []*ast.File

	// Package-level declarations, parsed on demand (declOnce).
	declOnce sync.Once
	consts   map[string]constDecl
	vars     map[string]bool
	types    map[string]bool
}

type constDecl struct {
	expr ast.Expr
	file *ast.File
}

type scanner struct {
	fset    *token.FileSet
	modPath string
	byPath  map[string]*pkgInfo
	opts    Options

	mu  sync.Mutex
	res *Result
	all []Function // every function found, listed or not
}

func (s *scanner) warn(pos token.Position, format string, args ...any) {
	s.mu.Lock()
	s.res.Warnings = append(s.res.Warnings, Problem{Pos: pos, Msg: fmt.Sprintf(format, args...)})
	s.mu.Unlock()
}

func (s *scanner) errorf(pos token.Position, format string, args ...any) {
	s.mu.Lock()
	s.res.Errors = append(s.res.Errors, Problem{Pos: pos, Msg: fmt.Sprintf(format, args...)})
	s.mu.Unlock()
}

var newFunctionWord = []byte("NewFunction")

// scanAll reads every file of every package in parallel and parses those
// that mention NewFunction.
func (s *scanner) scanAll(ctx context.Context) {
	type job struct {
		pi   *pkgInfo
		file string
	}
	jobs := make(chan job)
	var wg sync.WaitGroup
	results := make(chan struct {
		pi *pkgInfo
		f  *ast.File
	})
	for range runtime.GOMAXPROCS(0) {
		wg.Go(func() {
			for j := range jobs {
				src, err := os.ReadFile(j.file)
				if err != nil {
					s.warn(token.Position{Filename: j.file}, "%v", err)
					continue
				}
				if !bytes.Contains(src, newFunctionWord) {
					continue
				}
				f, err := parser.ParseFile(s.fset, j.file, src, parser.SkipObjectResolution)
				if err != nil {
					s.warnParse(j.pi.pkg.PkgPath, err)
				}
				if f != nil {
					results <- struct {
						pi *pkgInfo
						f  *ast.File
					}{j.pi, f}
				}
			}
		})
	}
	go func() {
		defer close(jobs)
		for _, pi := range s.sortedPkgs() {
			for _, file := range pi.pkg.GoFiles {
				select {
				case jobs <- job{pi, file}:
				case <-ctx.Done():
					return
				}
			}
		}
	}()
	go func() { wg.Wait(); close(results) }()
	for r := range results {
		r.pi.cands = append(r.pi.cands, r.f)
	}
	for _, pi := range s.sortedPkgs() {
		slices.SortFunc(pi.cands, func(a, b *ast.File) int {
			return strings.Compare(s.fset.File(a.Pos()).Name(), s.fset.File(b.Pos()).Name())
		})
		for _, f := range pi.cands {
			s.scanFile(pi, f)
		}
	}
}

func (s *scanner) warnParse(pkgPath string, err error) {
	var list interface{ Unwrap() []error }
	if errors.As(err, &list) {
		for _, e := range list.Unwrap() {
			s.warnParse(pkgPath, e)
		}
		return
	}
	s.warn(token.Position{}, "package %s: %v; functions in it may be missing from the registry", pkgPath, err)
}

func (s *scanner) sortedPkgs() []*pkgInfo {
	out := make([]*pkgInfo, 0, len(s.byPath))
	for _, pi := range s.byPath {
		out = append(out, pi)
	}
	slices.SortFunc(out, func(a, b *pkgInfo) int { return strings.Compare(a.pkg.PkgPath, b.pkg.PkgPath) })
	return out
}

// runtimeName is the name under which f refers to the runtime package: its
// import name, "." for a dot import, "" when f does not import it.
func runtimeName(f *ast.File) string {
	for _, imp := range f.Imports {
		p, err := strconv.Unquote(imp.Path.Value)
		if err != nil || p != RuntimePath {
			continue
		}
		if imp.Name != nil {
			return imp.Name.Name
		}
		return "runtime"
	}
	return ""
}

// scanFile finds the definitions of f and lists those durablefn says the
// registry lists.
func (s *scanner) scanFile(pi *pkgInfo, f *ast.File) {
	rt := runtimeName(f)
	if pi.pkg.PkgPath == RuntimePath {
		rt = "."
	}
	if rt == "" || rt == "_" {
		return
	}
	var stack []ast.Node // f and the nodes enclosing the current one
	ast.Inspect(f, func(n ast.Node) bool {
		if n == nil {
			stack = stack[:len(stack)-1]
			return false
		}
		if call, ok := n.(*ast.CallExpr); ok && isNewFunction(call.Fun, rt) {
			ancestors := make([]ast.Node, 0, 8)
			for i := len(stack) - 1; i >= 0 && len(ancestors) < cap(ancestors); i-- {
				ancestors = append(ancestors, stack[i])
			}
			s.definition(pi, f, call, durablefn.Bind(call, ancestors), stack)
		}
		stack = append(stack, n)
		return true
	})
}

// isNewFunction reports whether fun is runtime.NewFunction (possibly
// instantiated, as in runtime.NewFunction[T]) with rt the runtime's name.
func isNewFunction(fun ast.Expr, rt string) bool {
	qual, name, ok := durablefn.CalleeName(fun)
	if !ok || durablefn.Definer(RuntimePath, name.Name) != durablefn.Durable {
		return false
	}
	if qual == nil {
		return rt == "."
	}
	return rt != "." && qual.Name == rt
}

func (s *scanner) definition(pi *pkgInfo, f *ast.File, call *ast.CallExpr, b durablefn.Binding, stack []ast.Node) {
	switch b.Site {
	case durablefn.Discarded:
		s.warn(s.fset.Position(call.Pos()), "a durable function is discarded (assigned to _ or unused); the registry cannot list it")
		return
	case durablefn.PackageVar:
	case durablefn.Assigned:
		if !s.isPackageVar(pi, b.Name, stack) {
			return
		}
	default:
		return // a local variable, a helper's result: not the registry's business
	}
	name := b.Name
	pos := s.fset.Position(name.Pos())
	fn := Function{Var: name.Name, PkgPath: pi.pkg.PkgPath, PkgName: pi.pkg.Name, Pos: pos}
	if len(call.Args) == 0 {
		return // not a valid call; the compiler says so
	}
	opts := call.Args[durablefn.Durable.OptsIndex()]
	if _, ok := ast.Unparen(opts).(*ast.CompositeLit); !ok {
		s.errorf(s.fset.Position(opts.Pos()), "function %s: write its options as a runtime.FunctionOpts{ID: ...} literal so that the registry can read the ID", name.Name)
		s.res.Unreadable = append(s.res.Unreadable, fn)
		return
	}
	idExpr := durablefn.IDExpr(opts)
	if idExpr == nil {
		s.errorf(s.fset.Position(opts.Pos()), "function %s has no ID (write it as runtime.FunctionOpts{ID: ...})", name.Name)
		s.res.Unreadable = append(s.res.Unreadable, fn)
		return
	}
	id, err := s.constString(pi, f, idExpr, 0)
	if err != nil {
		s.errorf(s.fset.Position(idExpr.Pos()), "function %s: the ID must be a constant string: %v", name.Name, err)
		s.res.Unreadable = append(s.res.Unreadable, fn)
		return
	}
	fn.ID = id
	s.all = append(s.all, fn)
}

// isPackageVar reports whether the assigned identifier id, in the function
// at the top of stack, is a package-level variable: the enclosing function
// declares no such name (any scope; an over-cautious no is the rare case
// of a name declared in a sibling scope) and the package declares it.
func (s *scanner) isPackageVar(pi *pkgInfo, id *ast.Ident, stack []ast.Node) bool {
	var fn ast.Node
	for _, n := range stack {
		if d, ok := n.(*ast.FuncDecl); ok {
			fn = d
			break
		}
	}
	if fn != nil && declares(fn, id.Name) {
		return false
	}
	pi.declOnce.Do(func() { s.loadDecls(pi) })
	return pi.vars[id.Name]
}

// declares reports whether any declaration inside fn (parameters, results,
// receiver, :=, var, const, range variables, type switch) binds name.
func declares(fn ast.Node, name string) bool {
	found := false
	fields := func(l *ast.FieldList) {
		if l == nil {
			return
		}
		for _, f := range l.List {
			for _, n := range f.Names {
				found = found || n.Name == name
			}
		}
	}
	idents := func(es ...ast.Expr) {
		for _, e := range es {
			if id, ok := e.(*ast.Ident); ok && id.Name == name {
				found = true
			}
		}
	}
	ast.Inspect(fn, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.FuncDecl:
			fields(n.Recv)
		case *ast.FuncType:
			fields(n.Params)
			fields(n.Results)
		case *ast.AssignStmt:
			if n.Tok == token.DEFINE {
				idents(n.Lhs...)
			}
		case *ast.RangeStmt:
			if n.Tok == token.DEFINE {
				idents(n.Key, n.Value)
			}
		case *ast.ValueSpec:
			for _, id := range n.Names {
				found = found || id.Name == name
			}
		}
		return !found
	})
	return found
}

// constString evaluates a constant string expression: literals, +,
// parentheses, constants of the package and of imported module packages.
func (s *scanner) constString(pi *pkgInfo, f *ast.File, e ast.Expr, depth int) (string, error) {
	v, err := s.constValue(pi, f, e, depth)
	if err != nil {
		return "", err
	}
	if v.Kind() != constant.String {
		return "", fmt.Errorf("%s is not a string", v)
	}
	return constant.StringVal(v), nil
}

func (s *scanner) constValue(pi *pkgInfo, f *ast.File, e ast.Expr, depth int) (constant.Value, error) {
	if depth > 50 {
		return nil, errors.New("constant definitions nest too deep")
	}
	switch x := ast.Unparen(e).(type) {
	case *ast.BasicLit:
		if x.Kind != token.STRING {
			return nil, fmt.Errorf("%s is not a string", x.Value)
		}
		return constant.MakeFromLiteral(x.Value, x.Kind, 0), nil
	case *ast.BinaryExpr:
		if x.Op != token.ADD {
			return nil, fmt.Errorf("operator %s", x.Op)
		}
		a, err := s.constValue(pi, f, x.X, depth+1)
		if err != nil {
			return nil, err
		}
		b, err := s.constValue(pi, f, x.Y, depth+1)
		if err != nil {
			return nil, err
		}
		if a.Kind() != constant.String || b.Kind() != constant.String {
			return nil, errors.New("+ of non-strings")
		}
		return constant.BinaryOp(a, token.ADD, b), nil
	case *ast.Ident:
		v, err := s.lookupConst(pi, x.Name, depth)
		if err != nil {
			// A constant of a dot-imported module package.
			for _, other := range s.dotImports(f) {
				if v, err2 := s.lookupConst(other, x.Name, depth); err2 == nil {
					return v, nil
				}
			}
		}
		return v, err
	case *ast.SelectorExpr:
		other, err := s.qualified(f, x)
		if err != nil {
			return nil, err
		}
		return s.lookupConst(other, x.Sel.Name, depth)
	case *ast.CallExpr:
		// A conversion such as FunctionID("x"), ids.Name("x") or string(c);
		// a call of a function is not constant.
		if len(x.Args) == 1 && s.isStringType(pi, f, x.Fun) {
			return s.constValue(pi, f, x.Args[0], depth+1)
		}
	}
	return nil, fmt.Errorf("%s is not a constant", exprString(e))
}

// importPath is the path f imports under name, or "". An import without a
// name goes by its package's name, known for the module's packages (which
// may differ from the path's last element) and guessed from the path for
// others.
func (s *scanner) importPath(f *ast.File, name string) string {
	for _, imp := range f.Imports {
		p, err := strconv.Unquote(imp.Path.Value)
		if err != nil {
			continue
		}
		n := path.Base(p)
		if pi, ok := s.byPath[p]; ok && pi.pkg.Name != "" {
			n = pi.pkg.Name
		}
		if imp.Name != nil {
			n = imp.Name.Name
		}
		if n == name {
			return p
		}
	}
	return ""
}

// qualified is the module package that pkg in pkg.Name names.
func (s *scanner) qualified(f *ast.File, x *ast.SelectorExpr) (*pkgInfo, error) {
	pkgID, ok := x.X.(*ast.Ident)
	if !ok {
		return nil, fmt.Errorf("%s is not a constant", exprString(x))
	}
	imp := s.importPath(f, pkgID.Name)
	if imp == "" {
		return nil, fmt.Errorf("%s is not a constant", exprString(x))
	}
	other, ok := s.byPath[imp]
	if !ok {
		return nil, fmt.Errorf("%s is declared outside the module, which the registry does not read; use a constant of the module", exprString(x))
	}
	return other, nil
}

// dotImports are the module packages f imports with a dot.
func (s *scanner) dotImports(f *ast.File) []*pkgInfo {
	var out []*pkgInfo
	for _, imp := range f.Imports {
		if imp.Name == nil || imp.Name.Name != "." {
			continue
		}
		if p, err := strconv.Unquote(imp.Path.Value); err == nil && s.byPath[p] != nil {
			out = append(out, s.byPath[p])
		}
	}
	return out
}

// isStringType reports whether fun names string or a type declared in a
// module package (so that fun(x) is a conversion, not a call).
func (s *scanner) isStringType(pi *pkgInfo, f *ast.File, fun ast.Expr) bool {
	switch x := ast.Unparen(fun).(type) {
	case *ast.Ident:
		if x.Name == "string" {
			return true
		}
		pi.declOnce.Do(func() { s.loadDecls(pi) })
		return pi.types[x.Name]
	case *ast.SelectorExpr:
		other, err := s.qualified(f, x)
		if err != nil {
			return false
		}
		other.declOnce.Do(func() { s.loadDecls(other) })
		return other.types[x.Sel.Name]
	}
	return false
}

func (s *scanner) lookupConst(pi *pkgInfo, name string, depth int) (constant.Value, error) {
	pi.declOnce.Do(func() { s.loadDecls(pi) })
	c, ok := pi.consts[name]
	if !ok {
		return nil, fmt.Errorf("%s is not a constant of package %s", name, pi.pkg.PkgPath)
	}
	return s.constValue(pi, c.file, c.expr, depth+1)
}

// loadDecls parses the package's files for their package-level
// constants, variables and types.
func (s *scanner) loadDecls(pi *pkgInfo) {
	pi.consts, pi.vars, pi.types = map[string]constDecl{}, map[string]bool{}, map[string]bool{}
	for _, file := range pi.pkg.GoFiles {
		f, err := parser.ParseFile(s.fset, file, nil, parser.SkipObjectResolution)
		if f == nil {
			_ = err // reported when the file holds functions; ignored here
			continue
		}
		for _, decl := range f.Decls {
			gd, ok := decl.(*ast.GenDecl)
			if !ok {
				continue
			}
			var last []ast.Expr
			for _, spec := range gd.Specs {
				switch spec := spec.(type) {
				case *ast.TypeSpec:
					pi.types[spec.Name.Name] = true
				case *ast.ValueSpec:
					if gd.Tok == token.VAR {
						for _, n := range spec.Names {
							pi.vars[n.Name] = true
						}
						continue
					}
					if len(spec.Values) > 0 {
						last = spec.Values
					}
					for i, n := range spec.Names {
						if i < len(last) {
							pi.consts[n.Name] = constDecl{expr: last[i], file: f}
						}
					}
				}
			}
		}
	}
}

func exprString(e ast.Expr) string {
	switch x := e.(type) {
	case *ast.Ident:
		return x.Name
	case *ast.SelectorExpr:
		return exprString(x.X) + "." + x.Sel.Name
	case *ast.CallExpr:
		return exprString(x.Fun) + "(...)"
	case *ast.IndexExpr:
		return exprString(x.X) + "[...]"
	}
	return fmt.Sprintf("the %T expression", e)
}

// finish checks duplicates and importability, and sorts the result.
func (s *scanner) finish() {
	slices.SortFunc(s.all, func(a, b Function) int {
		return cmp.Or(strings.Compare(a.Pos.Filename, b.Pos.Filename), cmp.Compare(a.Pos.Offset, b.Pos.Offset))
	})
	first := map[string]Function{}
	for _, fn := range s.all {
		if prev, dup := first[fn.ID]; dup {
			s.errorf(fn.Pos, "duplicate function ID %q: %s.%s here and %s.%s at %s", fn.ID, fn.PkgName, fn.Var, prev.PkgName, prev.Var, prev.Pos)
			continue
		}
		first[fn.ID] = fn
		switch {
		case fn.PkgName == "main":
			s.warn(fn.Pos, "function %q (%s) is in package main, which the registry cannot import; it is not listed", fn.ID, fn.Var)
			s.res.Skipped = append(s.res.Skipped, fn)
		case !isExported(fn.Var):
			s.warn(fn.Pos, "function %q is held by the unexported variable %s, which the registry cannot refer to; it is not listed (export it to list it)", fn.ID, fn.Var)
			s.res.Skipped = append(s.res.Skipped, fn)
		case s.opts.RegistryPkgPath != "" && !canImport(s.opts.RegistryPkgPath, fn.PkgPath):
			s.errorf(fn.Pos, "function %q (%s.%s): package %s is internal and cannot be imported by the registry package %s; move the registry or the function", fn.ID, fn.PkgName, fn.Var, fn.PkgPath, s.opts.RegistryPkgPath)
		default:
			s.res.Functions = append(s.res.Functions, fn)
		}
	}
	if rp := s.opts.RegistryPkgPath; rp != "" {
		checked := map[string]bool{}
		for _, fn := range s.res.Functions {
			if fn.PkgPath == rp || checked[fn.PkgPath] {
				continue
			}
			checked[fn.PkgPath] = true
			if s.imports(fn.PkgPath, rp) {
				s.errorf(fn.Pos, "function %q (%s.%s): package %s imports the registry package %s, so the registry cannot import it back", fn.ID, fn.PkgName, fn.Var, fn.PkgPath, rp)
			}
		}
	}
	slices.SortFunc(s.res.Functions, func(a, b Function) int { return strings.Compare(a.ID, b.ID) })
	byPos := func(a, b Problem) int {
		return cmp.Or(strings.Compare(a.Pos.Filename, b.Pos.Filename), cmp.Compare(a.Pos.Offset, b.Pos.Offset), strings.Compare(a.Msg, b.Msg))
	}
	slices.SortFunc(s.res.Errors, byPos)
	slices.SortFunc(s.res.Warnings, byPos)
}

// imports reports whether a file of package pkgPath imports target.
func (s *scanner) imports(pkgPath, target string) bool {
	pi := s.byPath[pkgPath]
	if pi == nil {
		return false
	}
	for _, file := range pi.pkg.GoFiles {
		f, _ := parser.ParseFile(s.fset, file, nil, parser.ImportsOnly|parser.SkipObjectResolution)
		if f == nil {
			continue
		}
		for _, imp := range f.Imports {
			if p, _ := strconv.Unquote(imp.Path.Value); p == target {
				return true
			}
		}
	}
	return false
}

func isExported(name string) bool {
	for _, r := range name {
		return unicode.IsUpper(r)
	}
	return false
}

// canImport applies Go's internal/ rule: importer may import pkg when it
// is inside the tree rooted at the parent of pkg's last internal element.
func canImport(importer, pkg string) bool {
	parts := strings.Split(pkg, "/")
	for i := len(parts) - 1; i >= 0; i-- {
		if parts[i] == "internal" {
			root := strings.Join(parts[:i], "/")
			return importer == root || strings.HasPrefix(importer, root+"/") || root == ""
		}
	}
	return true
}
