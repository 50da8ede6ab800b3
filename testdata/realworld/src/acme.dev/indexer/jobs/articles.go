package jobs

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/durable-go/durable/runtime"
	"github.com/durable-go/durable/runtime/step"
	openai "github.com/sashabaranov/go-openai"

	"acme.dev/indexer/content"
	"acme.dev/indexer/search"
)

// IndexArticle embeds a published article, suggests tags for it and puts it
// in the search index. Articles tagged legal-review wait for the review.
func (j *Jobs) IndexArticle(ctx context.Context, in runtime.Input[content.ArticleData]) (any, error) {
	ev := in.Event.Data
	article, err := step.Run(ctx, "load-article", func(ctx context.Context) (content.Article, error) {
		return j.repo.Article(ctx, ev.ArticleID)
	})
	if err != nil {
		return nil, err
	}

	if slices.Contains(article.Tags, "legal-review") {
		review, err := step.WaitForEvent(ctx, "wait-legal-review", content.ArticleReviewed, step.WaitOpts{
			Timeout: 48 * time.Hour,
			If:      fmt.Sprintf("async.data.article_id == '%s'", article.ID), // want "exprcheck: .*async\\.data\\.\\w+ == event\\.data\\."
		})
		if errors.Is(err, step.ErrTimeout) {
			return "review timed out", nil
		}
		if err != nil {
			return nil, err
		}
		if !review.Data.Approved {
			return "rejected", nil
		}
	}

	vector, err := step.Run(ctx, "embed", func(ctx context.Context) ([]float32, error) {
		resp, err := j.ai.CreateEmbeddings(ctx, openai.EmbeddingRequest{
			Input: []string{article.Title + "\n\n" + article.Body},
			Model: openai.SmallEmbedding3,
		})
		if err != nil {
			return nil, err
		}
		if len(resp.Data) == 0 {
			return nil, errors.New("no embedding returned")
		}
		return resp.Data[0].Embedding, nil
	})
	if err != nil {
		return nil, err
	}

	var suggested struct {
		Tags []string `json:"tags"`
	}
	if _, err := step.Run(ctx, "suggest-tags", func(ctx context.Context) (struct{}, error) {
		resp, err := j.ai.CreateChatCompletion(ctx, openai.ChatCompletionRequest{
			Model: openai.GPT4oMini,
			Messages: []openai.ChatCompletionMessage{
				{Role: openai.ChatMessageRoleSystem, Content: `Suggest up to five tags. Answer {"tags": [...]}.`},
				{Role: openai.ChatMessageRoleUser, Content: article.Title + "\n\n" + article.Body},
			},
		})
		if err != nil {
			return struct{}{}, err
		}
		return struct{}{}, json.Unmarshal([]byte(resp.Choices[0].Message.Content), &suggested) // want "stepcapture: .*suggested"
	}); err != nil {
		return nil, err
	}

	docID := article.ID
	if _, err := step.Run(ctx, "upsert-document", func(ctx context.Context) (struct{}, error) {
		defer trace(ctx, "search.upsert", &docID)() // silent: stepcapture (trace only reads through the pointer)
		return struct{}{}, j.search.Upsert(ctx, search.Document{
			ID: docID, Title: article.Title, Body: article.Body, Locale: article.Locale,
			Tags: append(article.Tags, suggested.Tags...), Embedding: vector,
		})
	}); err != nil {
		return nil, err
	}

	_, err = step.Run(ctx, "record-indexed", func(ctx context.Context) (struct{}, error) {
		return struct{}{}, j.repo.RecordIndexed(ctx, in.Event.ID, article.ID, ev.Revision)
	})
	return docID, err
}

func (j *Jobs) UnindexArticle(ctx context.Context, in runtime.Input[content.ArticleData]) (any, error) {
	_, err := step.Run(ctx, "delete-document", func(ctx context.Context) (struct{}, error) {
		return struct{}{}, j.search.Delete(ctx, in.Event.Data.ArticleID)
	})
	return nil, err
}

// TranslateArticle indexes the approved article in every other locale.
func (j *Jobs) TranslateArticle(ctx context.Context, in runtime.Input[content.ReviewData]) (any, error) {
	article, err := step.Run(ctx, "load-article", func(ctx context.Context) (content.Article, error) {
		return j.repo.Article(ctx, in.Event.Data.ArticleID)
	})
	if err != nil {
		return nil, err
	}
	translated, err := step.Run(ctx, "translate", func(ctx context.Context) (map[string]search.Document, error) {
		out := map[string]search.Document{}
		for _, locale := range j.locales {
			if strings.EqualFold(locale, article.Locale) {
				continue
			}
			title, err := j.deepl.Translate(ctx, article.Title, locale)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", locale, err)
			}
			body, err := j.deepl.Translate(ctx, article.Body, locale)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", locale, err)
			}
			out[locale] = search.Document{ID: article.ID + "-" + locale, Title: title, Body: body, Locale: locale, Tags: article.Tags}
		}
		return out, nil
	})
	if err != nil {
		return nil, err
	}
	_, err = step.Run(ctx, "upsert-translations", func(ctx context.Context) (int, error) {
		for _, doc := range translated {
			if err := j.search.Upsert(ctx, doc); err != nil {
				return 0, err
			}
		}
		return len(translated), nil
	})
	return nil, err
}
