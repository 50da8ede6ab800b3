package main

import (
	"context"
	"fhfuncs"
	"github.com/durable-go/durable/runtime"
)

type Order struct{ ID string }

func h(ctx context.Context, in runtime.Input[Order]) (any, error) { return nil, nil }

func main() { // want `this program runs 2 durable function\(s\) and none handles durable/function.failed; 2 of them have irreversible effects and no OnFailure \(e.g. "bill": email through fhfuncs.h → fhmailer.Send → smtp.SendMail\), so a run that fails for good leaves them half done and nobody learns of it; define a function triggered by runtime.FunctionFailed.Trigger\(\) that alerts or compensates, or set OnFailure on those functions`
	eng, _ := runtime.New(runtime.Options{Functions: fhfuncs.Functions()})
	eng.Start(context.Background())
}
