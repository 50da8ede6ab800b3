package main

import (
	"context"

	"fhfuncs"
	"fhlib"
)

func main() { // want `^this program runs 2 durable function\(s\) and none handles durable/function.failed; 2 of them`
	fhlib.Start(context.Background(), fhfuncs.Ship)
}
