package failurehandler

import (
	_ "embed"
	"fmt"
	"go/ast"
	"go/constant"
	"go/types"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/analysis/passes/inspect"
	"golang.org/x/tools/go/ast/inspector"

	"github.com/durable-go/durable/analyzers/internal/durable"
	"github.com/durable-go/durable/analyzers/internal/ignore"
)

//go:embed doc.go
var doc string

const name = "failurehandler"

// Analyzer reports programs with durable functions and no failure handler.
var Analyzer = &analysis.Analyzer{
	Name:      name,
	Doc:       durable.ExtractDoc(doc, name),
	URL:       durable.DocURL(name),
	Requires:  []*analysis.Analyzer{inspect.Analyzer, durable.Analyzer},
	FactTypes: []analysis.Fact{(*Functions)(nil)},
	Run:       run,
}

// Functions is the package fact that a package defines durable functions,
// failure handlers, or starts engines.
type Functions struct {
	// Defined counts the definitions; WithOnFailure those with OnFailure set.
	Defined, WithOnFailure int
	// Handlers are the IDs (or positions) of functions triggered by the
	// failure event.
	Handlers []string
	// Engines counts calls that start an engine or an Inngest client.
	Engines int
}

func (*Functions) AFact() {}
func (f *Functions) String() string {
	return fmt.Sprintf("functions(defined=%d onFailure=%d handlers=%v engines=%d)", f.Defined, f.WithOnFailure, f.Handlers, f.Engines)
}

// Names of the failure events of each profile.
const (
	DurableFailed = "durable/function.failed"
	InngestFailed = "inngest/function.failed"
)

func run(pass *analysis.Pass) (any, error) {
	res := pass.ResultOf[durable.Analyzer].(*durable.Result)
	if !res.Relevant {
		return nil, nil
	}
	info := pass.TypesInfo
	insp := pass.ResultOf[inspect.Analyzer].(*inspector.Inspector)
	local := &Functions{}
	for _, d := range res.Definitions {
		local.Defined++
		if v := d.Field("OnFailure"); v != nil {
			if tv, ok := info.Types[v]; !ok || !tv.IsNil() {
				local.WithOnFailure++
			}
		}
		if triggersOnFailure(info, d.Trigger) {
			id := d.ID
			if id == "" {
				id = pass.Fset.Position(d.Call.Pos()).String()
			}
			local.Handlers = append(local.Handlers, id)
		}
	}
	for cur := range insp.Root().Preorder((*ast.CallExpr)(nil)) {
		fn := durable.Callee(info, cur.Node().(*ast.CallExpr))
		if durable.IsPkgFunc(fn, durable.DurableRuntimePath, "New") || durable.IsPkgFunc(fn, durable.InngestPath, "NewClient") {
			local.Engines++
		}
	}
	if pass.Pkg.Name() != "main" {
		if local.Defined > 0 || local.Engines > 0 {
			pass.ExportPackageFact(local)
		}
		return nil, nil
	}
	var mainDecl *ast.FuncDecl
	for _, f := range pass.Files {
		for _, d := range f.Decls {
			if fd, ok := d.(*ast.FuncDecl); ok && fd.Recv == nil && fd.Name.Name == "main" {
				mainDecl = fd
			}
		}
	}
	if mainDecl == nil {
		return nil, nil
	}
	total := *local
	for _, pf := range pass.AllPackageFacts() {
		if f, ok := pf.Fact.(*Functions); ok && pf.Package != pass.Pkg {
			total.Defined += f.Defined
			total.WithOnFailure += f.WithOnFailure
			total.Handlers = append(total.Handlers, f.Handlers...)
			total.Engines += f.Engines
		}
	}
	if total.Engines == 0 || total.Defined == 0 || len(total.Handlers) > 0 || total.WithOnFailure == total.Defined {
		return nil, nil
	}
	ig := ignore.New(pass, name)
	defer ig.Finish()
	without := total.Defined - total.WithOnFailure
	ig.Report(analysis.Diagnostic{Pos: mainDecl.Name.Pos(), End: mainDecl.Name.End(),
		Message: fmt.Sprintf("this program runs %d durable function(s), %d of them with no OnFailure, and none handles %s: a run that fails for good goes unnoticed; define a function triggered by runtime.FunctionFailed.Trigger() that alerts or compensates, or set OnFailure on every function",
			total.Defined, without, DurableFailed)})
	return nil, nil
}

// triggersOnFailure reports whether a trigger expression includes the failure event.
func triggersOnFailure(info *types.Info, e ast.Expr) bool {
	found := false
	ast.Inspect(e, func(n ast.Node) bool {
		call, ok := n.(*ast.CallExpr)
		if !ok || found {
			return !found
		}
		fn := durable.Callee(info, call)
		switch {
		case durable.IsPkgFunc(fn, durable.DurableRuntimePath, "EventTrigger"), durable.IsPkgFunc(fn, durable.InngestPath, "EventTrigger"):
			if len(call.Args) > 0 && isFailedName(info, call.Args[0]) {
				found = true
			}
		case fn != nil && (fn.Name() == "Trigger" || fn.Name() == "TriggerIf") && fn.Pkg() != nil && fn.Pkg().Path() == durable.DurableRuntimePath:
			// runtime.FunctionFailed.Trigger(), or any EventType of the failure event.
			if sel, ok := ast.Unparen(call.Fun).(*ast.SelectorExpr); ok {
				v, _ := objOf(info, sel.X).(*types.Var)
				if v != nil && v.Pkg() != nil && v.Pkg().Path() == durable.DurableRuntimePath && v.Name() == "FunctionFailed" {
					found = true
				}
			}
		}
		return !found
	})
	if !found {
		// inngestgo.Trigger{Event: "inngest/function.failed"} literals.
		ast.Inspect(e, func(n ast.Node) bool {
			if lit, ok := n.(*ast.CompositeLit); ok {
				if v := durable.FieldOf(lit, "Event"); v != nil && isFailedName(info, v) {
					found = true
				}
			}
			return !found
		})
	}
	return found
}

func objOf(info *types.Info, e ast.Expr) types.Object {
	switch x := ast.Unparen(e).(type) {
	case *ast.Ident:
		return info.Uses[x]
	case *ast.SelectorExpr:
		return info.Uses[x.Sel]
	}
	return nil
}

func isFailedName(info *types.Info, e ast.Expr) bool {
	tv, ok := info.Types[e]
	if !ok || tv.Value == nil || tv.Value.Kind() != constant.String {
		return false
	}
	s := constant.StringVal(tv.Value)
	return s == DurableFailed || s == InngestFailed
}
