package mailer // want package:"hasEffects"

// mailer is a helper package that imports no durable API.

import (
	"net/http"
	"net/smtp"
	"strings"
	"time"
)

type Client struct{ base string }

// Send posts through a private helper: Send → post → http.Post.
func (c *Client) Send(to, body string) error { // want Send:`sideEffect\(network call via mailer.Client.post → http.Post\)`
	return c.post(to, body)
}

func (c *Client) post(to, body string) error { // want post:`sideEffect\(network call via http.Post\)`
	_, err := http.Post(c.base+"/send", "text/plain", strings.NewReader(to+body))
	return err
}

// SendMail uses net/smtp.
func SendMail(to string) error { // want SendMail:`sideEffect\(email via smtp.SendMail\)`
	return smtp.SendMail("localhost:25", nil, "me@example.com", []string{to}, nil)
}

// Stamp reads the clock.
func Stamp() string { // want Stamp:`sideEffect\(wall-clock read via time.Now\)`
	return time.Now().Format(time.RFC3339)
}

// Generic reads the clock too, whatever T.
func Generic[T any](v T) T { // want Generic:`sideEffect\(wall-clock read via mailer.Stamp → time.Now\)`
	_ = Stamp()
	return v
}

// Format is pure.
func Format(name string) string { return "Hello, " + strings.TrimSpace(name) }

// Parse is pure, and takes a duration.
func Parse(s string) (time.Duration, error) { return time.ParseDuration(s) }
