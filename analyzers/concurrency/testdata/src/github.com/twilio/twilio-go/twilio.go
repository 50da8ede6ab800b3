// Package twilio is a test stub with the shapes of github.com/twilio/twilio-go.
package twilio

type RestClient struct{ Api *ApiService }

type ApiService struct{}

type CreateMessageParams struct{ To, Body string }

func NewRestClient() *RestClient { return &RestClient{Api: &ApiService{}} }

func (a *ApiService) CreateMessage(p *CreateMessageParams) (any, error) { return nil, nil }

func (p *CreateMessageParams) SetTo(to string) *CreateMessageParams { p.To = to; return p }
