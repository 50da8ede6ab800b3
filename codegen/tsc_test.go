package codegen

import (
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/durable-go/durable/codegen/internal/npmtest"
)

// tsUsage uses the declarations of the shop golden catalog as a producer
// would; each @ts-expect-error line must fail to type-check, so that
// declarations too loose (any, optional everything) fail the test.
const tsUsage = `import type { Address, Envelope, EventName, OrderCreatedData } from "./shop/events";

export const created: Envelope = {
  name: "shop/order.created",
  v: "2026-01-15.1",
  data: {
    order_id: "o-1",
    customer_id: "c-1",
    items: [{ sku: "s", quantity: 1 }],
    placed_at: "2026-01-15T10:00:00Z",
    shipping: { street: "1 rue", city: "Paris", country: "DE" },
    notes: { gift: "yes" },
    metadata: { a: [1, "b", null, { c: true }] },
  },
};
export const flush: Envelope<"ops/cache.flush"> = { name: "ops/cache.flush", data: {} };
export const names: EventName[] = ["billing/payment.received", "ops/cache.flush", "shop/order.created", "shop/order.shipped"];

// @ts-expect-error country is one of FR, DE, US
export const badEnum: Address = { street: "s", city: "c", country: "IT" };
// @ts-expect-error items and placed_at are required
export const missing: OrderCreatedData = { order_id: "o", customer_id: "c" };
// @ts-expect-error the data of another event
export const wrongData: Envelope = { name: "ops/cache.flush", data: { order_id: "o" } };
// @ts-expect-error another version
export const wrongV: Envelope<"billing/payment.received"> = { name: "billing/payment.received", v: "2", data: { order_id: "o", amount_cents: 1, currency: "EUR" } };
// @ts-expect-error no such event
export const unknown: EventName = "shop/order.deleted";
`

// TestTypeScriptDeclarationsCompile type-checks every golden .d.ts file,
// and a producer using the shop one, with a real tsc in strict mode.
func TestTypeScriptDeclarationsCompile(t *testing.T) {
	npmtest.Require(t)
	npm := npmtest.Install(t, "typescript@5.9.3")
	var files []string
	err := filepath.WalkDir(filepath.Join("testdata", "golden"), func(p string, d fs.DirEntry, err error) error {
		if err == nil && strings.HasSuffix(p, ".d.ts") {
			files = append(files, p)
		}
		return err
	})
	if err != nil || len(files) < 3 {
		t.Fatalf("golden .d.ts files: %v, %v", files, err)
	}
	dir := t.TempDir()
	args := []string{filepath.Join(npm, "node_modules", "typescript", "bin", "tsc"),
		"--strict", "--noEmit", "--target", "es2020", "--module", "esnext", "--moduleResolution", "bundler"}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		// testdata/golden/<catalog>/want/...: one directory per catalog.
		catalog := strings.Split(filepath.ToSlash(f), "/")[2]
		dst := filepath.Join(dir, catalog, filepath.Base(f))
		writeFile(t, dst, string(data))
		args = append(args, dst)
	}
	t.Logf("type-checking %d declaration files and a producer", len(files))
	usage := filepath.Join(dir, "usage.ts")
	writeFile(t, usage, tsUsage)
	args = append(args, usage)
	cmd := exec.Command("node", args...)
	cmd.Dir = dir
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("tsc: %v\n%s", err, strings.ReplaceAll(string(out), dir+string(filepath.Separator), ""))
	}
}
