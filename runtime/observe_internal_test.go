package runtime

import (
	"testing"

	"go.opentelemetry.io/otel"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"
	"go.opentelemetry.io/otel/trace/noop"
)

// defaultGlobalProvider is the global provider as OpenTelemetry makes it,
// read before any test can set another: takesNoTraces knows it by its type,
// which is internal to OpenTelemetry and may change with a new version.
var defaultGlobalProvider = otel.GetTracerProvider()

func TestTakesNoTraces(t *testing.T) {
	tests := []struct {
		name string
		tp   trace.TracerProvider
		want bool
	}{
		{"no-op provider", noop.NewTracerProvider(), true},
		{"pointer to a no-op provider", &noop.TracerProvider{}, true},
		{"the global provider before one is set", defaultGlobalProvider, true},
		{"SDK provider", sdktrace.NewTracerProvider(), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := takesNoTraces(tt.tp); got != tt.want {
				t.Errorf("takesNoTraces(%T) = %v, want %v", tt.tp, got, tt.want)
			}
		})
	}
}
