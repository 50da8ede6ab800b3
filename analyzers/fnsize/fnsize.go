package fnsize

import (
	_ "embed"
	"fmt"
	"go/ast"
	"go/build"
	"go/constant"
	"go/types"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/analysis/passes/inspect"

	"github.com/durable-go/durable/analyzers/internal/durable"
	"github.com/durable-go/durable/analyzers/internal/effects"
	"github.com/durable-go/durable/analyzers/internal/ignore"
)

//go:embed doc.go
var doc string

const name = "fnsize"

// Analyzer reports functions touching too many external services.
var Analyzer = &analysis.Analyzer{
	Name:     name,
	Doc:      durable.ExtractDoc(doc, name),
	URL:      durable.DocURL(name),
	Requires: []*analysis.Analyzer{inspect.Analyzer, durable.Analyzer},
	Run:      run,
}

var maxServices = 6

func init() {
	Analyzer.Flags.IntVar(&maxServices, "max-services", 6, "report durable functions whose steps touch more than this many distinct external services")
}

type checker struct {
	pass  *analysis.Pass
	res   *durable.Result
	decls map[*types.Func]*ast.FuncDecl
	memo  map[*types.Func]map[string]bool
}

func run(pass *analysis.Pass) (any, error) {
	res := pass.ResultOf[durable.Analyzer].(*durable.Result)
	if !res.Relevant || len(res.Bodies) == 0 {
		return nil, nil
	}
	c := &checker{pass: pass, res: res, decls: map[*types.Func]*ast.FuncDecl{}, memo: map[*types.Func]map[string]bool{}}
	for _, f := range pass.Files {
		for _, d := range f.Decls {
			if fd, ok := d.(*ast.FuncDecl); ok && fd.Body != nil {
				if fn, ok := pass.TypesInfo.Defs[fd.Name].(*types.Func); ok {
					c.decls[fn] = fd
				}
			}
		}
	}
	ig := ignore.New(pass, name)
	defer ig.Finish()
	for _, b := range res.Bodies {
		services := map[string]bool{}
		steps := 0
		for _, s := range b.Steps {
			if s.Kind != durable.Run || s.Parent != nil {
				continue
			}
			before := len(services)
			if s.CallbackLit != nil {
				c.collect(s.CallbackLit.Body, services, 0)
			} else if fn := durable.FuncOf(pass.TypesInfo, s.Callback); fn != nil {
				c.collectFunc(fn, services, 0)
			}
			if len(services) > before {
				steps++
			}
		}
		if len(services) <= maxServices {
			continue
		}
		names := make([]string, 0, len(services))
		for s := range services {
			names = append(names, s)
		}
		sort.Strings(names)
		pos, end := b.Node.Pos(), b.Type.End()
		if fd, ok := b.Node.(*ast.FuncDecl); ok {
			pos, end = fd.Name.Pos(), fd.Name.End()
		}
		ig.Report(analysis.Diagnostic{Pos: pos, End: end, Category: "advice",
			Message: fmt.Sprintf("durable function %s has %d steps touching %d distinct external services (more than %d): %s; split it into functions per concern, chained by events, each with its own retries and limits",
				b.Name, steps, len(services), maxServices, strings.Join(names, ", "))})
	}
	return nil, nil
}

func (c *checker) collectFunc(fn *types.Func, into map[string]bool, depth int) {
	if s, ok := c.memo[fn]; ok {
		for k := range s {
			into[k] = true
		}
		return
	}
	fd := c.decls[fn]
	if fd == nil || depth > 4 {
		return
	}
	c.memo[fn] = map[string]bool{} // cycles
	s := map[string]bool{}
	c.collect(fd.Body, s, depth+1)
	c.memo[fn] = s
	for k := range s {
		into[k] = true
	}
}

// collect adds the services the calls in n reach.
func (c *checker) collect(n ast.Node, into map[string]bool, depth int) {
	info := c.pass.TypesInfo
	ast.Inspect(n, func(n ast.Node) bool {
		call, ok := n.(*ast.CallExpr)
		if !ok {
			return true
		}
		if c.res.Step(call) != nil {
			return true
		}
		fn := durable.Callee(info, call)
		if fn == nil || fn.Pkg() == nil {
			return true
		}
		if s := c.service(call, fn); s != "" {
			into[s] = true
			return true
		}
		if fn.Pkg() == c.pass.Pkg {
			c.collectFunc(fn, into, depth)
		}
		return true
	})
}

func (c *checker) service(call *ast.CallExpr, fn *types.Func) string {
	info := c.pass.TypesInfo
	if e, ok := effects.Classify(fn); ok {
		switch e.Kind {
		case effects.Database:
			return "database"
		case effects.Email:
			return "email (net/smtp)"
		case effects.Process:
			return "processes (os/exec)"
		case effects.File:
			return "file system"
		case effects.Network:
			if fn.Pkg().Path() == "net/http" {
				for _, a := range call.Args {
					if tv, ok := info.Types[a]; ok && tv.Value != nil && tv.Value.Kind() == constant.String {
						if u, err := url.Parse(constant.StringVal(tv.Value)); err == nil && u.Host != "" {
							return "HTTP " + u.Host
						}
					}
				}
				return "HTTP"
			}
			return "network"
		}
		return ""
	}
	if !passesContext(info, call) {
		return ""
	}
	sig, _ := fn.Type().(*types.Signature)
	if sig != nil && sig.Recv() != nil {
		if _, isIface := sig.Recv().Type().Underlying().(*types.Interface); isIface {
			if n, ok := types.Unalias(sig.Recv().Type()).(*types.Named); ok {
				return n.Obj().Name() + " (interface)"
			}
		}
	}
	if fn.Pkg() == c.pass.Pkg || durable.ProfileOfPackage(fn.Pkg().Path()) != durable.None || isStd(fn.Pkg().Path()) {
		return ""
	}
	return modulePath(fn.Pkg().Path(), c.pass.Pkg.Path())
}

func passesContext(info *types.Info, call *ast.CallExpr) bool {
	for _, a := range call.Args {
		if n, ok := types.Unalias(info.TypeOf(a)).(*types.Named); ok && n.Obj().Pkg() != nil && n.Obj().Pkg().Path() == "context" && n.Obj().Name() == "Context" {
			return true
		}
	}
	return false
}

var stdCache sync.Map // path -> bool

// isStd reports whether path is a standard-library package: no dot in its
// first element and a directory in GOROOT.
func isStd(path string) bool {
	first, _, _ := strings.Cut(path, "/")
	if strings.Contains(first, ".") {
		return false
	}
	if v, ok := stdCache.Load(path); ok {
		return v.(bool)
	}
	fi, err := os.Stat(filepath.Join(build.Default.GOROOT, "src", filepath.FromSlash(path)))
	std := err == nil && fi.IsDir()
	stdCache.Store(path, std)
	return std
}

// modulePath shortens a package path of another repository to that
// repository (github.com/stripe/stripe-go/v76/charge →
// github.com/stripe/stripe-go); packages of the current repository (the
// user's own wrappers, internal/mailer and internal/crm) stay distinct.
func modulePath(path, current string) string {
	parts := strings.Split(path, "/")
	if !strings.Contains(parts[0], ".") || len(parts) <= 3 {
		return path
	}
	repo := strings.Join(parts[:3], "/")
	if current == repo || strings.HasPrefix(current, repo+"/") {
		return path
	}
	return repo
}
