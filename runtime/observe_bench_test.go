package runtime_test

import (
	"context"
	"testing"

	"github.com/durable-go/durable/runtime"
	"github.com/prometheus/client_golang/prometheus"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
)

// BenchmarkWorkflow3StepsObserved is BenchmarkWorkflow3Steps with tracing
// (the SDK's tracer, every span sampled, batched to an exporter that
// discards them) and Prometheus metrics on: compare the two with benchstat
// for the cost of observability.
func BenchmarkWorkflow3StepsObserved(b *testing.B) {
	tp := sdktrace.NewTracerProvider(sdktrace.WithBatcher(tracetest.NewNoopExporter()))
	defer tp.Shutdown(context.Background())
	benchmarkWorkflow(b, runtime.FunctionOpts{ID: "three-steps"}, func(o *runtime.Options) {
		o.TracerProvider = tp
		o.Metrics = prometheus.NewRegistry()
	})
}
