package store

import (
	"context"
	"time"
)

// EventLister is implemented by the Tx of every store (storetest checks
// it): it lists recent events for the web UI.
type EventLister interface {
	// ListEvents returns events newest first: by ReceivedAt, then by ID,
	// descending.
	ListEvents(ctx context.Context, f EventFilter) ([]Event, error)
}

// EventFilter selects events for ListEvents. Empty fields do not restrict.
type EventFilter struct {
	Name string
	// Before continues a listing: only the events after this position in
	// the order (received earlier, or at the same time with a smaller ID).
	Before *EventPos
	// Limit caps the number of events; 0 means no cap.
	Limit int
}

// EventPos is an event's position in ListEvents' order.
type EventPos struct {
	ReceivedAt time.Time
	ID         string
}
