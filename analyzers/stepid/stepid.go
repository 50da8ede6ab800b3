package stepid

import (
	_ "embed"
	"fmt"
	"go/ast"
	"go/constant"
	"go/token"
	"go/types"
	"path/filepath"
	"regexp"
	"sort"
	"strings"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/analysis/passes/inspect"
	"golang.org/x/tools/go/ast/inspector"

	"github.com/durable-go/durable/analyzers/internal/callchain"
	"github.com/durable-go/durable/analyzers/internal/durable"
	"github.com/durable-go/durable/analyzers/internal/effects"
	"github.com/durable-go/durable/analyzers/internal/ignore"
)

const name = "stepid"

//go:embed doc.go
var doc string

// Analyzer reports duplicate, nondeterministic and generic step IDs.
var Analyzer = &analysis.Analyzer{
	Name:      name,
	Doc:       durable.ExtractDoc(doc, name),
	URL:       durable.DocURL(name),
	Requires:  []*analysis.Analyzer{inspect.Analyzer, durable.Analyzer},
	Run:       run,
	FactTypes: []analysis.Fact{new(idsFact), new(nondetFact)},
}

// idsFact records the step IDs a function uses: constant IDs of the steps
// it starts (directly or through helpers), and parameters it uses as a
// step ID, so that callers can check them.
type idsFact struct {
	IDs    []IDUse
	Params []ParamID
}

// IDUse is a constant step ID used at Site ("file.go:12:3") through Chain
// ("charge → step.Run").
type IDUse struct {
	ID, Site, Chain string
}

// ParamID says that parameter Index is used as the ID of the step Chain reaches.
type ParamID struct {
	Index int
	Chain string
}

func (*idsFact) AFact() {}

func (f *idsFact) String() string {
	var parts []string
	for _, u := range f.IDs {
		parts = append(parts, fmt.Sprintf("%q", u.ID))
	}
	for _, p := range f.Params {
		parts = append(parts, fmt.Sprintf("param%d", p.Index))
	}
	return "stepIDs(" + strings.Join(parts, " ") + ")"
}

// nondetFact marks a function whose result differs from call to call: it
// returns the value of time.Now, a UUID, a random number..., directly or
// through other functions.
type nondetFact struct {
	Why string
}

func (*nondetFact) AFact()           {}
func (f *nondetFact) String() string { return "nondet(" + f.Why + ")" }

// genericID matches IDs that say nothing about what the step does.
var genericID = regexp.MustCompile(`^(step|task|job|action|activity|work|fn|func|function|handler|op|operation|process|do|run|handle|execute|exec|call|perform|main|tmp|temp|test|foo|bar|baz|todo|thing|stuff|s|x|y|z)?[-_ ]?[0-9]*$`)

func isGeneric(id string) bool {
	return genericID.MatchString(strings.ToLower(strings.TrimSpace(id)))
}

type checker struct {
	pass *analysis.Pass
	res  *durable.Result
	rep  *ignore.Reporter
	// decls are the function declarations of the package.
	decls map[*types.Func]*ast.FuncDecl
	facts map[*types.Func]*idsFact
	busy  map[*types.Func]bool
	// defs maps local variables to the expression that initialised them.
	defs map[*types.Var]ast.Expr
	// mapRange maps range variables to the loop that ranges over a map.
	mapRange map[*types.Var]*ast.RangeStmt
	// listRange maps the value variable of a range over a slice, an array
	// or a channel to its loop; listIndex maps index variables likewise.
	listRange, listIndex map[*types.Var]*ast.RangeStmt
	// nondet memoizes funcNondet for functions of this package.
	nondet     map[*types.Func]string
	nondetBusy map[*types.Func]bool
}

