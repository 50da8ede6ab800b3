package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/url"
	"strings"

	"github.com/durable-go/durable/runtime/httpapi"
)

func init() {
	register(command{name: "send", summary: "send an event to an engine's HTTP API", run: runSend})
}

const sendUsage = `usage: durable send NAME [--data JSON] [--id ID] [--ts MS] [--v VERSION] [--url URL] [--json]

Sends one event to POST /e/{key} of an engine. The event key is read from
` + eventKeyEnv + ` (unset: "` + devEventKey + `", which an engine in dev mode accepts).
Prints the event's ID.
`

func runSend(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("durable send", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var api apiFlags
	api.register(fs)
	data := fs.String("data", "{}", "the event's data: a JSON object")
	id := fs.String("id", "", "the event's ID (deduplicates: an ID already stored starts nothing)")
	ts := fs.Int64("ts", 0, "the event's timestamp, milliseconds since the Unix epoch (default: now)")
	v := fs.String("v", "", "the event's version")
	fs.Usage = func() { fmt.Fprint(stderr, sendUsage); fs.PrintDefaults() }
	pos, err := parseInterleaved(fs, args)
	if err != nil {
		return 2
	}
	if len(pos) != 1 {
		fmt.Fprintf(stderr, "durable send: want one event name, got %d arguments\n%s", len(pos), sendUsage)
		return 2
	}
	var obj map[string]json.RawMessage
	if err := json.Unmarshal([]byte(*data), &obj); err != nil || obj == nil {
		fmt.Fprintf(stderr, "durable send: --data must be a JSON object, such as '{\"order_id\":\"A-1\"}': %v\n", describeJSONError(*data, err))
		return 2
	}
	c, err := api.client()
	if err != nil {
		return fail(stderr, "send", err)
	}
	key := c.eventKey
	if key == "" {
		key = devEventKey
	}
	ev := map[string]any{"name": pos[0], "data": json.RawMessage(*data)}
	if *id != "" {
		ev["id"] = *id
	}
	if *ts != 0 {
		ev["ts"] = *ts
	}
	if *v != "" {
		ev["v"] = *v
	}
	var res httpapi.SendResponse
	raw, err := c.do(ctx, "POST", "/e/"+url.PathEscape(key), ev, false, &res)
	if err != nil {
		return fail(stderr, "send", err)
	}
	if api.json {
		stdout.Write(raw)
		return 0
	}
	fmt.Fprintln(stdout, strings.Join(res.IDs, "\n"))
	return 0
}

func describeJSONError(s string, err error) string {
	if err == nil {
		return "got " + strings.TrimSpace(s)
	}
	return err.Error()
}
