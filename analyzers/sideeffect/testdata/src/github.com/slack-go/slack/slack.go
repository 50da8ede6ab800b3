// Package slack is a test stub with the shapes of github.com/slack-go/slack.
package slack

import "context"

type Client struct{}

type MsgOption func()

func New(token string) *Client { return &Client{} }

func MsgOptionText(text string, escape bool) MsgOption { return nil }

func (c *Client) PostMessageContext(ctx context.Context, channelID string, options ...MsgOption) (string, string, error) {
	return "", "", nil
}

func (c *Client) GetUserInfoContext(ctx context.Context, user string) (any, error) { return nil, nil }