func run(pass *analysis.Pass) (any, error) {
	res := pass.ResultOf[durable.Analyzer].(*durable.Result)
	if !res.Relevant {
		return nil, nil
	}
	ins := pass.ResultOf[inspect.Analyzer].(*inspector.Inspector)
	c := &checker{
		pass: pass, res: res, rep: ignore.New(pass, name),
		decls: map[*types.Func]*ast.FuncDecl{}, facts: map[*types.Func]*idsFact{}, busy: map[*types.Func]bool{},
		defs: map[*types.Var]ast.Expr{}, mapRange: map[*types.Var]*ast.RangeStmt{},
		listRange: map[*types.Var]*ast.RangeStmt{}, listIndex: map[*types.Var]*ast.RangeStmt{},
		nondet: map[*types.Func]string{}, nondetBusy: map[*types.Func]bool{},
	}
	defer c.rep.Finish()
	info := pass.TypesInfo
	for n := range ins.PreorderSeq((*ast.FuncDecl)(nil), (*ast.AssignStmt)(nil), (*ast.ValueSpec)(nil), (*ast.RangeStmt)(nil)) {
		switch n := n.(type) {
		case *ast.FuncDecl:
			if fn, ok := info.Defs[n.Name].(*types.Func); ok && n.Body != nil {
				c.decls[fn] = n
			}
		case *ast.AssignStmt:
			if n.Tok == token.DEFINE && len(n.Lhs) == len(n.Rhs) {
				for i, l := range n.Lhs {
					if id, ok := l.(*ast.Ident); ok {
						if v, ok := info.Defs[id].(*types.Var); ok {
							c.defs[v] = n.Rhs[i]
						}
					}
				}
			}
		case *ast.ValueSpec:
			if len(n.Names) == len(n.Values) {
				for i, id := range n.Names {
					if v, ok := info.Defs[id].(*types.Var); ok {
						c.defs[v] = n.Values[i]
					}
				}
			}
		case *ast.RangeStmt:
			if n.Tok != token.DEFINE {
				continue
			}
			if rangesOverMap(info, n.X) {
				for _, e := range []ast.Expr{n.Key, n.Value} {
					if id, ok := e.(*ast.Ident); ok {
						if v, ok := info.Defs[id].(*types.Var); ok {
							c.mapRange[v] = n
						}
					}
				}
				continue
			}
			if tv, ok := info.Types[n.X]; ok && !fromMapKeys(info, n.X) {
				switch u := tv.Type.Underlying().(type) {
				case *types.Slice, *types.Array, *types.Chan, *types.Pointer:
					value := n.Value
					if _, isChan := u.(*types.Chan); isChan {
						value = n.Key // for v := range ch
					} else if id, ok := n.Key.(*ast.Ident); ok {
						if v, ok := info.Defs[id].(*types.Var); ok {
							c.listIndex[v] = n
						}
					}
					if id, ok := value.(*ast.Ident); ok {
						if v, ok := info.Defs[id].(*types.Var); ok {
							c.listRange[v] = n
						}
					}
				}
			}
		}
	}

	// Facts for every function declared here.
	fns := make([]*types.Func, 0, len(c.decls))
	for fn := range c.decls {
		fns = append(fns, fn)
	}
	sort.Slice(fns, func(i, j int) bool { return fns[i].Pos() < fns[j].Pos() })
	for _, fn := range fns {
		if f := c.factOf(fn); f != nil && (len(f.IDs) > 0 || len(f.Params) > 0) {
			pass.ExportObjectFact(fn, f)
		}
		if why, ok := c.funcNondet(fn); ok {
			pass.ExportObjectFact(fn, &nondetFact{Why: why})
		}
	}

	// Generic and nondeterministic IDs, at every step call.
	for _, s := range res.Steps {
		if s.ID == nil {
			continue
		}
		if s.Kind == durable.Version && c.computedChangeID(s.ID) {
			c.rep.Report(analysis.Diagnostic{
				Pos: s.ID.Pos(), End: s.ID.End(),
				Message: "the change ID of step.Version must be a constant string: a run records the version it follows under that ID, " +
					"and an ID computed at run time names no change (a replay looks for a version the journal may not hold); " +
					"name the change (\"tax-before-charge\")",
			})
			continue
		}
		c.checkID(s.ID, s.Name())
	}

	// IDs handed to helpers that use a parameter as a step ID.
	for n := range ins.PreorderSeq((*ast.CallExpr)(nil)) {
		call := n.(*ast.CallExpr)
		if res.Step(call) != nil {
			continue
		}
		fn := durable.Callee(info, call)
		if fn == nil {
			continue
		}
		f := c.factOf(fn)
		if f == nil {
			continue
		}
		sig, _ := fn.Type().(*types.Signature)
		for _, pid := range f.Params {
			if pid.Index < len(call.Args) && !(sig != nil && sig.Variadic() && pid.Index >= sig.Params().Len()-1) {
				c.checkID(call.Args[pid.Index], callchain.FuncName(fn)+" → "+pid.Chain)
			}
		}
	}

	// Duplicates, per durable body and per helper declaring steps.
	for _, b := range res.Bodies {
		c.duplicates(b.Node, b.Block)
	}
	// Literals handed to a registration helper are functions of their own.
	for n := range ins.PreorderSeq((*ast.FuncLit)(nil)) {
		if lit := n.(*ast.FuncLit); res.IsRegistered(lit) {
			c.duplicates(lit, lit.Body)
		}
	}
	for _, fn := range fns {
		d := c.decls[fn]
		if res.BodyOf(d) == nil {
			c.duplicates(d, d.Body)
		}
	}
	return nil, nil
}

