package registry // want package:`registers\(unregfns.Charge, unregfns.Ship\)`

// Package registry is what `durable generate` writes.
