// Package senstypes declares payload types in a package that imports no durable API.
package senstypes

type Card struct { // want Card:`marked\(CVV\)`
	Number string `json:"card_number"`
	Last4  string `json:"card_last4"`
	// Sensitive: encrypted at rest, redacted in logs and UI.
	CVV string `json:"cvv"`
}

type Login struct { // want Login:`marked\(Password\)`
	User string `json:"user"`
	// Password of the user.
	// Sensitive: encrypted at rest, redacted in logs and UI.
	Password string `json:"password"`
}
