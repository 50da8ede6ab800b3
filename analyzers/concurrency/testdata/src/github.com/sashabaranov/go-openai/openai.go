// Package openai is a test stub with the shapes of github.com/sashabaranov/go-openai.
package openai

import "context"

type Client struct{}

type ChatCompletionRequest struct{ Model string }

type ChatCompletionResponse struct{ ID string }

func NewClient(token string) *Client { return &Client{} }

func (c *Client) CreateChatCompletion(ctx context.Context, req ChatCompletionRequest) (ChatCompletionResponse, error) {
	return ChatCompletionResponse{}, nil
}
