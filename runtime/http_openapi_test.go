package runtime

import (
	"bytes"
	"context"
	"encoding/json"
	"go/ast"
	"go/parser"
	"go/token"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/durable-go/durable/runtime/httpapi"
	"github.com/durable-go/durable/runtime/store/sqlite"
	"github.com/santhosh-tekuri/jsonschema/v6"
	"gopkg.in/yaml.v3"
)

// openAPI is schemas/openapi.yaml, decoded.
type openAPI struct {
	OpenAPI    string                                 `yaml:"openapi"`
	Paths      map[string]map[string]openAPIOp        `yaml:"paths"`
	Components struct{ Schemas map[string]yaml.Node } `yaml:"components"`
	raw        any
}

type openAPIOp struct {
	Responses map[string]yaml.Node `yaml:"responses"`
}

func loadOpenAPI(t *testing.T) *openAPI {
	t.Helper()
	b, err := os.ReadFile("../schemas/openapi.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var doc openAPI
	if err := yaml.Unmarshal(b, &doc); err != nil {
		t.Fatalf("schemas/openapi.yaml: %v", err)
	}
	if err := yaml.Unmarshal(b, &doc.raw); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(doc.OpenAPI, "3.1.") {
		t.Fatalf("openapi %q, want 3.1.x", doc.OpenAPI)
	}
	return &doc
}

// TestOpenAPISchemasMatchGoTypes: each schema marked x-go-type has the
// JSON fields of that type of package httpapi, and requires exactly those
// that are never omitted; the enums list what the code knows.
func TestOpenAPISchemasMatchGoTypes(t *testing.T) {
	doc := loadOpenAPI(t)
	types := map[string]reflect.Type{}
	for _, v := range []any{httpapi.Error{}, httpapi.Problem{}, httpapi.SendResponse{}, httpapi.Function{}, httpapi.Trigger{},
		httpapi.FunctionList{}, httpapi.Event{}, httpapi.Run{}, httpapi.Step{}, httpapi.RunList{}, httpapi.Health{},
		httpapi.RerunRequest{}, httpapi.RerunResponse{}, httpapi.BulkRequest{}, httpapi.BulkResponse{},
		httpapi.ResumeRequest{}, httpapi.PauseResponse{}} {
		types[reflect.TypeOf(v).Name()] = reflect.TypeOf(v)
	}
	seen := map[string]bool{}
	for name, node := range doc.Components.Schemas {
		var s struct {
			GoType     string         `yaml:"x-go-type"`
			Required   []string       `yaml:"required"`
			Properties map[string]any `yaml:"properties"`
			Enum       []string       `yaml:"enum"`
		}
		if err := node.Decode(&s); err != nil {
			t.Fatalf("schema %s: %v", name, err)
		}
		if s.GoType == "" {
			continue
		}
		typ, ok := types[s.GoType]
		if !ok {
			t.Errorf("schema %s: x-go-type %s is not a type of package httpapi the test knows", name, s.GoType)
			continue
		}
		seen[s.GoType] = true
		var fields, required []string
		for i := range typ.NumField() {
			tag := typ.Field(i).Tag.Get("json")
			fname, opts, _ := strings.Cut(tag, ",")
			fields = append(fields, fname)
			if !strings.Contains(opts, "omitempty") {
				required = append(required, fname)
			}
		}
		var props []string
		for p := range s.Properties {
			props = append(props, p)
		}
		slices.Sort(fields)
		slices.Sort(props)
		slices.Sort(required)
		slices.Sort(s.Required)
		if !slices.Equal(fields, props) {
			t.Errorf("schema %s has properties %v; httpapi.%s has JSON fields %v", name, props, s.GoType, fields)
		}
		if !slices.Equal(required, s.Required) {
			t.Errorf("schema %s requires %v; httpapi.%s never omits %v", name, s.Required, s.GoType, required)
		}
	}
	for name := range types {
		if !seen[name] {
			t.Errorf("httpapi.%s is in no schema of schemas/openapi.yaml (x-go-type)", name)
		}
	}
	var statuses struct {
		Enum []string `yaml:"enum"`
	}
	rs := doc.Components.Schemas["RunStatus"]
	if err := rs.Decode(&statuses); err != nil {
		t.Fatal(err)
	}
	if want := (webManager{}).RunStatuses(); !slices.Equal(statuses.Enum, want) {
		t.Errorf("RunStatus enum %v, want %v", statuses.Enum, want)
	}
	var errSchema struct {
		Properties struct {
			Code struct {
				Enum []string `yaml:"enum"`
			} `yaml:"code"`
		} `yaml:"properties"`
	}
	es := doc.Components.Schemas["Error"]
	if err := es.Decode(&errSchema); err != nil {
		t.Fatal(err)
	}
	codes := errorCodes(t)
	slices.Sort(codes)
	documented := slices.Sorted(slices.Values(errSchema.Properties.Code.Enum))
	if !slices.Equal(codes, documented) {
		t.Errorf("Error.code enum %v; package httpapi declares %v", documented, codes)
	}
}

// errorCodes reads the Code* constants of package httpapi.
func errorCodes(t *testing.T) []string {
	f, err := parser.ParseFile(token.NewFileSet(), filepath.Join("httpapi", "types.go"), nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	var codes []string
	ast.Inspect(f, func(n ast.Node) bool {
		vs, ok := n.(*ast.ValueSpec)
		if !ok || !strings.HasPrefix(vs.Names[0].Name, "Code") {
			return true
		}
		lit := vs.Values[0].(*ast.BasicLit)
		s, _ := strconv.Unquote(lit.Value)
		codes = append(codes, s)
		return true
	})
	return codes
}

// TestOpenAPIResponsesMatch calls every route and validates each answer
// against the schema the document gives for its status.
func TestOpenAPIResponsesMatch(t *testing.T) {
	doc := loadOpenAPI(t)
	raw, err := json.Marshal(doc.raw)
	if err != nil {
		t.Fatal(err)
	}
	jdoc, err := jsonschema.UnmarshalJSON(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	const loc = "https://durable.invalid/openapi.json"
	if err := c.AddResource(loc, jdoc); err != nil {
		t.Fatal(err)
	}
	validate := func(t *testing.T, method, pattern string, status int, body []byte) {
		t.Helper()
		op, ok := doc.Paths[pattern][strings.ToLower(method)]
		if !ok {
			t.Fatalf("%s %s undocumented", method, pattern)
		}
		resp, ok := op.Responses[strconv.Itoa(status)]
		if !ok && status >= 500 {
			// The store or the engine failing: any route, the default answer.
			resp, ok = op.Responses["default"]
		}
		if !ok {
			t.Fatalf("%s %s answered %d, which the document does not list: %s", method, pattern, status, body)
		}
		var r struct {
			Ref     string `yaml:"$ref"`
			Content map[string]struct {
				Schema struct {
					Ref string `yaml:"$ref"`
				} `yaml:"schema"`
			} `yaml:"content"`
		}
		if err := resp.Decode(&r); err != nil {
			t.Fatal(err)
		}
		ref := r.Content["application/json"].Schema.Ref
		if r.Ref != "" {
			ref = "#/components/schemas/Error"
		}
		sch, err := c.Compile(loc + ref)
		if err != nil {
			t.Fatalf("compiling %s: %v", ref, err)
		}
		v, err := jsonschema.UnmarshalJSON(bytes.NewReader(body))
		if err != nil {
			t.Fatalf("%s %s: %d %s: %v", method, pattern, status, body, err)
		}
		if err := sch.Validate(v); err != nil {
			t.Errorf("%s %s: %d %s does not match %s: %v", method, pattern, status, body, ref, err)
		}
	}

	st, err := sqlite.Open(filepath.Join(t.TempDir(), "openapi.db"), sqlite.Synchronous("OFF"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	fn := NewFunction(FunctionOpts{ID: "doc-fn"}, Triggers(EventTrigger("doc/hello", ""), CronTrigger("@daily")),
		func(ctx context.Context, in Input[map[string]any]) (any, error) {
			return map[string]any{"ok": true}, nil
		})
	const key, token = "doc-key-0123456789abcdef", "doc-token-0123456789abcdef"
	eng, err := New(Options{Store: st, Functions: []*Function{fn}, PollInterval: 10 * time.Millisecond,
		HTTP: HTTPOptions{EventKeys: []string{key}, ManagementTokens: []string{token}}})
	if err != nil {
		t.Fatal(err)
	}
	if err := eng.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	defer eng.Stop(context.Background())
	srv := httptest.NewServer(eng.Handler())
	defer srv.Close()
	var lastStatus int
	call := func(method, path, pattern, body string, auth bool) []byte {
		req, _ := http.NewRequest(method, srv.URL+path, strings.NewReader(body))
		if auth {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		res, err := srv.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		lastStatus = res.StatusCode
		validate(t, method, pattern, res.StatusCode, b)
		return b
	}
	var sent httpapi.SendResponse
	json.Unmarshal(call("POST", "/e/"+key, "/e/{key}", `{"name":"doc/hello","data":{},"id":"ev-1"}`, false), &sent)
	call("POST", "/e/"+key, "/e/{key}", `[{"name":5}]`, false)
	call("POST", "/e/wrong-0123456789abcdef", "/e/{key}", `{}`, false)
	call("GET", "/healthz", "/healthz", "", false)
	call("GET", "/readyz", "/readyz", "", false)
	call("GET", "/api/v1/functions", "/api/v1/functions", "", true)
	call("GET", "/api/v1/functions", "/api/v1/functions", "", false)
	call("GET", "/api/v1/functions/doc-fn", "/api/v1/functions/{id}", "", true)
	call("GET", "/api/v1/functions/nope", "/api/v1/functions/{id}", "", true)
	call("GET", "/api/v1/events/ev-1", "/api/v1/events/{id}", "", true)
	call("GET", "/api/v1/events/nope", "/api/v1/events/{id}", "", true)
	var runID string
	for deadline := time.Now().Add(10 * time.Second); runID == ""; {
		var list httpapi.RunList
		json.Unmarshal(call("GET", "/api/v1/runs?function=doc-fn&status=completed&limit=5", "/api/v1/runs", "", true), &list)
		if len(list.Runs) > 0 {
			runID = list.Runs[0].ID
		} else if time.Now().After(deadline) {
			t.Fatal("the run did not complete")
		}
		time.Sleep(10 * time.Millisecond)
	}
	call("GET", "/api/v1/runs?status=nope", "/api/v1/runs", "", true)
	call("GET", "/api/v1/runs/"+runID, "/api/v1/runs/{id}", "", true)
	call("GET", "/api/v1/runs/nope", "/api/v1/runs/{id}", "", true)
	call("POST", "/api/v1/runs/"+runID+"/cancel", "/api/v1/runs/{id}/cancel", "", true)
	call("POST", "/api/v1/runs/nope/rerun", "/api/v1/runs/{id}/rerun", "", true)
	call("POST", "/api/v1/runs/"+runID+"/rerun", "/api/v1/runs/{id}/rerun", `{"from_step":"nope"}`, true)
	call("POST", "/api/v1/runs/"+runID+"/rerun", "/api/v1/runs/{id}/rerun", `{}`, true)
	call("POST", "/api/v1/runs/cancel", "/api/v1/runs/cancel", `{"function_id":"doc-fn"}`, true)
	call("POST", "/api/v1/runs/cancel", "/api/v1/runs/cancel", `{}`, true)
	call("POST", "/api/v1/runs/rerun", "/api/v1/runs/rerun", `{"function_id":"doc-fn","statuses":["cancelled"]}`, true)
	call("POST", "/api/v1/runs/rerun", "/api/v1/runs/rerun", `{"if":"event.data.("}`, true)
	call("POST", "/api/v1/functions/doc-fn/pause", "/api/v1/functions/{id}/pause", "", true)
	call("POST", "/api/v1/functions/doc-fn/resume", "/api/v1/functions/{id}/resume", `{"skip_held":true}`, true)
	call("POST", "/api/v1/functions/doc-fn/resume", "/api/v1/functions/{id}/resume", `{"bogus":1}`, true)
	// A store that is gone: 503 from every route that reads it.
	st.Close()
	for _, c := range [][3]string{{"GET", "/readyz", "/readyz"}, {"GET", "/api/v1/runs/" + runID, "/api/v1/runs/{id}"}, {"POST", "/e/" + key, "/e/{key}"}} {
		if call(c[0], c[1], c[2], `{"name":"doc/hello"}`, true); lastStatus != http.StatusServiceUnavailable {
			t.Errorf("%s %s with the store closed: %d, want 503", c[0], c[2], lastStatus)
		}
	}
}
