package cronspec

import (
	_ "embed"
	"fmt"
	"go/ast"
	"go/constant"
	"go/types"
	"strings"
	"time"

	"github.com/robfig/cron/v3"
	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/analysis/passes/inspect"
	"golang.org/x/tools/go/ast/inspector"

	"github.com/durable-go/durable/analyzers/internal/durable"
	"github.com/durable-go/durable/analyzers/internal/ignore"
)

//go:embed doc.go
var doc string

const name = "cronspec"

// Analyzer reports cron specs that do not parse or fire too often.
var Analyzer = &analysis.Analyzer{
	Name:     name,
	Doc:      durable.ExtractDoc(doc, name),
	URL:      durable.DocURL(name),
	Requires: []*analysis.Analyzer{inspect.Analyzer, durable.Analyzer},
	Run:      run,
}

var minInterval = time.Minute

func init() {
	Analyzer.Flags.DurationVar(&minInterval, "min-interval", time.Minute,
		"report schedules that can fire twice within less than this duration")
}

func run(pass *analysis.Pass) (any, error) {
	res := pass.ResultOf[durable.Analyzer].(*durable.Result)
	if !res.Relevant {
		return nil, nil
	}
	insp := pass.ResultOf[inspect.Analyzer].(*inspector.Inspector)
	info := pass.TypesInfo
	ig := ignore.New(pass, name)
	defer ig.Finish()
	check := func(e ast.Expr) {
		tv, ok := info.Types[e]
		if !ok || tv.Value == nil || tv.Value.Kind() != constant.String {
			return // not a constant: nothing to say before run time
		}
		spec := constant.StringVal(tv.Value)
		if msg := Check(spec, minInterval); msg != "" {
			ig.Report(analysis.Diagnostic{Pos: e.Pos(), End: e.End(), Message: fmt.Sprintf("cron %q: %s", spec, msg)})
		}
	}
	for cur := range insp.Root().Preorder((*ast.CallExpr)(nil), (*ast.CompositeLit)(nil)) {
		switch n := cur.Node().(type) {
		case *ast.CallExpr:
			fn := durable.Callee(info, n)
			if (durable.IsPkgFunc(fn, durable.DurableRuntimePath, "CronTrigger") || durable.IsPkgFunc(fn, durable.InngestPath, "CronTrigger")) && len(n.Args) == 1 {
				check(n.Args[0])
			}
		case *ast.CompositeLit:
			if t := info.TypeOf(n); t != nil && isInngestTrigger(t) {
				if v := durable.FieldOf(n, "Cron"); v != nil {
					check(v)
				}
			}
		}
	}
	return nil, nil
}

func isInngestTrigger(t types.Type) bool {
	n, ok := types.Unalias(t).(*types.Named)
	return ok && n.Obj().Pkg() != nil && n.Obj().Pkg().Path() == durable.InngestPath && n.Obj().Name() == "Trigger"
}

// Check returns what is wrong with spec as the engine parses it, or "".
// Schedules that can fire twice within less than min are wrong too.
func Check(spec string, min time.Duration) string {
	s := strings.TrimSpace(spec)
	if s == "" {
		return "empty schedule"
	}
	loc := time.UTC
	for _, p := range []string{"CRON_TZ=", "TZ="} {
		if strings.HasPrefix(s, p) {
			zone, rest, ok := strings.Cut(strings.TrimPrefix(s, p), " ")
			if !ok || strings.TrimSpace(rest) == "" {
				return "a schedule must follow the time zone"
			}
			l, err := time.LoadLocation(zone)
			if err != nil || zone == "" || zone == "Local" {
				return fmt.Sprintf("unknown time zone %q: use an IANA name such as Europe/Paris or America/New_York", zone)
			}
			loc = l
			s = strings.TrimSpace(rest)
			break
		}
	}
	sched, err := cron.ParseStandard(s)
	if err != nil {
		return "does not parse: " + err.Error() + " (want minute hour day-of-month month day-of-week, or @hourly, @daily, @every <duration>)"
	}
	if min > 0 {
		if gap, at := shortestInterval(sched, loc); gap > 0 && gap < min {
			when := ""
			if !at.IsZero() {
				when = fmt.Sprintf(" (%s then %s)", at.Format("15:04"), at.Add(gap).Format("15:04"))
			}
			return fmt.Sprintf("fires every %s%s, more often than the floor of %s (-min-interval): schedule it less often, or trigger the work with events", gap, when, min)
		}
	}
	return ""
}

// shortestInterval returns the shortest gap between two consecutive
// firings over a year of firings (at most a few thousand), and when it
// starts; a schedule that never fires returns 0.
func shortestInterval(sched cron.Schedule, loc *time.Location) (time.Duration, time.Time) {
	if e, ok := sched.(cron.ConstantDelaySchedule); ok {
		return e.Delay, time.Time{}
	}
	t := time.Date(2026, 1, 1, 0, 0, 0, 0, loc)
	end := t.AddDate(1, 0, 0)
	var best time.Duration
	var at time.Time
	prev := sched.Next(t)
	for i := 0; i < 5000 && !prev.IsZero() && prev.Before(end); i++ {
		next := sched.Next(prev)
		if next.IsZero() {
			break
		}
		if gap := next.Sub(prev); best == 0 || gap < best {
			best, at = gap, prev
		}
		prev = next
	}
	return best, at
}
