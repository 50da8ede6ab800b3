// Package content reads the CMS's articles and records what was indexed.
package content

import (
	"context"
	"database/sql"
	"time"

	"github.com/durable-go/durable/runtime"
)

type ArticleData struct {
	ArticleID string `json:"article_id"`
	Revision  int    `json:"revision"`
	Locale    string `json:"locale"`
}

type ReviewData struct {
	ArticleID string `json:"article_id"`
	Approved  bool   `json:"approved"`
	Reviewer  string `json:"reviewer"`
}

type ReindexData struct {
	Since string `json:"since"`
}

var (
	ArticlePublished   = runtime.NewEventType[ArticleData]("cms/article.published", "2025-11-02.1", nil)
	ArticleUnpublished = runtime.NewEventType[ArticleData]("cms/article.unpublished", "2025-11-02.1", nil)
	ArticleReviewed    = runtime.NewEventType[ReviewData]("cms/article.reviewed", "2025-11-02.1", nil)
	// A command: the prefix names what it acts on.
	Reindex = runtime.NewEventType[ReindexData]("search/reindex", "2025-11-02.1", nil) // silent: eventname (prefix/verb is an Inngest convention)
)

type Article struct {
	ID        string    `json:"id"`
	Title     string    `json:"title"`
	Body      string    `json:"body"`
	Locale    string    `json:"locale"`
	Tags      []string  `json:"tags"`
	Views     int64     `json:"views"`
	UpdatedAt time.Time `json:"updated_at"`
}

// Repository is what the indexing jobs need from the CMS database.
type Repository interface {
	Article(ctx context.Context, id string) (Article, error)
	UpdatedSince(ctx context.Context, t time.Time, limit int) ([]string, error)
	MostViewed(ctx context.Context, n int) ([]Article, error)
	RecordIndexed(ctx context.Context, eventID, articleID string, revision int) error
}

type SQLRepository struct{ DB *sql.DB }

func (r *SQLRepository) Article(ctx context.Context, id string) (Article, error) {
	var a Article
	err := r.DB.QueryRowContext(ctx, `SELECT id, title, body, locale, views, updated_at FROM articles WHERE id = $1`, id).
		Scan(&a.ID, &a.Title, &a.Body, &a.Locale, &a.Views, &a.UpdatedAt)
	return a, err
}

func (r *SQLRepository) UpdatedSince(ctx context.Context, t time.Time, limit int) ([]string, error) {
	rows, err := r.DB.QueryContext(ctx, `SELECT id FROM articles WHERE updated_at > $1 ORDER BY updated_at LIMIT $2`, t, limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var ids []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		ids = append(ids, id)
	}
	return ids, rows.Err()
}

func (r *SQLRepository) MostViewed(ctx context.Context, n int) ([]Article, error) {
	rows, err := r.DB.QueryContext(ctx, `SELECT id, title, views FROM articles ORDER BY views DESC LIMIT $1`, n)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Article
	for rows.Next() {
		var a Article
		if err := rows.Scan(&a.ID, &a.Title, &a.Views); err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	return out, rows.Err()
}

// RecordIndexed logs an indexing once per event: a retried step inserts
// nothing.
func (r *SQLRepository) RecordIndexed(ctx context.Context, eventID, articleID string, revision int) error {
	_, err := r.DB.ExecContext(ctx,
		`INSERT INTO index_log (event_id, article_id, revision) VALUES ($1, $2, $3) ON CONFLICT (event_id) DO NOTHING`,
		eventID, articleID, revision)
	return err
}
