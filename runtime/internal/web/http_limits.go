package web

import (
	"crypto/sha256"
	"crypto/subtle"
	"sync"
	"time"
)

// secretSet holds keys or tokens, several valid at once (rotation). A
// candidate is compared with every one of them in constant time: what is
// compared are SHA-256 digests, so that neither the content nor the length
// of a secret shows in the time an answer takes.
type secretSet struct {
	digests [][sha256.Size]byte
}

func newSecretSet(secrets []string) *secretSet {
	s := &secretSet{}
	for _, sec := range secrets {
		s.digests = append(s.digests, sha256.Sum256([]byte(sec)))
	}
	return s
}

func (s *secretSet) empty() bool { return len(s.digests) == 0 }

// index returns the position of candidate among the secrets, or -1. Every
// secret is compared, whatever matched.
func (s *secretSet) index(candidate string) int {
	d := sha256.Sum256([]byte(candidate))
	found := -1
	for i := range s.digests {
		if subtle.ConstantTimeCompare(d[:], s.digests[i][:]) == 1 && found < 0 {
			found = i
		}
	}
	return found
}

func (s *secretSet) match(candidate string) bool { return s.index(candidate) >= 0 }

// rateLimiter is a token bucket per key: each holds up to burst tokens
// and gains rate per second; a request takes one. Its keys are the
// configured keys and tokens (by position), so the map stays small.
type rateLimiter struct {
	rate  float64
	burst float64
	now   func() time.Time

	mu      sync.Mutex
	buckets map[string]*bucket
}

type bucket struct {
	tokens float64
	last   time.Time
}

func newRateLimiter(rate float64, burst int, now func() time.Time) *rateLimiter {
	return &rateLimiter{rate: rate, burst: float64(burst), now: now, buckets: map[string]*bucket{}}
}

// allow takes a token from key's bucket; when there is none, it says how
// long until there is one.
func (l *rateLimiter) allow(key string) (bool, time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	b := l.buckets[key]
	if b == nil {
		b = &bucket{tokens: l.burst, last: now}
		l.buckets[key] = b
	}
	if el := now.Sub(b.last); el > 0 {
		b.tokens = min(l.burst, b.tokens+el.Seconds()*l.rate)
		b.last = now
	}
	if b.tokens >= 1 {
		b.tokens--
		return true, 0
	}
	return false, time.Duration((1 - b.tokens) / l.rate * float64(time.Second))
}
