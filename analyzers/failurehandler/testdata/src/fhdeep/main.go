package main

// The failure handler is defined in a package main reaches only through
// fhapp and the generated registry.

import (
	"context"

	"fhapp"
)

func main() {
	fhapp.Run(context.Background())
}
