// Package twilio is a stand-in for github.com/twilio/twilio-go. It performs
// no I/O: analyzers must know it by its import path.
package twilio

import openapi "github.com/twilio/twilio-go/rest/api/v2010"

type ClientParams struct{ Username, Password string }

type RestClient struct{ Api *openapi.ApiService }

func NewRestClient() *RestClient { return &RestClient{Api: &openapi.ApiService{}} }

func NewRestClientWithParams(params ClientParams) *RestClient {
	return &RestClient{Api: &openapi.ApiService{}}
}