// fromMapKeys reports whether x is built from a map's keys or deduplicated
// (slices.Sorted(maps.Keys(m)), slices.Compact(xs)): its elements are unique.
func fromMapKeys(info *types.Info, x ast.Expr) bool {
	found := false
	ast.Inspect(x, func(n ast.Node) bool {
		if call, ok := n.(*ast.CallExpr); ok {
			if fn := durable.Callee(info, call); fn != nil && fn.Pkg() != nil {
				switch fn.Pkg().Path() + "." + fn.Name() {
				case "maps.Keys", "slices.Compact", "golang.org/x/exp/maps.Keys":
					found = true
				}
			}
		}
		return !found
	})
	return found
}

func rangesOverMap(info *types.Info, x ast.Expr) bool {
	tv, ok := info.Types[x]
	if !ok {
		return false
	}
	if _, ok := tv.Type.Underlying().(*types.Map); ok {
		return true
	}
	// maps.Keys, maps.Values, maps.All iterate in map order.
	if call, ok := ast.Unparen(x).(*ast.CallExpr); ok {
		if fn := durable.Callee(info, call); fn != nil && fn.Pkg() != nil && fn.Pkg().Path() == "maps" {
			switch fn.Name() {
			case "Keys", "Values", "All":
				return true
			}
		}
	}
	return false
}

// computedChangeID reports whether the change ID of a step.Version is
// neither a constant nor a parameter of the function around it (a helper
// gating changes for its callers, whose IDs are checked where they call it).
func (c *checker) computedChangeID(e ast.Expr) bool {
	if _, ok := c.constID(e); ok {
		return false
	}
	if id, ok := ast.Unparen(e).(*ast.Ident); ok {
		if v, ok := c.pass.TypesInfo.Uses[id].(*types.Var); ok && v.Kind() == types.ParamVar {
			return false
		}
	}
	return true
}

func (c *checker) constID(e ast.Expr) (string, bool) {
	tv, ok := c.pass.TypesInfo.Types[e]
	if !ok || tv.Value == nil || tv.Value.Kind() != constant.String {
		return "", false
	}
	return constant.StringVal(tv.Value), true
}

func (c *checker) site(pos token.Pos) string {
	p := c.pass.Fset.Position(pos)
	return fmt.Sprintf("%s:%d:%d", filepath.Base(p.Filename), p.Line, p.Column)
}

