// Package sendgrid is a test stub with the shapes of github.com/sendgrid/sendgrid-go.
package sendgrid

import "context"

type Client struct{}

type Response struct{ StatusCode int }

func NewSendClient(key string) *Client { return &Client{} }

func (c *Client) Send(email any) (*Response, error) { return nil, nil }

func (c *Client) SendWithContext(ctx context.Context, email any) (*Response, error) { return nil, nil }
