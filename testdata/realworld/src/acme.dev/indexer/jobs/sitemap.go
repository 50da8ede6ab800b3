package jobs

import (
	"context"
	"encoding/xml"
	"os"
	"time"

	"github.com/durable-go/durable/runtime"
	"github.com/durable-go/durable/runtime/step"

	"acme.dev/indexer/content"
)

// BuildSitemap rewrites sitemap.xml once publications calm down.
var BuildSitemap = runtime.NewFunction(runtime.FunctionOpts{
	ID:       "build-sitemap",
	Debounce: &runtime.Debounce{Period: 10 * time.Minute},
}, content.ArticlePublished.Trigger(), buildSitemap)

type urlset struct {
	XMLName xml.Name `xml:"urlset"`
	URLs    []string `xml:"url>loc"`
}

func buildSitemap(ctx context.Context, in runtime.Input[content.ArticleData]) (any, error) {
	return step.Run(ctx, "write-sitemap", func(ctx context.Context) (int, error) {
		ids, err := sitemapSource.UpdatedSince(ctx, time.Time{}, 50000)
		if err != nil {
			return 0, err
		}
		set := urlset{}
		for _, id := range ids {
			set.URLs = append(set.URLs, "https://acme.dev/articles/"+id)
		}
		out, err := xml.Marshal(set)
		if err != nil {
			return 0, err
		}
		return len(ids), os.WriteFile("public/sitemap.xml", out, 0o644)
	})
}

// sitemapSource is set by New.
var sitemapSource content.Repository