// occurrence is a step ID used in a function: by one of its own step calls,
// or by a helper it calls.
type occurrence struct {
	id    string
	site  string    // identifies the step call that uses the ID
	pos   token.Pos // where, in the function, the ID comes in
	chain string    // "" for a direct step call, else "helper → step.Run"
	via   callchain.Chain
}

// walk visits the nodes of block that belong to the function itself: not
// nested durable bodies.
func (c *checker) walk(self ast.Node, block *ast.BlockStmt, visit func(n ast.Node) bool) {
	ast.Inspect(block, func(n ast.Node) bool {
		if n == nil {
			return false
		}
		if lit, ok := n.(*ast.FuncLit); ok && lit != self && (c.res.BodyOf(lit) != nil || c.res.IsRegistered(lit)) {
			return false
		}
		return visit(n)
	})
}

// occurrences lists the step IDs that self uses, in source order.
func (c *checker) occurrences(self ast.Node, block *ast.BlockStmt, params map[*types.Var]int) (occs []occurrence, pids []ParamID) {
	info := c.pass.TypesInfo
	c.walk(self, block, func(n ast.Node) bool {
		call, ok := n.(*ast.CallExpr)
		if !ok {
			return true
		}
		if s := c.res.Step(call); s != nil {
			if s.ID == nil {
				return true
			}
			if id, ok := c.constID(s.ID); ok {
				occs = append(occs, occurrence{id: id, site: c.site(call.Pos()), pos: call.Pos()})
			} else if p, ok := paramOf(info, s.ID, params); ok {
				pids = append(pids, ParamID{Index: p, Chain: s.Name()})
			}
			return true
		}
		fn := durable.Callee(info, call)
		if fn == nil {
			return true
		}
		f := c.factOf(fn)
		if f == nil {
			return true
		}
		name := callchain.FuncName(fn)
		for _, u := range f.IDs {
			occs = append(occs, occurrence{id: u.ID, site: u.Site, pos: call.Pos(), chain: name + " → " + u.Chain})
		}
		sig, _ := fn.Type().(*types.Signature)
		for _, pid := range f.Params {
			if pid.Index >= len(call.Args) || (sig != nil && sig.Variadic() && pid.Index >= sig.Params().Len()-1) {
				continue
			}
			arg := call.Args[pid.Index]
			chain := name + " → " + pid.Chain
			if id, ok := c.constID(arg); ok {
				occs = append(occs, occurrence{id: id, site: c.site(call.Pos()), pos: call.Pos(), chain: chain})
			} else if p, ok := paramOf(info, arg, params); ok {
				pids = append(pids, ParamID{Index: p, Chain: chain})
			}
		}
		return true
	})
	return occs, pids
}

func paramOf(info *types.Info, e ast.Expr, params map[*types.Var]int) (int, bool) {
	id, ok := ast.Unparen(e).(*ast.Ident)
	if !ok {
		return 0, false
	}
	v, _ := info.Uses[id].(*types.Var)
	i, ok := params[v]
	return i, ok
}

// factOf returns the IDs fn uses (nil if none): computed for functions of
// this package, imported for others.
func (c *checker) factOf(fn *types.Func) *idsFact {
	fn = fn.Origin()
	if fn.Pkg() != c.pass.Pkg {
		f := new(idsFact)
		if c.pass.ImportObjectFact(fn, f) {
			return f
		}
		return nil
	}
	if f, ok := c.facts[fn]; ok {
		return f
	}
	d := c.decls[fn]
	if d == nil || c.busy[fn] {
		return nil // recursion: what is being computed is not known yet
	}
	c.busy[fn] = true
	defer delete(c.busy, fn)
	params := map[*types.Var]int{}
	sig := fn.Type().(*types.Signature)
	for i := range sig.Params().Len() {
		params[sig.Params().At(i)] = i
	}
	occs, pids := c.occurrences(d, d.Body, params)
	f := &idsFact{Params: pids}
	seen := map[string]bool{}
	for _, o := range occs {
		if seen[o.id] {
			continue // duplicates inside fn are reported in fn
		}
		seen[o.id] = true
		chain := o.chain
		if chain == "" {
			chain = "step"
			if s := c.res.Step(stepAt(c.res, o.pos)); s != nil {
				chain = s.Name()
			}
		}
		f.IDs = append(f.IDs, IDUse{ID: o.id, Site: o.site, Chain: chain})
	}
	if len(f.IDs) == 0 && len(f.Params) == 0 {
		f = nil
	}
	c.facts[fn] = f
	return f
}

