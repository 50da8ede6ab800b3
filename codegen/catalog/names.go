package catalog

import (
	"go/token"
	"regexp"
	"strings"
	"unicode"
)

const (
	fieldNamePattern = `^[A-Za-z_][A-Za-z0-9_]*$`
	typeNamePattern  = `^[A-Z][A-Za-z0-9]*$`
)

var (
	// eventNameRE is domain/noun.verb: a lowercase domain, a slash, then two
	// or more dot-separated lowercase segments.
	eventNameRE = regexp.MustCompile(`^[a-z][a-z0-9-]*/[a-z][a-z0-9_-]*(\.[a-z][a-z0-9_-]*)+$`)
	versionRE   = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._+-]*$`)
	fieldNameRE = regexp.MustCompile(fieldNamePattern)
	typeNameRE  = regexp.MustCompile(typeNamePattern)
	packageRE   = regexp.MustCompile(`^[a-z][a-z0-9_]*$`)
)

// commonInitialisms are written in capitals in Go names (from golint).
var commonInitialisms = map[string]bool{
	"ACL": true, "API": true, "ASCII": true, "CPU": true, "CSS": true, "DNS": true, "EOF": true,
	"GUID": true, "HTML": true, "HTTP": true, "HTTPS": true, "ID": true, "IP": true, "JSON": true,
	"LHS": true, "QPS": true, "RAM": true, "RHS": true, "RPC": true, "SLA": true, "SMTP": true,
	"SQL": true, "SSH": true, "TCP": true, "TLS": true, "TTL": true, "UDP": true, "UI": true,
	"UID": true, "UUID": true, "URI": true, "URL": true, "UTF8": true, "VM": true, "XML": true,
	"XMPP": true, "XSRF": true, "XSS": true,
}

// GoName turns a JSON or event-name segment into an exported Go name:
// order_id → OrderID, card_last4 → CardLast4, order.created → OrderCreated,
// customerId → CustomerID.
func GoName(s string) string {
	var b strings.Builder
	for _, part := range strings.FieldsFunc(s, func(r rune) bool { return r == '_' || r == '-' || r == '.' || r == '/' }) {
		for _, word := range splitCamel(part) {
			if up := strings.ToUpper(word); commonInitialisms[up] {
				b.WriteString(up)
				continue
			}
			b.WriteString(strings.ToUpper(word[:1]) + word[1:])
		}
	}
	name := b.String()
	if name == "" || !unicode.IsLetter(rune(name[0])) {
		name = "X" + name
	}
	return name
}

// splitCamel splits customerId into customer, Id.
func splitCamel(s string) []string {
	var words []string
	start := 0
	for i := 1; i < len(s); i++ {
		if unicode.IsUpper(rune(s[i])) && !unicode.IsUpper(rune(s[i-1])) {
			words = append(words, s[start:i])
			start = i
		}
	}
	return append(words, s[start:])
}

// EventGoName is the Go name of an event: its go_name, else the part after
// the domain in CamelCase (shop/order.created → OrderCreated).
func EventGoName(e *Event) string {
	if e.GoName != "" {
		return e.GoName
	}
	_, rest, _ := strings.Cut(e.Name, "/")
	return GoName(rest)
}

// isIdent reports whether s is a Go identifier that is not a keyword.
func isIdent(s string) bool { return token.IsIdentifier(s) }
