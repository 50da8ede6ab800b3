package registry // want package:`defines\(unregfns.Charge, unregfns.Refund, unregfns.Ship, unregfns.helper\) registers\(unregfns.Charge, unregfns.Ship, unregfns.helper\)`

// Package registry is what `durable generate` writes.
