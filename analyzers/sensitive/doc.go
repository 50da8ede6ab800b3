// Package sensitive defines an Analyzer that reports event payload fields
// that look like secrets or personal data and are not marked sensitive.
//
// # Analyzer sensitive
//
// sensitive: report password/token/card/ssn-like fields of event data not marked sensitive
//
// sensitive finds the types used as event data in a package (the T of
// runtime.NewEventType[T], of a durable function's Input[T], of the Data
// of runtime.Event and inngestgo.GenericEvent literals) and walks their
// fields, through nested structs, pointers, slices and maps, in any
// package. A field is suspicious when its JSON (or Go) name has a word
// such as password, passwd, passphrase, secret, token, ssn, cvv, cvc or
// iban, or a pair such as api key, access key, private key, card number,
// credit card or social security; names that say the value is already
// harmless (password_hash, card_last4, token_expires_at) are not.
//
// A field is marked sensitive by a `durable:"sensitive"` struct tag or a
// comment containing "Sensitive:" (what durable generate writes for
// catalog fields with sensitive: true). A field declared in the package is
// reported where it is declared; one declared elsewhere is reported where
// its type becomes event data. When a catalog is found (-catalog, else the
// nearest durable.yaml in the package's directory or above), its events'
// fields are checked too, at the NewEventType of each event, and fields
// of generated files are left to that check.
//
// # Why it matters in production
//
// Event payloads are stored in the journal, shown in the dev UI and in run
// history, copied into logs and failure events, and kept for as long as
// runs are. A password or card number in a payload ends up in every
// backup. Fields marked sensitive are encrypted at rest and redacted.
//
// # How to fix
//
// Mark the field sensitive, or do not put the secret in the event (send a
// reference to it):
//
//	// Before
//	type SignupData struct {
//		Email    string `json:"email"`
//		Password string `json:"password"`
//	}
//
//	// After
//	type SignupData struct {
//		Email    string `json:"email"`
//		Password string `json:"password" durable:"sensitive"`
//	}
//
// In durable.yaml: `password: {type: string, sensitive: true}`.
package sensitive
