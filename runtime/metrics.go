package runtime

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/durable-go/durable/runtime/store"
	"github.com/prometheus/client_golang/prometheus"
)

// metrics are the engine's Prometheus metrics (Options.Metrics). Counters
// and histograms are updated as things happen, after their commit; the
// queue's gauges are read from the store on each scrape.
type metrics struct {
	runsStarted    *prometheus.CounterVec
	runsFinished   *prometheus.CounterVec
	stepDuration   *prometheus.HistogramVec
	commitDuration prometheus.Histogram
	commitBatch    prometheus.Histogram
}

// maxBlockedKeys bounds the keys durable_blocked_runs_by_key reports (the
// ones with the most blocked runs), so that a key per customer cannot make
// a series per customer.
const maxBlockedKeys = 20

// queueScrapeTimeout bounds the store query of a scrape.
const queueScrapeTimeout = 5 * time.Second

func newMetrics(reg prometheus.Registerer, e *Engine) (*metrics, error) {
	m := &metrics{
		runsStarted: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "durable_runs_started_total",
			Help: "Runs whose first execution started, by function.",
		}, []string{"function"}),
		runsFinished: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "durable_runs_finished_total",
			Help: "Runs this engine ended, by function and status (completed, failed, cancelled, skipped).",
		}, []string{"function", "status"}),
		stepDuration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "durable_step_duration_seconds",
			Help:    "Time of one attempt of a step that executed (replayed steps are not counted), with its commit, by function, kind and outcome (completed, retrying, failed).",
			Buckets: prometheus.ExponentialBuckets(0.0005, 4, 10), // 0.5ms to ~2m
		}, []string{"function", "kind", "status"}),
		commitDuration: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:    "durable_store_commit_duration_seconds",
			Help:    "Time of one write transaction of the store, from its start to its commit.",
			Buckets: prometheus.ExponentialBuckets(0.0001, 3, 12), // 0.1ms to ~18s
		}),
		commitBatch: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:    "durable_store_commit_batch_size",
			Help:    "Updates committed together in one write transaction (SQLite group commit; 1 for PostgreSQL).",
			Buckets: []float64{1, 2, 4, 8, 16, 32, 64, 128, 256},
		}),
	}
	var errs []error
	for _, c := range []prometheus.Collector{m.runsStarted, m.runsFinished, m.stepDuration, m.commitDuration, m.commitBatch, &queueCollector{e: e}} {
		if err := reg.Register(c); err != nil {
			errs = append(errs, err)
		}
	}
	if err := errors.Join(errs...); err != nil {
		return nil, fmt.Errorf("Options.Metrics: %w (is another engine registered with this registry?)", err)
	}
	if co, ok := e.store.(store.CommitObserver); ok {
		co.ObserveCommits(func(c store.CommitStats) {
			m.commitDuration.Observe(c.Duration.Seconds())
			m.commitBatch.Observe(float64(c.Updates))
		})
	}
	return m, nil
}

var (
	queueDepthDesc = prometheus.NewDesc("durable_queue_depth",
		"Runs due now and not executing (queued, or sleeping or waiting past their time).", nil, nil)
	oldestReadyDesc = prometheus.NewDesc("durable_queue_oldest_ready_age_seconds",
		"How long the run due the longest has been due; 0 when none is.", nil, nil)
	blockedDesc = prometheus.NewDesc("durable_blocked_runs",
		"Runs due but held by a concurrency limit.", nil, nil)
	blockedKeysDesc = prometheus.NewDesc("durable_blocked_keys",
		"Concurrency keys with at least one blocked run.", nil, nil)
	blockedByKeyDesc = prometheus.NewDesc("durable_blocked_runs_by_key",
		fmt.Sprintf("Blocked runs of each of the %d concurrency keys with the most.", maxBlockedKeys), []string{"key"}, nil)
)

// queueCollector reads the queue's gauges from the store on each scrape,
// in one read transaction.
type queueCollector struct{ e *Engine }

func (c *queueCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- queueDepthDesc
	ch <- oldestReadyDesc
	ch <- blockedDesc
	ch <- blockedKeysDesc
	ch <- blockedByKeyDesc
}

func (c *queueCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), queueScrapeTimeout)
	defer cancel()
	now := c.e.clock.Now()
	var qs store.QueueStats
	err := c.e.store.View(ctx, func(tx store.Tx) error {
		qi, ok := tx.(store.QueueInspector)
		if !ok {
			return fmt.Errorf("the store (%T) cannot report its queue (store.QueueInspector)", tx)
		}
		var err error
		qs, err = qi.QueueStats(ctx, store.QueueStatsParams{Now: now, MaxBlockedKeys: maxBlockedKeys})
		return err
	})
	if err != nil {
		err = fmt.Errorf("durable: reading the queue's metrics: %w", err)
		ch <- prometheus.NewInvalidMetric(queueDepthDesc, err)
		return
	}
	age := 0.0
	if qs.Ready > 0 {
		age = max(now.Sub(qs.OldestReady).Seconds(), 0)
	}
	ch <- prometheus.MustNewConstMetric(queueDepthDesc, prometheus.GaugeValue, float64(qs.Ready))
	ch <- prometheus.MustNewConstMetric(oldestReadyDesc, prometheus.GaugeValue, age)
	ch <- prometheus.MustNewConstMetric(blockedDesc, prometheus.GaugeValue, float64(qs.BlockedRuns))
	ch <- prometheus.MustNewConstMetric(blockedKeysDesc, prometheus.GaugeValue, float64(qs.BlockedKeys))
	for _, k := range qs.Blocked {
		ch <- prometheus.MustNewConstMetric(blockedByKeyDesc, prometheus.GaugeValue, float64(k.Runs), k.Key)
	}
}
