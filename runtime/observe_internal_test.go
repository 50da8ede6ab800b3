package runtime

import (
	"testing"

	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"
	"go.opentelemetry.io/otel/trace/noop"
)

func TestTakesNoTraces(t *testing.T) {
	tests := []struct {
		name string
		tp   trace.TracerProvider
		want bool
	}{
		{"no-op provider", noop.NewTracerProvider(), true},
		{"pointer to a no-op provider", &noop.TracerProvider{}, true},
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
