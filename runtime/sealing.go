package runtime

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"os"
	"strings"

	"github.com/durable-go/durable/runtime/internal/journal"
	"github.com/durable-go/durable/runtime/internal/seal"
	"github.com/durable-go/durable/runtime/store"
)

// EncryptionKeyEnv is the environment variable that holds the key of
// sensitive fields (standard base64 of 32 bytes) when Options.EncryptionKey
// is nil.
const EncryptionKeyEnv = "DURABLE_ENCRYPTION_KEY"

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

// openEnvelope returns the envelope with its sensitive fields decrypted, for
// user code. An envelope with nothing encrypted is returned as it is. The
// envelope of a durable/function.failed event has the failed run's event
// decrypted too.
func (c *eventCatalog) openEnvelope(raw json.RawMessage) (json.RawMessage, error) {
	if c == nil || !bytes.Contains(raw, []byte(`"`+seal.Field+`"`)) {
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
		v, err := k.sens.Transform(v, func(ptr string, val any) (any, error) {
			plain, err := c.sealer.Open(id, ptr, val)
			if err != nil {
				return nil, &DecryptError{EventID: id, Pointer: ptr, Reason: err.Error()}
			}
			return plain, nil
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
	if st.Kind != journal.KindWait {
		return st.Output
	}
	plain, err := x.e.events.openEnvelope(st.Output)
	if err != nil {
		x.failRun(fmt.Errorf("step %q: %w", st.ID, err))
	}
	return plain
}
