package fhlib // want package:`program\(functions=\[bill ship\] onFailure=0 handlers=\[\] irreversible=\[bill ship\] engines=\[fhlib\]\)`

// This package fhlib starts engines for programs (not a program itself: no finding here).

import (
	"context"

	"fhfuncs"

	"github.com/durable-go/durable/runtime"
)

func Start(ctx context.Context, fs ...*runtime.Function) error {
	eng, err := runtime.New(runtime.Options{Functions: append(fs, fhfuncs.Functions()...)})
	if err != nil {
		return err
	}
	return eng.Start(ctx)
}