func stepAt(res *durable.Result, pos token.Pos) *ast.CallExpr {
	for _, s := range res.Steps {
		if s.Call.Pos() == pos {
			return s.Call
		}
	}
	return nil
}

// duplicates reports IDs used by two different step calls in one function.
func (c *checker) duplicates(self ast.Node, block *ast.BlockStmt) {
	occs, _ := c.occurrences(self, block, nil)
	if len(occs) < 2 {
		return
	}
	branches := branchPaths(self, block)
	first := map[string]occurrence{}
	for _, o := range occs {
		f, ok := first[o.id]
		if !ok {
			first[o.id] = o
			continue
		}
		if f.site == o.site || exclusive(branches, f.pos, o.pos) {
			continue
		}
		p := c.pass.Fset.Position(f.pos)
		firstDesc := fmt.Sprintf("line %d", p.Line)
		if f.chain != "" {
			firstDesc += " (" + f.chain + ")"
		}
		what := fmt.Sprintf("step ID %q", o.id)
		if o.chain != "" {
			what += " (used by " + o.chain + ")"
		}
		c.rep.Report(analysis.Diagnostic{
			Pos: o.pos,
			Message: fmt.Sprintf("%s is already used in this function, at %s: steps are matched to the journal by ID and occurrence, so a run that skips or reorders one of them gets the other's recorded result; give each step its own ID",
				what, firstDesc),
			Related: []analysis.RelatedInformation{{Pos: f.pos, Message: fmt.Sprintf("step ID %q first used here", o.id)}},
		})
	}
}

// branchPaths records, for each if and switch of the function, the extent
// of each of its branches, so that IDs in mutually exclusive branches are
// not reported as duplicates.
type branch struct {
	stmt     ast.Node
	idx      int
	pos, end token.Pos
}

func branchPaths(self ast.Node, block *ast.BlockStmt) []branch {
	var out []branch
	ast.Inspect(block, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.IfStmt:
			out = append(out, branch{n, 0, n.Body.Pos(), n.Body.End()})
			if n.Else != nil {
				out = append(out, branch{n, 1, n.Else.Pos(), n.Else.End()})
			}
		case *ast.SwitchStmt:
			for i, cc := range n.Body.List {
				out = append(out, branch{n, i, cc.Pos(), cc.End()})
			}
		case *ast.TypeSwitchStmt:
			for i, cc := range n.Body.List {
				out = append(out, branch{n, i, cc.Pos(), cc.End()})
			}
		case *ast.SelectStmt:
			for i, cc := range n.Body.List {
				out = append(out, branch{n, i, cc.Pos(), cc.End()})
			}
		}
		return true
	})
	return out
}

func exclusive(branches []branch, a, b token.Pos) bool {
	for _, x := range branches {
		if a < x.pos || a >= x.end {
			continue
		}
		for _, y := range branches {
			if y.stmt == x.stmt && y.idx != x.idx && b >= y.pos && b < y.end {
				return true
			}
		}
	}
	return false
}

