// Package rest is a stand-in for github.com/sendgrid/rest.
package rest

// Response is an HTTP response of the SendGrid API.
type Response struct {
	StatusCode int
	Body       string
	Headers    map[string][]string
}
