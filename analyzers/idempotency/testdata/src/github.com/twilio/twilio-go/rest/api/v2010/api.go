// Package openapi is a test stub with the shapes of github.com/twilio/twilio-go/rest/api/v2010.
package openapi

type ApiService struct{}

type CreateMessageParams struct{ To, Body *string }

func (p *CreateMessageParams) SetTo(to string) *CreateMessageParams     { p.To = &to; return p }
func (p *CreateMessageParams) SetBody(body string) *CreateMessageParams { p.Body = &body; return p }

type ApiV2010Message struct{ Sid *string }

func (a *ApiService) CreateMessage(p *CreateMessageParams) (*ApiV2010Message, error) { return nil, nil }
