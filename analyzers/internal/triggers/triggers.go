// Package triggers answers questions about a durable function's trigger
// expression that several analyzers ask.
package triggers

import (
	"go/ast"
	"go/types"

	"github.com/durable-go/durable/analyzers/internal/durable"
)

// CronOnly reports whether every trigger in a definition's trigger
// expression is a cron schedule (runtime.CronTrigger, inngestgo.CronTrigger,
// possibly combined with runtime.Triggers or inngestgo.MultipleTriggers):
// its runs come one per tick, never in a burst nor from a duplicated event.
func CronOnly(info *types.Info, trigger ast.Expr) bool {
	crons, others := 0, 0
	ast.Inspect(trigger, func(n ast.Node) bool {
		call, ok := n.(*ast.CallExpr)
		if !ok {
			return true
		}
		fn := durable.Callee(info, call)
		switch {
		case durable.IsPkgFunc(fn, durable.DurableRuntimePath, "CronTrigger"), durable.IsPkgFunc(fn, durable.InngestPath, "CronTrigger"):
			crons++
			return false
		case durable.IsPkgFunc(fn, durable.DurableRuntimePath, "Triggers"):
			return true
		}
		others++
		return false
	})
	return crons > 0 && others == 0
}
