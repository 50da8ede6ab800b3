package main

// A 5-minute cron refreshes a cache: it reads a partner's API and writes a
// table the program owns. A failed run is retried by the next tick and leaves
// nothing to compensate, so the program needs no failure handler.

import (
	"context"
	"database/sql"
	"io"
	"net/http"

	"github.com/durable-go/durable/runtime"
	"github.com/durable-go/durable/runtime/step"
)

var db *sql.DB

var RefreshRates = runtime.NewFunction(runtime.FunctionOpts{ID: "refresh-rates"}, runtime.CronTrigger("*/5 * * * *"),
	func(ctx context.Context, in runtime.Input[struct{}]) (any, error) {
		body, err := step.Run(ctx, "fetch-rates", func(ctx context.Context) (string, error) {
			resp, err := http.Get("https://rates.example.com/latest")
			if err != nil {
				return "", err
			}
			defer resp.Body.Close()
			b, err := io.ReadAll(resp.Body)
			return string(b), err
		})
		if err != nil {
			return nil, err
		}
		return step.Run(ctx, "store-rates", func(ctx context.Context) (int64, error) {
			res, err := db.ExecContext(ctx, "INSERT INTO rates_cache(body) VALUES (?)", body)
			if err != nil {
				return 0, err
			}
			return res.RowsAffected()
		})
	})

func main() {
	runtime.New(runtime.Options{Functions: []*runtime.Function{RefreshRates}})
}
