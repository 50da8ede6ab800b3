package jobs

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"time"

	"github.com/durable-go/durable/runtime"
	"github.com/durable-go/durable/runtime/step"

	"acme.dev/indexer/content"
	"acme.dev/indexer/search"
)

// RefreshPopular keeps the "popular" document, which the home page reads,
// at most five minutes old. Nothing in it needs compensating.
func (j *Jobs) RefreshPopular(ctx context.Context, in runtime.Input[runtime.CronData]) (any, error) {
	top, err := step.Run(ctx, "load-articles", func(ctx context.Context) ([]content.Article, error) { // silent: stepid (same ID in another function registered through the same helper)
		return j.repo.MostViewed(ctx, 20)
	})
	if err != nil {
		return nil, err
	}
	_, err = step.Run(ctx, "upsert-popular", func(ctx context.Context) (struct{}, error) {
		ids, err := json.Marshal(top)
		if err != nil {
			return struct{}{}, err
		}
		return struct{}{}, j.search.Upsert(ctx, search.Document{ID: "popular", Title: "Popular", Body: string(ids)})
	})
	return len(top), err
}

// ReindexStale re-sends the articles changed in the last day.
func (j *Jobs) ReindexStale(ctx context.Context, in runtime.Input[runtime.CronData]) (any, error) {
	at, err := time.Parse(time.RFC3339, in.Event.Data.At)
	if err != nil {
		return nil, runtime.NonRetriable(err)
	}
	ids, err := step.Run(ctx, "load-articles", func(ctx context.Context) ([]string, error) { // silent: stepid (same ID in another function registered through the same helper)
		return j.repo.UpdatedSince(ctx, at.Add(-24*time.Hour), 5000)
	})
	if err != nil {
		return nil, err
	}
	evs := make([]runtime.Event, len(ids))
	for k, id := range ids {
		evs[k] = content.ArticlePublished.New(content.ArticleData{ArticleID: id})
		evs[k].ID = "reindex-" + in.Event.Data.At + "-" + id
	}
	if _, err := step.SendEvent(ctx, "reindex-articles", evs...); err != nil {
		return nil, err
	}
	return len(ids), nil
}

// ReindexOnDemand is the same as the nightly job, for an operator.
func (j *Jobs) ReindexOnDemand(ctx context.Context, in runtime.Input[content.ReindexData]) (any, error) {
	return j.ReindexStale(ctx, runtime.Input[runtime.CronData]{Event: runtime.TypedEvent[runtime.CronData]{Data: runtime.CronData{At: in.Event.Data.Since}}})
}

// SyncSynonyms pushes the editors' synonym list to the live index and to
// the staging one, which the editors preview.
func (j *Jobs) SyncSynonyms(ctx context.Context, in runtime.Input[runtime.CronData]) (any, error) {
	synonyms, err := step.Run(ctx, "read-synonyms", func(ctx context.Context) (map[string][]string, error) {
		raw, err := os.ReadFile(j.synonymsFile)
		if err != nil {
			return nil, err
		}
		var synonyms map[string][]string
		if err := json.Unmarshal(raw, &synonyms); err != nil {
			return nil, runtime.NonRetriable(err)
		}
		return synonyms, nil
	})
	if err != nil {
		return nil, err
	}
	for i, client := range [...]*search.Client{j.search, j.staging} {
		if _, err := step.Run(ctx, fmt.Sprintf("push-synonyms-%d", i), func(ctx context.Context) (struct{}, error) { // silent: stepid (the loop index makes the ID unique)
			return struct{}{}, client.SetSynonyms(ctx, synonyms)
		}); err != nil {
			return nil, err
		}
	}
	return len(synonyms), nil
}
