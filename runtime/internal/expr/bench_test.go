package expr

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
	lim := testLimits
	lim.Timeout = 1 << 62
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

// BenchmarkEvalTypical evaluates a usual trigger If and a usual key, as
// the engine does for every event, to show what the limits cost.
func BenchmarkEvalTypical(b *testing.B) {
	vars := map[string]any{"event": map[string]any{
		"name": "shop/order.created",
		"data": map[string]any{"amount": 250.0, "customer": map[string]any{"id": "c-42"},
			"items": []any{map[string]any{"sku": "a", "quantity": 1.0}, map[string]any{"sku": "b", "quantity": 3.0}}},
	}}
	b.Run("If", func(b *testing.B) {
		e, err := Compile("event.data.amount > 100.0 && event.data.customer.id != ''", false, testLimits)
		if err != nil {
			b.Fatal(err)
		}
		for b.Loop() {
			if ok, err := e.Match(testLimits, vars); !ok || err != nil {
				b.Fatal(ok, err)
			}
		}
	})
	b.Run("IfExists", func(b *testing.B) {
		e, err := Compile("event.data.amount > 100.0 && event.data.items.exists(i, i.quantity > 2.0)", false, testLimits)
		if err != nil {
			b.Fatal(err)
		}
		for b.Loop() {
			if ok, err := e.Match(testLimits, vars); !ok || err != nil {
				b.Fatal(ok, err)
			}
		}
	})
	b.Run("Key", func(b *testing.B) {
		k, err := CompileKey("Concurrency[0].Key", "event.data.customer.id", testLimits)
		if err != nil {
			b.Fatal(err)
		}
		for b.Loop() {
			if s, err := k.Text(testLimits, vars); s != "c-42" || err != nil {
				b.Fatal(s, err)
			}
		}
	})
}
