package fhmailer // want package:"irreversibleHelpers"

// This package sends emails; it knows nothing of durable functions.

import "net/smtp"

// Send emails a receipt.
func Send(to, body string) error { // want Send:`irreversible\(smtp.SendMail\)`
	return smtp.SendMail("mail:25", nil, "shop@example.com", []string{to}, []byte(body))
}

// Format only formats.
func Format(id string) string { return "order " + id }
