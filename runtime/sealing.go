package runtime

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"os"
	"regexp"
	"strings"
	"sync"

	"github.com/durable-go/durable/runtime/store"
	"golang.org/x/text/language"
	"golang.org/x/text/message"
)

var printer = message.NewPrinter(language.English)

// EncryptionKeyEnv is the environment variable that holds the key of
// sensitive fields (standard base64 of 32 bytes) when Options.EncryptionKey
// is nil.
const EncryptionKeyEnv = "DURABLE_ENCRYPTION_KEY"

// encKey is the single key of the object that replaces a sensitive value at
// rest: {"$enc": "v1:<base64 of nonce and ciphertext>"}.
const (
	encKey    = "$enc"
	encPrefix = "v1:"
)

// encryptionKey returns the key of Options.EncryptionKey or, if that is nil,
// of the environment; nil when neither is set. Errors never quote the key.
func encryptionKey(opt []byte) ([]byte, error) {
	if opt != nil {
		if len(opt) != 32 {
			return nil, fmt.Errorf("Options.EncryptionKey is %d bytes; AES-256 needs exactly 32", len(opt))
		}
		return bytes.Clone(opt), nil
	}
	v := strings.TrimSpace(os.Getenv(EncryptionKeyEnv))
	if v == "" {
		return nil, nil
	}
	k, err := base64.StdEncoding.DecodeString(v)
	if err != nil {
		return nil, fmt.Errorf("%s is not valid standard base64 (generate a key with `openssl rand -base64 32`)", EncryptionKeyEnv)
	}
	if len(k) != 32 {
		return nil, fmt.Errorf("%s decodes to %d bytes; AES-256 needs exactly 32 (generate a key with `openssl rand -base64 32`)", EncryptionKeyEnv, len(k))
	}
	return k, nil
}

// sealer encrypts and decrypts sensitive values with AES-256-GCM. The
// associated data binds a ciphertext to its event ID and JSON pointer, so a
// ciphertext copied to another field or event does not decrypt.
type sealer struct{ aead cipher.AEAD }

func newSealer(key []byte) (*sealer, error) {
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, fmt.Errorf("encryption key: %w", err)
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, fmt.Errorf("encryption key: %w", err)
	}
	return &sealer{aead: aead}, nil
}

func associatedData(eventID, ptr string) []byte {
	return []byte(eventID + "\x00" + ptr)
}