// checkID reports a generic constant ID, or an ID built from a value that
// differs between executions of the same run.
func (c *checker) checkID(e ast.Expr, step string) {
	if id, ok := c.constID(e); ok {
		if isGeneric(id) {
			c.rep.Report(analysis.Diagnostic{
				Pos: e.Pos(), End: e.End(), Category: "advice",
				Message: fmt.Sprintf("step ID %q is generic: name what the step does (\"charge-card\", \"send-receipt\"); IDs are how run history, logs and the journal name a step, and numbered or generic IDs get reused when steps are added", id),
			})
		}
		return
	}
	if why, at, ok := c.nondeterministic(e, 0, map[*types.Var]bool{}); ok {
		c.rep.Report(analysis.Diagnostic{
			Pos: e.Pos(), End: e.End(),
			Message: fmt.Sprintf("the ID of this %s is built from %s, which differs when the run is replayed: the replay looks for a step the journal does not have and the run fails with a non-determinism error (or repeats the step); build IDs from constants and event data", step, why),
			Related: []analysis.RelatedInformation{{Pos: at, Message: why}},
		})
		return
	}
	if v, r, ok := c.repeatable(e, 0); ok {
		c.rep.Report(analysis.Diagnostic{
			Pos: e.Pos(), End: e.End(), Category: "advice",
			Message: fmt.Sprintf("the ID of this %s is built from %s, an element of the list this loop ranges over, which may repeat: steps that share an ID are told apart only by the order they run in, so run history and logs cannot say which element a step was for, and a list whose order or content changes between deploys makes a resumed run pick up another element's result; build the ID from the loop index or a unique key of the element (its ID)", step, v.Name()),
			Related: []analysis.RelatedInformation{{Pos: r.Pos(), Message: "the loop"}},
		})
	}
}

// uniqueField matches the names of fields that identify what they belong
// to (not Name: tool, user and node names repeat).
var uniqueField = regexp.MustCompile(`^(?i:id|key|uuid|slug|sku|email|path|url|index|idx|num|number|seq)$|(ID|Id|Key|UUID|Uuid|Slug|SKU|Sku|Email|Path|URL|Url|Index|Idx|Num|Number|Seq)$|_(?i:id|key)$`)

// repeatable reports whether a non-constant ID is built from the value of a
// range over a list (string(node.Type), "notify-"+user.Plan) rather than
// from the loop index or a field that identifies the element (user.ID).
func (c *checker) repeatable(e ast.Expr, depth int) (*types.Var, *ast.RangeStmt, bool) {
	if depth > 3 {
		return nil, nil, false
	}
	info := c.pass.TypesInfo
	var found *types.Var
	var loop *ast.RangeStmt
	unique := false
	ast.Inspect(e, func(n ast.Node) bool {
		if unique {
			return false
		}
		switch n := n.(type) {
		case *ast.FuncLit:
			return false
		case *ast.SelectorExpr:
			if sel, ok := info.Selections[n]; ok && sel.Kind() == types.FieldVal && uniqueField.MatchString(n.Sel.Name) {
				if id, ok := ast.Unparen(n.X).(*ast.Ident); ok {
					if v, _ := info.Uses[id].(*types.Var); v != nil && c.listRange[v] != nil {
						unique = true
						return false
					}
				}
			}
			if _, ok := info.Selections[n]; !ok {
				return false // pkg.Name
			}
		case *ast.Ident:
			v, _ := info.Uses[n].(*types.Var)
			if v == nil {
				return true
			}
			if c.listIndex[v] != nil {
				unique = true
				return false
			}
			if r := c.listRange[v]; r != nil && found == nil {
				if uniqueField.MatchString(v.Name()) {
					unique = true // for _, orderID := range ids
					return false
				}
				found, loop = v, r
				return true
			}
			if d, ok := c.defs[v]; ok && found == nil && d != e {
				if fv, fr, ok := c.repeatable(d, depth+1); ok {
					found, loop = fv, fr
				}
			}
		}
		return true
	})
	if unique || found == nil {
		return nil, nil, false
	}
	return found, loop, true
}

