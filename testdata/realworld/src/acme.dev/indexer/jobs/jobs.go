// Package jobs keeps the search index in step with the CMS.
package jobs

import (
	"context"
	"log"
	"time"

	"github.com/durable-go/durable/runtime"
	openai "github.com/sashabaranov/go-openai"

	"acme.dev/indexer/content"
	"acme.dev/indexer/search"
	"acme.dev/indexer/translate"
)

type Jobs struct {
	repo    content.Repository
	search  *search.Client
	staging *search.Client
	deepl   *translate.DeepL
	ai      *openai.Client
	locales []string
	// synonymsFile is the synonym list the editors maintain in git.
	synonymsFile string
}

func New(repo content.Repository, live, staging *search.Client, d *translate.DeepL, ai *openai.Client, locales []string, synonymsFile string) *Jobs {
	sitemapSource = repo
	return &Jobs{repo: repo, search: live, staging: staging, deepl: d, ai: ai, locales: locales, synonymsFile: synonymsFile}
}

// Functions are the indexing workflows and the maintenance crons.
func (j *Jobs) Functions() []*runtime.Function {
	fns := []*runtime.Function{
		runtime.NewFunction(runtime.FunctionOpts{ // silent: idempotency (LLM and embedding requests, search upsert by document ID, INSERT ... ON CONFLICT DO NOTHING)
			ID:          "index-article",
			Concurrency: []runtime.Concurrency{{Limit: 4}},
			Debounce:    &runtime.Debounce{Period: 30 * time.Second, Key: "event.data.article_id"},
		}, content.ArticlePublished.Trigger(), j.IndexArticle),
		runtime.NewFunction(runtime.FunctionOpts{ // silent: idempotency (search delete by document ID)
			ID: "unindex-article",
		}, content.ArticleUnpublished.Trigger(), j.UnindexArticle),
		runtime.NewFunction(runtime.FunctionOpts{ // silent: idempotency (translation requests have no effect beyond their answer)
			ID:       "translate-article",
			Throttle: &runtime.Throttle{Limit: 20, Period: time.Minute},
		}, content.ArticleReviewed.TriggerIf("event.data.approved"), j.TranslateArticle),
		runtime.NewFunction(runtime.FunctionOpts{ID: "reindex-on-demand"}, content.Reindex.Trigger(), j.ReindexOnDemand),
	}
	register := func(id, cron string, h runtime.Handler[runtime.CronData]) {
		fns = append(fns, runtime.NewFunction(runtime.FunctionOpts{ID: id, Retries: runtime.Retries(1)}, runtime.CronTrigger(cron), h)) // silent: idempotency (the crons upsert documents by ID)
	}
	register("refresh-popular", "*/5 * * * *", j.RefreshPopular)
	register("reindex-stale", "TZ=UTC 30 3 * * *", j.ReindexStale)
	register("sync-synonyms", "0 * * * *", j.SyncSynonyms)
	return fns
}

// trace logs how long an operation on a document took; it reads the ID
// when the operation ends, so that a caller may fill it in meanwhile.
func trace(ctx context.Context, op string, id *string) func() {
	start := time.Now()
	return func() { log.Printf("%s %s took %s", op, *id, time.Since(start)) }
}
