// Package group is a test stub with the shapes of
// github.com/inngest/inngestgo/group.
package group

import "context"

type Result struct {
	Error error
	Value any
}

type Results []Result

func (r Results) AnyError() error {
	for _, res := range r {
		if res.Error != nil {
			return res.Error
		}
	}
	return nil
}

func Parallel(ctx context.Context, fns ...func(ctx context.Context) (any, error)) Results {
	return nil
}
