// Command indexer runs the search indexing workflows: as a long-running
// server by default, as a serverless handler when built with -tags lambda.
package main

import (
	"database/sql"
	"os"
	"strings"

	"github.com/durable-go/durable/runtime"
	openai "github.com/sashabaranov/go-openai"

	"acme.dev/indexer/content"
	"acme.dev/indexer/jobs"
	"acme.dev/indexer/search"
	"acme.dev/indexer/translate"
)

// engine builds the engine both builds run.
func engine(db *sql.DB) (*runtime.Engine, error) {
	j := jobs.New(
		&content.SQLRepository{DB: db},
		search.New(os.Getenv("SEARCH_URL"), os.Getenv("SEARCH_KEY"), "articles"),
		search.New(os.Getenv("SEARCH_URL"), os.Getenv("SEARCH_KEY"), "articles-staging"),
		translate.NewDeepL(os.Getenv("DEEPL_KEY")),
		openai.NewClient(os.Getenv("OPENAI_API_KEY")),
		strings.Split(os.Getenv("LOCALES"), ","),
		"config/synonyms.json",
	)
	return runtime.New(runtime.Options{Functions: j.Functions()}) // want "unregistered: .*build-sitemap"
}
