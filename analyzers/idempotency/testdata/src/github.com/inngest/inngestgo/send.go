package inngestgo

import "context"

// Send sends an event with the default client (older SDKs); added to the
// shared stub for this analyzer's tests.
func Send(ctx context.Context, evt any) (string, error) { return "", nil }
