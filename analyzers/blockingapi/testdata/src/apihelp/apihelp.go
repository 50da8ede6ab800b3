// Package apihelp has helpers that import no durable API; their facts reach callers.
package apihelp

import (
	"net/http"
	"net/smtp"
)

func Welcome(to string) error { // want Welcome:`slow\(email=smtp.SendMail\)`
	return smtp.SendMail("mail:25", nil, "app@example.com", []string{to}, []byte("hi"))
}

func Enrich(id string) (int, error) { // want Enrich:`slow\(http=2\)`
	a, err := http.Get("https://crm.example.com/" + id)
	if err != nil {
		return 0, err
	}
	b, err := http.Get("https://geo.example.com/" + id)
	if err != nil {
		return 0, err
	}
	return a.StatusCode + b.StatusCode, nil
}

func Ping() error { // want Ping:`slow\(http=1\)`
	_, err := http.Head("https://status.example.com")
	return err
}
