package httpapi

import (
	"bytes"
	"encoding/json"
	"errors"
	"strings"
	"testing"
)

func TestDecodeEvents(t *testing.T) {
	tests := []struct {
		name string
		body string
		max  int
		want []IngestEvent
		// problems are "index pointer: message" substrings, in order.
		problems []string
		tooMany  bool
	}{
		{name: "one", body: ` {"name":"a","data":{"x":1},"id":"i","ts":5,"v":"2"}`, want: []IngestEvent{{Name: "a", Data: json.RawMessage(`{"x":1}`), ID: "i", TS: 5, V: "2"}}},
		{name: "no data", body: `[{"name":"a"}]`, want: []IngestEvent{{Name: "a", Data: json.RawMessage(`{}`)}}},
		{name: "escaped name", body: `{"name":"a\u00e9"}`, want: []IngestEvent{{Name: "aé", Data: json.RawMessage(`{}`)}}},
		{name: "max batch", body: `[{"name":"a"},{"name":"b"}]`, max: 2, want: []IngestEvent{{Name: "a", Data: json.RawMessage(`{}`)}, {Name: "b", Data: json.RawMessage(`{}`)}}},
		{name: "over max batch", body: `[{"name":"a"},{"name":"b"},{"name":"c"}]`, max: 2, tooMany: true},
		{name: "empty array", body: `[]`, problems: []string{"- : the array of events is empty"}},
		{name: "whitespace", body: " \n", problems: []string{"- : the body is empty"}},
		{name: "trailing data", body: `{"name":"a"} {}`, problems: []string{"- : invalid JSON at byte 13 (line 1, column 14)"}},
		{name: "number", body: `42`, problems: []string{"- : the body must be an event object or an array of events, not a number"}},
		{name: "ts kinds", body: `[{"name":"a","ts":"5"},{"name":"a","ts":1e3},{"name":"a","ts":99999999999999999999}]`,
			problems: []string{"0 /0/ts: ts must be an integer number of milliseconds since the Unix epoch, not a string",
				"1 /1/ts: ts must be an integer number of milliseconds since the Unix epoch, not \"1e3\"",
				"2 /2/ts: ts must be an integer number of milliseconds since the Unix epoch, not \"99999999999999999999\""}},
		{name: "hostile key", body: `{"name":"a","` + strings.Repeat("k", 200) + `":1,"a/b~":2}`,
			problems: []string{`0 : unknown field "kkkk`, "… (200 bytes) (an event has", `0 /a~1b~0: unknown field "a/b~"`}},
		{name: "empty name, non-string v", body: `{"name":"","v":2}`, problems: []string{"0 /name: name is empty", "0 /v: must be a string, not a number"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, problems, err := DecodeEvents([]byte(tt.body), tt.max)
			var tm *TooManyEventsError
			if tt.tooMany != errors.As(err, &tm) {
				t.Fatalf("err %v, want too many: %v", err, tt.tooMany)
			}
			var lines []string
			for _, p := range problems {
				idx := "-"
				if p.Index != nil {
					idx = string(rune('0' + *p.Index))
				}
				lines = append(lines, idx+" "+p.Pointer+": "+p.Message)
			}
			all := strings.Join(lines, "\n")
			for _, w := range tt.problems {
				if !strings.Contains(all, w) {
					t.Errorf("problems lack %q:\n%s", w, all)
				}
			}
			if len(tt.problems) == 0 && len(problems) > 0 {
				t.Errorf("unexpected problems:\n%s", all)
			}
			if len(tt.want) > 0 {
				gj, _ := json.Marshal(got)
				wj, _ := json.Marshal(tt.want)
				if !bytes.Equal(gj, wj) {
					t.Errorf("got %s, want %s", gj, wj)
				}
			}
		})
	}
}

// FuzzIngestDecode decodes arbitrary ingest bodies. Properties: no panic;
// either events come back and no problem, or problems and no event;
// accepted events are valid (a name, data a JSON object, ts in range)
// and survive a round trip (encoded as an array and decoded again, they
// are the same); every problem has a message, a pointer into the body
// when it has one, an index within the batch; a body that is not JSON is
// reported with its offset.
func FuzzIngestDecode(f *testing.F) {
	for _, s := range []string{
		`{"name":"a","data":{"x":[1,2,{"y":null}]},"id":"i","ts":1700000000000,"v":"1"}`,
		`[{"name":"a"},{"name":"b","data":{}}]`,
		`[{"name":"a","name":"b"},{"data":null},"x",1,[],{"ts":-1,"extra":true}]`,
		`{"name":"a\ud800","data":{"\u0000":"\u001b[31m"}}`,
		"{\"name\":\"a\",\"data\":{\"x\":\"\xff\"}}",
		`[{"name":"a","ts":1e3}]`,
		`   `,
		`[`,
	} {
		f.Add([]byte(s), 3)
	}
	f.Fuzz(func(t *testing.T, body []byte, max int) {
		max = max % 5
		events, problems, err := DecodeEvents(body, max)
		if err != nil {
			var tm *TooManyEventsError
			if !errors.As(err, &tm) || tm.Count <= max || events != nil || problems != nil {
				t.Fatalf("err %v with %d events, %d problems", err, len(events), len(problems))
			}
			return
		}
		if (len(events) == 0) == (len(problems) == 0) {
			t.Fatalf("%d events and %d problems", len(events), len(problems))
		}
		if !json.Valid(body) && (len(problems) != 1 || problems[0].Offset == nil) && len(bytes.TrimSpace(body)) > 0 {
			t.Fatalf("invalid JSON without an offset: %+v", problems)
		}
		for _, p := range problems {
			if p.Message == "" {
				t.Fatalf("problem without a message: %+v", p)
			}
			if p.Pointer != "" && p.Pointer[0] != '/' {
				t.Fatalf("pointer %q", p.Pointer)
			}
			if p.Index != nil && (*p.Index < 0 || (max > 0 && *p.Index >= max)) {
				t.Fatalf("index %d", *p.Index)
			}
			if len(p.Pointer) > 2*maxQuoted+32 {
				t.Fatalf("pointer of %d bytes", len(p.Pointer))
			}
		}
		if len(events) == 0 {
			return
		}
		type wire struct {
			Name string          `json:"name"`
			Data json.RawMessage `json:"data"`
			ID   string          `json:"id,omitempty"`
			TS   int64           `json:"ts,omitempty"`
			V    string          `json:"v,omitempty"`
		}
		var ws []wire
		for _, ev := range events {
			if ev.Name == "" || ev.TS < 0 || ev.TS > MaxTS || !json.Valid(ev.Data) || ev.Data[0] != '{' {
				t.Fatalf("accepted %+v", ev)
			}
			ws = append(ws, wire{ev.Name, ev.Data, ev.ID, ev.TS, ev.V})
		}
		again, err := json.Marshal(ws)
		if err != nil {
			t.Fatal(err)
		}
		events2, problems2, err := DecodeEvents(again, 0)
		if err != nil || len(problems2) > 0 || len(events2) != len(events) {
			t.Fatalf("round trip of %s: %v %+v", again, err, problems2)
		}
		for i := range events {
			a, b := events[i], events2[i]
			var da, db any
			json.Unmarshal(a.Data, &da)
			json.Unmarshal(b.Data, &db)
			ja, _ := json.Marshal(da)
			jb, _ := json.Marshal(db)
			if a.Name != b.Name || a.ID != b.ID || a.TS != b.TS || a.V != b.V || !bytes.Equal(ja, jb) {
				t.Fatalf("round trip changed event %d: %+v -> %+v", i, a, b)
			}
		}
	})
}