// seal returns the encrypted form of v, the value at ptr in event eventID.
func (s *sealer) seal(eventID, ptr string, v any) (any, error) {
	if isSealed(v) {
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
	return map[string]any{encKey: encPrefix + base64.StdEncoding.EncodeToString(sealed)}, nil
}

// DecryptError means that a sensitive field of a stored event does not
// decrypt: the key is not the one it was encrypted with, or the ciphertext
// was moved from another field or event.
type DecryptError struct {
	EventID string
	Pointer string
	Reason  string
}

func (e *DecryptError) Error() string {
	return fmt.Sprintf("runtime: event %s: sensitive field %s cannot be decrypted: %s", e.EventID, e.Pointer, e.Reason)
}

// open returns the plaintext of v, the value at ptr in event eventID. A
// value that is not in the encrypted form (stored before its field was
// marked sensitive) is returned as it is.
func (s *sealer) open(eventID, ptr string, v any) (any, error) {
	m, ok := v.(map[string]any)
	if !ok || len(m) != 1 {
		return v, nil
	}
	str, ok := m[encKey].(string)
	if !ok {
		return v, nil
	}
	fail := func(reason string) (any, error) {
		return nil, &DecryptError{EventID: eventID, Pointer: ptr, Reason: reason}
	}
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

func isSealed(v any) bool {
	m, ok := v.(map[string]any)
	if !ok || len(m) != 1 {
		return false
	}
	_, ok = m[encKey].(string)
	return ok
}

// openEnvelope returns the envelope with its sensitive fields decrypted, for
// user code. An envelope with nothing encrypted is returned as it is. The
// envelope of a durable/function.failed event has the failed run's event
// decrypted too.
func (c *eventCatalog) openEnvelope(raw json.RawMessage) (json.RawMessage, error) {
	if c == nil || !bytes.Contains(raw, []byte(`"`+encKey+`"`)) {
		return raw, nil
	}
	var env map[string]json.RawMessage
	if err := json.Unmarshal(raw, &env); err != nil {
		return nil, fmt.Errorf("runtime: event envelope: %w", err)
	}
	var name, id string
	_ = json.Unmarshal(env["name"], &name)
	_ = json.Unmarshal(env["id"], &id)
	data := env["data"]
	if k := c.types[name]; k != nil && k.sens != nil {
		d := json.NewDecoder(bytes.NewReader(data))
		d.UseNumber()
		var v any
		if err := d.Decode(&v); err != nil {
			return nil, fmt.Errorf("runtime: event %s: data: %w", id, err)
		}
		v, err := k.sens.transform(v, func(ptr string, val any) (any, error) {
			return c.sealer.open(id, ptr, val)
		})
		if err != nil {
			return nil, err
		}
		if data, err = json.Marshal(v); err != nil {
			return nil, err
		}
	} else if name == FunctionFailedEvent || name == FunctionSkippedEvent {
		var d map[string]json.RawMessage
		if json.Unmarshal(data, &d) == nil && len(d["event"]) > 0 {
			inner, err := c.openEnvelope(d["event"])
			if err != nil {
				return nil, err
			}
			d["event"] = inner
			if data, err = json.Marshal(d); err != nil {
				return nil, err
			}
		}
	}
	env["data"] = data
	return json.Marshal(env)
}

// openEvents decrypts the envelopes of a run for its handler.
func (c *eventCatalog) openEvents(events []json.RawMessage) ([]json.RawMessage, error) {
	var out []json.RawMessage
	for i, ev := range events {
		plain, err := c.openEnvelope(ev)
		if err != nil {
			return nil, err
		}
		if out == nil && !bytes.Equal(plain, ev) {
			out = make([]json.RawMessage, len(events))
			copy(out, events[:i])
		}
		if out != nil {
			out[i] = plain
		}
	}
	if out == nil {
		return events, nil
	}
	return out, nil
}

// openRunEvents decrypts a run's events before its handler sees them. When
// one does not decrypt, the run fails with an error naming the event and the
// field (never the value) and openRunEvents reports false.
func (e *Engine) openRunEvents(r store.Run, events []json.RawMessage) ([]json.RawMessage, bool) {
	plain, err := e.events.openEvents(events)
	if err != nil {
		e.finishOwned(e.execCtx, r, store.StatusFailed, nil, err.Error())
		return nil, false
	}
	return plain, true
}

// openStepOutput decrypts the result of a WaitForEvent step (an envelope as
// stored) for the handler; other results are returned as they are.
func (x *execution) openStepOutput(st store.Step) json.RawMessage {
	if st.Kind != kindWait {
		return st.Output
	}
	plain, err := x.e.events.openEnvelope(st.Output)
	if err != nil {
		x.failRun(fmt.Errorf("step %q: %w", st.ID, err))
	}
	return plain
}

// sensitivity finds the values of an event's data that its schema marks
// "x-sensitive": true, following properties, additionalProperties,
// patternProperties, items, prefixItems, allOf/anyOf/oneOf and $refs within
// the schema.
type sensitivity struct {
	root any
	// byID resolves "$ref"s written against the schema's own $id.
	id string
}

// newSensitivity returns nil when the schema marks no field sensitive. It
// fails when the schema marks some and has a $ref it cannot follow, since a
// sensitive field behind it would be stored in the clear.
func newSensitivity(doc any) (*sensitivity, error) {
	if !marksSensitive(doc) {
		return nil, nil
	}
	s := &sensitivity{root: doc}
	if m, ok := doc.(map[string]any); ok {
		s.id, _ = m["$id"].(string)
	}
	var bad []string
	var check func(n any)
	check = func(n any) {
		switch n := n.(type) {
		case map[string]any:
			if ref, ok := n["$ref"].(string); ok {
				if _, ok := s.resolve(ref); !ok {
					bad = append(bad, ref)
				}
			}
			for _, v := range n {
				check(v)
			}
		case []any:
			for _, v := range n {
				check(v)
			}
		}
	}
	check(doc)
	if len(bad) > 0 {
		return nil, fmt.Errorf("the schema marks sensitive fields but has $refs the engine cannot follow to find them (%s); refer to the schema's own definitions, as #/$defs/Name", strings.Join(bad, ", "))
	}
	return s, nil
}

func marksSensitive(n any) bool {
	switch n := n.(type) {
	case map[string]any:
		if b, ok := n["x-sensitive"].(bool); ok && b {
			return true
		}
		for _, v := range n {
			if marksSensitive(v) {
				return true
			}
		}
	case []any:
		for _, v := range n {
			if marksSensitive(v) {
				return true
			}
		}
	}
	return false
}

// resolve follows a $ref into the schema itself ("#/$defs/X", or the same
// written after the schema's $id).
func (s *sensitivity) resolve(ref string) (any, bool) {
	frag, ok := strings.CutPrefix(ref, "#")
	if !ok {
		if s.id == "" {
			return nil, false
		}
		if frag, ok = strings.CutPrefix(ref, strings.TrimSuffix(s.id, "#")+"#"); !ok {
			return nil, false
		}
	}
	n := s.root
	if frag == "" {
		return n, true
	}
	rest, ok := strings.CutPrefix(frag, "/")
	if !ok {
		return nil, false // an anchor: not followed
	}
	for _, tok := range strings.Split(rest, "/") {
		tok = strings.NewReplacer("~1", "/", "~0", "~").Replace(tok)
		switch c := n.(type) {
		case map[string]any:
			if n, ok = c[tok]; !ok {
				return nil, false
			}
		case []any:
			var i int
			if _, err := fmt.Sscan(tok, &i); err != nil || i < 0 || i >= len(c) {
				return nil, false
			}
			n = c[i]
		default:
			return nil, false
		}
	}
	return n, true
}

// transform calls f on every sensitive value of data (decoded JSON, at
// /data in the envelope) and puts what f returns in its place.
func (s *sensitivity) transform(data any, f func(ptr string, v any) (any, error)) (any, error) {
	w := &sensWalk{s: s, f: f}
	return w.walk(s.root, data, "/data", 0)
}

type sensWalk struct {
	s    *sensitivity
	f    func(ptr string, v any) (any, error)
	done []string // pointers already handed to f
}

// maxRefDepth bounds the $refs followed without descending into the value
// (a schema that refers to itself).
const maxRefDepth = 64

func (w *sensWalk) covered(ptr string) bool {
	for _, d := range w.done {
		if ptr == d || strings.HasPrefix(ptr, d+"/") {
			return true
		}
	}
	return false
}

func (w *sensWalk) walk(node, v any, ptr string, depth int) (any, error) {
	m, ok := node.(map[string]any)
	if !ok || depth > maxRefDepth || w.covered(ptr) {
		return v, nil
	}
	if b, ok := m["x-sensitive"].(bool); ok && b {
		w.done = append(w.done, ptr)
		return w.f(ptr, v)
	}
	var err error
	if ref, ok := m["$ref"].(string); ok {
		if target, ok := w.s.resolve(ref); ok {
			if v, err = w.walk(target, v, ptr, depth+1); err != nil {
				return nil, err
			}
		}
	}
	for _, kw := range []string{"allOf", "anyOf", "oneOf"} {
		subs, _ := m[kw].([]any)
		for _, sub := range subs {
			if v, err = w.walk(sub, v, ptr, depth+1); err != nil {
				return nil, err
			}
		}
	}
	switch val := v.(type) {
	case map[string]any:
		props, _ := m["properties"].(map[string]any)
		patterns, _ := m["patternProperties"].(map[string]any)
		for k, child := range val {
			cptr := ptr + "/" + escapePointer(k)
			matched := false
			if ps, ok := props[k]; ok {
				matched = true
				if child, err = w.walk(ps, child, cptr, 0); err != nil {
					return nil, err
				}
			}
			for pat, ps := range patterns {
				if re := patternRegexp(pat); re != nil && re.MatchString(k) {
					matched = true
					if child, err = w.walk(ps, child, cptr, 0); err != nil {
						return nil, err
					}
				}
			}
			if ap, ok := m["additionalProperties"]; ok && !matched {
				if child, err = w.walk(ap, child, cptr, 0); err != nil {
					return nil, err
				}
			}
			val[k] = child
		}
	case []any:
		prefix, _ := m["prefixItems"].([]any)
		items := m["items"]
		for i := range val {
			cptr := fmt.Sprintf("%s/%d", ptr, i)
			if i < len(prefix) {
				val[i], err = w.walk(prefix[i], val[i], cptr, 0)
			} else if items != nil {
				val[i], err = w.walk(items, val[i], cptr, 0)
			}
			if err != nil {
				return nil, err
			}
		}
	}
	return v, nil
}

var patternCache sync.Map // string -> *regexp.Regexp (nil if it does not compile)

func patternRegexp(p string) *regexp.Regexp {
	if re, ok := patternCache.Load(p); ok {
		return re.(*regexp.Regexp)
	}
	re, err := regexp.Compile(p)
	if err != nil {
		re = nil
	}
	patternCache.Store(p, re)
	return re
}
