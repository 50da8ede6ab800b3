package runtime

import (
	"testing"
)

// BenchmarkExprAtCostLimit evaluates expressions until the default cost
// limit stops them: how long an evaluation may last at most.
func BenchmarkExprAtCostLimit(b *testing.B) {
	l := make([]any, 200_000)
	for i := range l {
		l[i] = float64(i)
	}
	vars := map[string]any{"event": map[string]any{"data": map[string]any{"l": l}}}
	lim := defaultLimits
	lim.exprTimeout = 1 << 62
	for _, src := range []string{
		"event.data.l.all(x, x + 1.0 >= 0.0)",
		"event.data.l.all(x, event.data.l.all(y, x + y >= 0.0))",
		"event.data.l.map(x, event.data.l.map(y, [x, y])).size() > 0",
	} {
		c, err := compileUnestimated(src, false)
		if err != nil {
			b.Fatal(err)
		}
		b.Run(src, func(b *testing.B) {
			for b.Loop() {
				if _, err := c.eval(lim, vars); err == nil {
					b.Fatal("no limit reached")
				}
			}
		})
	}
}
