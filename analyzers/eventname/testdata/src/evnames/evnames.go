// Package evnames holds event names used from another package.
package evnames

const (
	OrderCreated = "shop/order.created"
	BadShared    = "shop/OrderShipped"
)
