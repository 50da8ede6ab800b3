package runtime_test

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"testing"

	"github.com/durable-go/durable/runtime"
	"github.com/durable-go/durable/runtime/store/sqlite"
)

// BenchmarkHTTPIngest sends batches of 100 events (no function triggered:
// decoding, checks and the store's commit) through POST /e/{key} on a
// loopback server, and reports events per second.
func BenchmarkHTTPIngest(b *testing.B) {
	st, err := sqlite.Open(filepath.Join(b.TempDir(), "bench.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	opts := prodOpts()
	eng, err := runtime.New(runtime.Options{Store: st, HTTP: opts, Events: []runtime.EventDescriptor{orderType}})
	if err != nil {
		b.Fatal(err)
	}
	if err := eng.Start(context.Background()); err != nil {
		b.Fatal(err)
	}
	defer eng.Stop(context.Background())
	srv := httptest.NewServer(eng.Handler())
	defer srv.Close()
	const batch = 100
	b.ResetTimer()
	for i := range b.N {
		var body bytes.Buffer
		body.WriteString("[")
		for j := range batch {
			if j > 0 {
				body.WriteString(",")
			}
			fmt.Fprintf(&body, `{"name":"test/order","id":"b-%d-%d","data":{"order_id":"A-%d","amount":%d}}`, i, j, j, j)
		}
		body.WriteString("]")
		res, err := srv.Client().Post(srv.URL+"/e/"+testEventKey, "application/json", &body)
		if err != nil {
			b.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != http.StatusOK {
			b.Fatalf("status %d", res.StatusCode)
		}
	}
	b.ReportMetric(float64(b.N*batch)/b.Elapsed().Seconds(), "events/s")
}
