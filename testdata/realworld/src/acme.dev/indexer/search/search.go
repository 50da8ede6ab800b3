// Package search is a small client of the search engine's document API.
// Documents are keyed by ID: putting the same document twice, or deleting
// a deleted one, changes nothing.
package search

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
)

type Client struct {
	base  string
	key   string
	index string
	http  *http.Client
}

func New(base, key, index string) *Client {
	return &Client{base: base, key: key, index: index, http: &http.Client{}}
}

type Document struct {
	ID        string    `json:"id"`
	Title     string    `json:"title"`
	Body      string    `json:"body"`
	Locale    string    `json:"locale"`
	Tags      []string  `json:"tags"`
	Embedding []float32 `json:"embedding,omitempty"`
}

// Upsert puts the document under its ID.
func (c *Client) Upsert(ctx context.Context, doc Document) error {
	body, err := json.Marshal(doc)
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPut, c.docURL(doc.ID), bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	return c.do(req)
}

// Delete removes the document with that ID; a missing one is not an error.
func (c *Client) Delete(ctx context.Context, id string) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodDelete, c.docURL(id), nil)
	if err != nil {
		return err
	}
	return c.do(req)
}

// SetSynonyms replaces the index's synonym list.
func (c *Client) SetSynonyms(ctx context.Context, synonyms map[string][]string) error {
	body, err := json.Marshal(synonyms)
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPut, c.base+"/indexes/"+c.index+"/settings/synonyms", bytes.NewReader(body))
	if err != nil {
		return err
	}
	return c.do(req)
}

func (c *Client) docURL(id string) string {
	return c.base + "/indexes/" + c.index + "/documents/" + url.PathEscape(id)
}

func (c *Client) do(req *http.Request) error {
	req.Header.Set("Authorization", "Bearer "+c.key)
	resp, err := c.http.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode >= 300 && resp.StatusCode != http.StatusNotFound {
		return fmt.Errorf("search: %s %s: %s", req.Method, req.URL.Path, resp.Status)
	}
	return nil
}
