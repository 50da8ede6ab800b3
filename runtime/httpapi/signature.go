package httpapi

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// SignatureHeader is the header that carries a webhook's signature.
const SignatureHeader = "X-Durable-Signature"

// Sign returns the value of SignatureHeader for body sent at t, signed
// with secret.
func Sign(secret, body []byte, t time.Time) string {
	ts := strconv.FormatInt(t.Unix(), 10)
	return "t=" + ts + ",v1=" + hex.EncodeToString(mac(secret, ts, body))
}

func mac(secret []byte, ts string, body []byte) []byte {
	m := hmac.New(sha256.New, secret)
	m.Write([]byte(ts))
	m.Write([]byte{'.'})
	m.Write(body)
	return m.Sum(nil)
}

// VerifySignature checks header (the value of SignatureHeader) against
// body with any of secrets, and that its timestamp is within tolerance of
// now. The error says what is wrong without revealing the expected
// signature.
func VerifySignature(header string, body []byte, secrets [][]byte, now time.Time, tolerance time.Duration) error {
	if header == "" {
		return fmt.Errorf("the %s header is missing (this key accepts only signed requests)", SignatureHeader)
	}
	var ts string
	var sigs [][]byte
	for part := range strings.SplitSeq(header, ",") {
		k, v, ok := strings.Cut(strings.TrimSpace(part), "=")
		if !ok {
			return fmt.Errorf("%s: %s is not key=value (expected t=<unix seconds>,v1=<hex>)", SignatureHeader, quote(part))
		}
		switch k {
		case "t":
			ts = v
		case "v1":
			sig, err := hex.DecodeString(v)
			if err != nil || len(sig) != sha256.Size {
				return fmt.Errorf("%s: v1 must be %d hex digits", SignatureHeader, 2*sha256.Size)
			}
			sigs = append(sigs, sig)
		}
		// Other schemes are ignored, so that a sender may add newer ones.
	}
	if ts == "" {
		return fmt.Errorf("%s: no t=<unix seconds> timestamp", SignatureHeader)
	}
	if len(sigs) == 0 {
		return fmt.Errorf("%s: no v1=<hex> signature", SignatureHeader)
	}
	sec, err := strconv.ParseInt(ts, 10, 64)
	if err != nil {
		return fmt.Errorf("%s: timestamp %s is not a number of seconds", SignatureHeader, quote(ts))
	}
	if d := now.Sub(time.Unix(sec, 0)); d > tolerance || d < -tolerance {
		return fmt.Errorf("%s: timestamp %s is %v away from the server's clock, over the tolerance of %v (a replayed request, or a clock off)",
			SignatureHeader, ts, d.Abs().Round(time.Second), tolerance)
	}
	for _, secret := range secrets {
		want := mac(secret, ts, body)
		for _, sig := range sigs {
			if hmac.Equal(sig, want) {
				return nil
			}
		}
	}
	return errors.New(SignatureHeader + ": no signature matches the body with this key's signing secrets")
}
