// Package llm wraps the language model and the embedding service.
package llm

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"

	openai "github.com/sashabaranov/go-openai"
)

type Client struct {
	ai       *openai.Client
	embedURL string
	http     *http.Client
}

func New(ai *openai.Client, embedURL string) *Client {
	return &Client{ai: ai, embedURL: embedURL, http: &http.Client{}}
}

// Complete answers a prompt. A repeated call costs tokens and nothing else.
func (c *Client) Complete(ctx context.Context, system, user string) (string, error) {
	resp, err := c.ai.CreateChatCompletion(ctx, openai.ChatCompletionRequest{
		Model: openai.GPT4o,
		Messages: []openai.ChatCompletionMessage{
			{Role: openai.ChatMessageRoleSystem, Content: system},
			{Role: openai.ChatMessageRoleUser, Content: user},
		},
		Temperature: 0.2,
	})
	if err != nil {
		return "", fmt.Errorf("llm: %w", err)
	}
	if len(resp.Choices) == 0 {
		return "", errors.New("llm: no choice returned")
	}
	return resp.Choices[0].Message.Content, nil
}

// Embed asks the self-hosted embedding service for a vector.
func (c *Client) Embed(ctx context.Context, text string) ([]float32, error) {
	body, _ := json.Marshal(map[string]any{"inputs": text})
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.embedURL+"/embed", bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := c.http.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("embed: %s", resp.Status)
	}
	var vectors [][]float32
	if err := json.NewDecoder(resp.Body).Decode(&vectors); err != nil {
		return nil, err
	}
	if len(vectors) == 0 {
		return nil, errors.New("embed: empty answer")
	}
	return vectors[0], nil
}
