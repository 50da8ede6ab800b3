// Package npmtest installs npm packages for the slow tests that check the
// generated files with independent JavaScript tools (tsc, ajv). Those tests
// run only when DURABLE_SLOW_TESTS=1; then a failure to install is a test
// failure, not a skip, so that CI cannot pass without having checked.
package npmtest

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// SlowEnv is the environment variable that turns the slow tests on.
const SlowEnv = "DURABLE_SLOW_TESTS"

// Require skips the test unless DURABLE_SLOW_TESTS=1.
func Require(t *testing.T) {
	t.Helper()
	if os.Getenv(SlowEnv) != "1" {
		t.Skipf("set %s=1 to run (installs npm packages)", SlowEnv)
	}
}

// Install installs the packages (exact versions, such as
// typescript@5.9.3) into a directory of the user's cache named after them,
// once, and returns that directory (node_modules is under it). It fails
// the test when node or npm is missing or the install fails.
func Install(t *testing.T, packages ...string) string {
	t.Helper()
	for _, tool := range []string{"node", "npm"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Fatalf("%s=1 but %s is not installed: %v", SlowEnv, tool, err)
		}
	}
	cache, err := os.UserCacheDir()
	if err != nil {
		cache = os.TempDir()
	}
	name := strings.NewReplacer("/", "_", "@", "-").Replace(strings.Join(packages, "+"))
	dir := filepath.Join(cache, "durable-tests", "npm", name)
	stamp := filepath.Join(dir, ".installed")
	if _, err := os.Stat(stamp); err == nil {
		return dir
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "package.json"), []byte(`{"private": true}`+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	args := append([]string{"install", "--no-audit", "--no-fund", "--save-exact", "--prefix", dir}, packages...)
	cmd := exec.Command("npm", args...)
	cmd.Dir = dir
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("%s=1 but npm install %s failed: %v\n%s", SlowEnv, strings.Join(packages, " "), err, out)
	}
	if err := os.WriteFile(stamp, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}
