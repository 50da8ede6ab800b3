package jsonfmt

import "testing"

func TestUnescapeHTML(t *testing.T) {
	tests := []struct{ in, want string }{
		{`"a \u003cb\u003e \u0026 c"`, `"a <b> & c"`},
		{`"back\\u003c"`, `"back\\u003c"`},
		{`"back\\\u003c"`, `"back\\<"`},
		{`"\u00e9 \n"`, `"\u00e9 \n"`},
		{`"plain"`, `"plain"`},
	}
	for _, tt := range tests {
		if got := string(UnescapeHTML([]byte(tt.in))); got != tt.want {
			t.Errorf("UnescapeHTML(%s) = %s, want %s", tt.in, got, tt.want)
		}
	}
}

func TestMarshal(t *testing.T) {
	got, err := Marshal(map[string]any{"d": "<x> & y", "n": 1})
	if err != nil {
		t.Fatal(err)
	}
	want := "{\n  \"d\": \"<x> & y\",\n  \"n\": 1\n}\n"
	if string(got) != want {
		t.Errorf("Marshal = %q, want %q", got, want)
	}
}
