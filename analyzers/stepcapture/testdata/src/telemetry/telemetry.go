// Package telemetry records what it is given; it never writes through
// the pointers it receives.
package telemetry

import "log/slog"

type Span struct{ name string }

func (s *Span) SetAttr(key string, v *string) { slog.Debug("attr", "span", s.name, key, *v) }

// Observe reads the value at p.
func Observe(name string, p *int64) { slog.Debug("observe", name, *p) }
