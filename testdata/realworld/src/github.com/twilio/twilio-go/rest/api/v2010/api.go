// Package openapi is a stand-in for github.com/twilio/twilio-go/rest/api/v2010.
package openapi

type ApiService struct{}

type CreateMessageParams struct{ To, From, Body *string }

func (p *CreateMessageParams) SetTo(to string) *CreateMessageParams     { p.To = &to; return p }
func (p *CreateMessageParams) SetFrom(from string) *CreateMessageParams { p.From = &from; return p }
func (p *CreateMessageParams) SetBody(body string) *CreateMessageParams { p.Body = &body; return p }

type ApiV2010Message struct {
	Sid    *string
	Status *string
}

// CreateMessage sends an SMS.
func (a *ApiService) CreateMessage(params *CreateMessageParams) (*ApiV2010Message, error) {
	sid := "SM0"
	return &ApiV2010Message{Sid: &sid}, nil
}
