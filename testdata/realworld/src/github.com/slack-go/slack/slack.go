// Package slack is a stand-in for github.com/slack-go/slack. It performs no
// I/O: analyzers must know it by its import path.
package slack

import "context"

type Client struct{ token string }

type MsgOption func(*msgOptions)

type msgOptions struct {
	text     string
	threadTS string
}

func New(token string) *Client { return &Client{token: token} }

func MsgOptionText(text string, escape bool) MsgOption {
	return func(o *msgOptions) { o.text = text }
}

func MsgOptionTS(threadTS string) MsgOption {
	return func(o *msgOptions) { o.threadTS = threadTS }
}

// PostMessageContext posts a message and returns its channel and timestamp.
func (c *Client) PostMessageContext(ctx context.Context, channelID string, options ...MsgOption) (string, string, error) {
	return channelID, "", nil
}

type User struct {
	ID       string
	RealName string
	TZ       string
}

func (c *Client) GetUserInfoContext(ctx context.Context, user string) (*User, error) {
	return &User{ID: user}, nil
}

type Msg struct {
	Timestamp string
	Text      string
	User      string
}

func (c *Client) GetConversationRepliesContext(ctx context.Context, channelID, ts string) ([]Msg, error) {
	return nil, nil
}
