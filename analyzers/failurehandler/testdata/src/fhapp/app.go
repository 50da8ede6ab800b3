package fhapp // want package:`program\(functions=\[bill ship alert-on-failure\] onFailure=0 handlers=\[alert-on-failure\] irreversible=\[bill ship\] engines=\[fhapp\]\)`

// This package starts the engine with the generated registry; it defines
// no durable function of its own.

import (
	"context"

	"fhregistry"

	"github.com/durable-go/durable/runtime"
)

func Run(ctx context.Context) error {
	eng, err := runtime.New(runtime.Options{Functions: fhregistry.Functions()})
	if err != nil {
		return err
	}
	return eng.Start(ctx)
}
