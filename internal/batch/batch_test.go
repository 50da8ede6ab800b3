package batch

import (
	"slices"
	"sync"
	"testing"
)

// TestQueue adds items from many goroutines while writes are slow and
// checks that every item is written once, no batch exceeds the maximum,
// at most the given number of writers run at once, and items that arrive
// during a write are gathered into a later batch.
func TestQueue(t *testing.T) {
	for _, tc := range []struct {
		name         string
		max, writers int
	}{
		{"one writer", 8, 1},
		{"four writers", 5, 4},
		{"batches of one", 1, 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			const items = 500
			var (
				mu       sync.Mutex
				written  []int
				largest  int
				running  int
				mostRun  int
				release  = make(chan struct{})
				released sync.Once
			)
			type item struct {
				n    int
				done chan struct{}
			}
			q := New(tc.max, tc.writers, func(batch []*item) {
				mu.Lock()
				running++
				mostRun = max(mostRun, running)
				largest = max(largest, len(batch))
				mu.Unlock()
				// The first batch waits until every item is queued, so
				// later batches must gather what arrived meanwhile.
				<-release
				mu.Lock()
				for _, it := range batch {
					written = append(written, it.n)
				}
				running--
				mu.Unlock()
				for _, it := range batch {
					close(it.done)
				}
			})
			var wg sync.WaitGroup
			all := make([]*item, items)
			for i := range all {
				all[i] = &item{n: i, done: make(chan struct{})}
			}
			for _, it := range all {
				wg.Go(func() { q.Add(it) })
			}
			wg.Wait()
			released.Do(func() { close(release) })
			for _, it := range all {
				<-it.done
			}
			slices.Sort(written)
			for i, n := range written {
				if n != i {
					t.Fatalf("written items %v..., want each of 0..%d once", written[:min(len(written), 10)], items-1)
				}
			}
			if len(written) != items {
				t.Fatalf("%d items written, want %d", len(written), items)
			}
			if largest > tc.max {
				t.Errorf("a batch of %d items, want at most %d", largest, tc.max)
			}
			if tc.max > 1 && largest < 2 {
				t.Errorf("no batch held more than one item: nothing was gathered")
			}
			if mostRun > tc.writers {
				t.Errorf("%d writers ran at once, want at most %d", mostRun, tc.writers)
			}
		})
	}
}

// TestQueueRestarts checks that a queue whose writers stopped (nothing was
// queued) starts one again for the next item.
func TestQueueRestarts(t *testing.T) {
	done := make(chan int, 1)
	q := New(4, 1, func(batch []int) {
		for _, n := range batch {
			done <- n
		}
	})
	for i := range 3 {
		q.Add(i)
		if got := <-done; got != i {
			t.Fatalf("wrote %d, want %d", got, i)
		}
	}
}
