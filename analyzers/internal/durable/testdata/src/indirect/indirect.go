// Package indirect imports no durable API, only a package that has durable
// helpers: it is still relevant, through that package's PackageInfo fact.
package indirect

import (
	"context"

	"helpers"
)

func ChargeAll(ctx context.Context) error { // want `startsStep\(helpers.ChargeTwice → helpers.Charge → step.Run\)`
	return helpers.ChargeTwice(ctx)
}
