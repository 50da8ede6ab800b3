// Package seal encrypts the values an event schema marks sensitive
// ("x-sensitive": true) with AES-256-GCM, bound to their event ID and JSON
// pointer, and finds those values in event data by following the schema.
package seal

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
)

// Field is the single key of the object that replaces a sensitive value at
// rest: {"$enc": "v1:<base64 of nonce and ciphertext>"}.
const Field = "$enc"

const encPrefix = "v1:"

// Sealer encrypts and decrypts sensitive values with AES-256-GCM. The
// associated data binds a ciphertext to its event ID and JSON pointer, so a
// ciphertext copied to another field or event does not decrypt.
type Sealer struct{ aead cipher.AEAD }

// New returns a Sealer with the 32-byte key.
func New(key []byte) (*Sealer, error) {
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, fmt.Errorf("encryption key: %w", err)
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, fmt.Errorf("encryption key: %w", err)
	}
	return &Sealer{aead: aead}, nil
}

func associatedData(eventID, ptr string) []byte {
	return []byte(eventID + "\x00" + ptr)
}

// Seal returns the encrypted form of v, the value at ptr in event eventID.
func (s *Sealer) Seal(eventID, ptr string, v any) (any, error) {
	if IsSealed(v) {
		return nil, fmt.Errorf("%s: the value is already encrypted (an envelope read from storage cannot be sent again as it is)", ptr)
	}
	plain, err := json.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", ptr, err)
	}
	nonce := make([]byte, s.aead.NonceSize(), s.aead.NonceSize()+len(plain)+s.aead.Overhead())
	if _, err := rand.Read(nonce); err != nil {
		return nil, fmt.Errorf("%s: %w", ptr, err)
	}
	sealed := s.aead.Seal(nonce, nonce, plain, associatedData(eventID, ptr))
	return map[string]any{Field: encPrefix + base64.StdEncoding.EncodeToString(sealed)}, nil
}

// Open returns the plaintext of v, the value at ptr in event eventID. A
// value that is not in the encrypted form (stored before its field was
// marked sensitive) is returned as it is. A value that does not decrypt is
// an error saying why (never quoting the value); a nil Sealer (no key set)
// decrypts nothing.
func (s *Sealer) Open(eventID, ptr string, v any) (any, error) {
	m, ok := v.(map[string]any)
	if !ok || len(m) != 1 {
		return v, nil
	}
	str, ok := m[Field].(string)
	if !ok {
		return v, nil
	}
	fail := func(reason string) (any, error) { return nil, errors.New(reason) }
	if s == nil {
		return fail("no encryption key is set")
	}
	b64, ok := strings.CutPrefix(str, encPrefix)
	if !ok {
		return fail("unknown encryption format")
	}
	sealed, err := base64.StdEncoding.DecodeString(b64)
	if err != nil || len(sealed) < s.aead.NonceSize() {
		return fail("malformed ciphertext")
	}
	n := s.aead.NonceSize()
	plain, err := s.aead.Open(nil, sealed[:n], sealed[n:], associatedData(eventID, ptr))
	if err != nil {
		return fail("wrong key, or the ciphertext was moved from another field or event")
	}
	d := json.NewDecoder(bytes.NewReader(plain))
	d.UseNumber()
	var out any
	if err := d.Decode(&out); err != nil {
		return fail("decrypted value is not JSON")
	}
	return out, nil
}

// IsSealed reports whether v is in the encrypted form.
func IsSealed(v any) bool {
	m, ok := v.(map[string]any)
	if !ok || len(m) != 1 {
		return false
	}
	_, ok = m[Field].(string)
	return ok
}
