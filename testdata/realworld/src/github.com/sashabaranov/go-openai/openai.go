// Package openai is a stand-in for github.com/sashabaranov/go-openai. It
// performs no I/O: analyzers must know it by its import path.
package openai

import "context"

const (
	GPT4o                 = "gpt-4o"
	GPT4oMini             = "gpt-4o-mini"
	ChatMessageRoleSystem = "system"
	ChatMessageRoleUser   = "user"
	SmallEmbedding3       = EmbeddingModel("text-embedding-3-small")
)

type EmbeddingModel string

type Client struct{ token string }

func NewClient(token string) *Client { return &Client{token: token} }

type ChatCompletionMessage struct {
	Role    string `json:"role"`
	Content string `json:"content"`
}

type ChatCompletionRequest struct {
	Model       string
	Messages    []ChatCompletionMessage
	Temperature float32
	MaxTokens   int
}

type ChatCompletionChoice struct {
	Index        int
	Message      ChatCompletionMessage
	FinishReason string
}

type Usage struct{ PromptTokens, CompletionTokens, TotalTokens int }

type ChatCompletionResponse struct {
	ID      string
	Choices []ChatCompletionChoice
	Usage   Usage
}

func (c *Client) CreateChatCompletion(ctx context.Context, req ChatCompletionRequest) (ChatCompletionResponse, error) {
	return ChatCompletionResponse{Choices: []ChatCompletionChoice{{}}}, nil
}

type EmbeddingRequest struct {
	Input any
	Model EmbeddingModel
}

type Embedding struct {
	Embedding []float32
	Index     int
}

type EmbeddingResponse struct {
	Data  []Embedding
	Usage Usage
}

func (c *Client) CreateEmbeddings(ctx context.Context, req EmbeddingRequest) (EmbeddingResponse, error) {
	return EmbeddingResponse{}, nil
}
