package sqlite

import (
	"context"
	"strconv"
	"testing"

	"github.com/durable-go/durable/runtime/store"
)

// BenchmarkCommitNoSync measures one writer's Updates with synchronous=OFF,
// so that the time is the store's work per commit rather than the disk's
// fsync: what counting commits in store_meta and rewriting the history
// beside the database add to each commit shows here.
func BenchmarkCommitNoSync(b *testing.B) {
	s := openTemp(b, Synchronous("OFF"))
	ctx := context.Background()
	i := 0
	for b.Loop() {
		i++
		key := strconv.Itoa(i)
		if err := s.Update(ctx, func(tx store.Tx) error { return tx.PutState(ctx, key, []byte("v")) }); err != nil {
			b.Fatal(err)
		}
	}
}
