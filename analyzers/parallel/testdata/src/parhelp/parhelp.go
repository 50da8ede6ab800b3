// Package parhelp is a client used from another package.
package parhelp

import "context"

type Doc struct{ ID string }

type CRM struct{}

func (CRM) Profile(ctx context.Context, id string) (Doc, error) { return Doc{ID: id}, nil }
func (CRM) Orders(ctx context.Context, id string) (Doc, error)  { return Doc{ID: id}, nil }
func (CRM) Score(ctx context.Context, d Doc) (int, error)       { return len(d.ID), nil }
