// Package jobs lists the billing functions for the engine.
package jobs

import (
	"example.com/lintparity/billing"

	"github.com/durable-go/durable/runtime"
)

// Functions are the billing functions main does not name itself.
func Functions() []*runtime.Function {
	var fns []*runtime.Function
	return append(fns, billing.Invoice)
}
