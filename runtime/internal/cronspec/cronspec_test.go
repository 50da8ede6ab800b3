package cronspec

import (
	"strings"
	"testing"
	"time"
)

func TestParse(t *testing.T) {
	from := time.Date(2026, 3, 1, 10, 30, 0, 0, time.UTC) // a Sunday
	tests := []struct {
		spec    string
		next    time.Time
		wantErr string
	}{
		{spec: "0 9 * * *", next: time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)},
		{spec: "  0 9 * * 1-5  ", next: time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)},
		{spec: "@hourly", next: time.Date(2026, 3, 1, 11, 0, 0, 0, time.UTC)},
		{spec: "@every 1h30m", next: time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)},
		// 9:00 in Paris is 8:00 UTC in March (CET).
		{spec: "TZ=Europe/Paris 0 9 * * *", next: time.Date(2026, 3, 2, 8, 0, 0, 0, time.UTC)},
		{spec: "CRON_TZ=Europe/Paris 0 9 * * *", next: time.Date(2026, 3, 2, 8, 0, 0, 0, time.UTC)},
		{spec: "TZ=Europe/Paris", wantErr: `cron "TZ=Europe/Paris": a schedule must follow the time zone`},
		{spec: "TZ=Mars/Olympus 0 9 * * *", wantErr: `unknown time zone "Mars/Olympus"`},
		{spec: "TZ=Local 0 9 * * *", wantErr: `unknown time zone "Local": use an IANA name`},
		{spec: "TZ= 0 9 * * *", wantErr: `unknown time zone "": use an IANA name`},
		{spec: "0 25 * * *", wantErr: `cron "0 25 * * *": `},
		{spec: "0 9 * *", wantErr: "expected exactly 5 fields"},
		{spec: "0 9 * * * " + strings.Repeat("x", 200), wantErr: "(bytes 0-64 of 210)"},
	}
	for _, tt := range tests {
		s, err := Parse(tt.spec)
		if tt.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("Parse(%.30q): %v, want an error containing %q", tt.spec, err, tt.wantErr)
			}
			continue
		}
		if err != nil {
			t.Errorf("Parse(%q): %v", tt.spec, err)
			continue
		}
		if got := s.Next(from); !got.Equal(tt.next) {
			t.Errorf("Parse(%q).Next(%v) = %v, want %v", tt.spec, from, got.UTC(), tt.next)
		}
	}
}
