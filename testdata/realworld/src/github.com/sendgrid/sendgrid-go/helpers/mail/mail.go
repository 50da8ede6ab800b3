// Package mail is a stand-in for github.com/sendgrid/sendgrid-go/helpers/mail.
package mail

type Email struct{ Name, Address string }

type SGMailV3 struct {
	From       *Email
	Subject    string
	To         *Email
	Content    string
	Categories []string
	CustomArgs map[string]string
}

func NewEmail(name, address string) *Email { return &Email{Name: name, Address: address} }

func NewSingleEmail(from *Email, subject string, to *Email, plainTextContent, htmlContent string) *SGMailV3 {
	return &SGMailV3{From: from, Subject: subject, To: to, Content: htmlContent}
}

// SetCustomArg attaches a value SendGrid echoes back in its event webhook.
func (m *SGMailV3) SetCustomArg(key, value string) *SGMailV3 {
	if m.CustomArgs == nil {
		m.CustomArgs = map[string]string{}
	}
	m.CustomArgs[key] = value
	return m
}