// nondeterministic reports whether e depends on a value that can change
// between the first execution of a run and its replays.
func (c *checker) nondeterministic(e ast.Expr, depth int, seen map[*types.Var]bool) (string, token.Pos, bool) {
	if depth > 4 {
		return "", token.NoPos, false
	}
	info := c.pass.TypesInfo
	var why string
	var at token.Pos
	ast.Inspect(e, func(n ast.Node) bool {
		if why != "" {
			return false
		}
		switch n := n.(type) {
		case *ast.FuncLit:
			return false
		case *ast.CallExpr:
			fn := durable.Callee(info, n)
			if fn == nil {
				return true
			}
			if eff, ok := effects.Classify(fn); ok {
				switch eff.Kind {
				case effects.Clock, effects.Random, effects.UUID, effects.Nondetermin:
					why, at = callchain.FuncName(fn)+"() (a "+string(eff.Kind)+")", n.Pos()
					return false
				}
			}
			switch effects.Key(fn) {
			case "os.Getpid", "os.Hostname", "os.Getppid":
				why, at = callchain.FuncName(fn)+"() (differs between workers)", n.Pos()
				return false
			}
			if w, ok := c.funcNondet(fn); ok {
				why, at = callchain.FuncName(fn)+"(), which returns "+w, n.Pos()
				return false
			}
		case *ast.SelectorExpr:
			// Input.Attempt changes when the run is retried.
			if sel, ok := info.Selections[n]; ok && sel.Kind() == types.FieldVal && n.Sel.Name == "Attempt" {
				if durable.InputProfile(sel.Recv()) != durable.None {
					why, at = "the attempt number (Input.Attempt changes on every retry)", n.Pos()
					return false
				}
				if isInngestInputCtx(sel.Recv()) {
					why, at = "the attempt number (InputCtx.Attempt changes on every retry)", n.Pos()
					return false
				}
			}
		case *ast.Ident:
			v, _ := info.Uses[n].(*types.Var)
			if v == nil || seen[v] {
				return true
			}
			seen[v] = true
			if r, ok := c.mapRange[v]; ok {
				why, at = fmt.Sprintf("%s, a variable of a range over a map (map order is random)", v.Name()), r.Pos()
				return false
			}
			if d, ok := c.defs[v]; ok {
				if w, p, ok := c.nondeterministic(d, depth+1, seen); ok {
					why, at = fmt.Sprintf("%s, which holds %s", v.Name(), w), p
					return false
				}
			}
		}
		return true
	})
	return why, at, why != ""
}

// funcNondet reports whether fn returns a value that differs from call to
// call, and which.
func (c *checker) funcNondet(fn *types.Func) (string, bool) {
	fn = fn.Origin()
	if fn.Pkg() != c.pass.Pkg {
		var f nondetFact
		if fn.Pkg() != nil && c.pass.ImportObjectFact(fn, &f) {
			return f.Why, true
		}
		return "", false
	}
	if why, ok := c.nondet[fn]; ok {
		return why, why != ""
	}
	d := c.decls[fn]
	if d == nil || c.nondetBusy[fn] {
		return "", false
	}
	c.nondetBusy[fn] = true
	defer delete(c.nondetBusy, fn)
	why := ""
	ast.Inspect(d.Body, func(n ast.Node) bool {
		if why != "" {
			return false
		}
		switch n := n.(type) {
		case *ast.FuncLit:
			return false
		case *ast.ReturnStmt:
			for _, r := range n.Results {
				if w, _, ok := c.nondeterministic(r, 0, map[*types.Var]bool{}); ok {
					why = w
					return false
				}
			}
		}
		return true
	})
	c.nondet[fn] = why
	return why, why != ""
}

// isInngestInputCtx reports whether t is inngestgo.InputCtx, where the
// Inngest SDK keeps the attempt number.
func isInngestInputCtx(t types.Type) bool {
	if p, ok := t.(*types.Pointer); ok {
		t = p.Elem()
	}
	n, ok := types.Unalias(t).(*types.Named)
	return ok && n.Obj().Pkg() != nil && n.Obj().Pkg().Path() == durable.InngestPath && n.Obj().Name() == "InputCtx"
}
