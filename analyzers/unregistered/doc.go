// Package unregistered defines an Analyzer that reports durable functions
// that are defined but never registered with an engine, and stale
// generated registries.
//
// # Analyzer unregistered
//
// unregistered: report durable functions never given to an engine, and stale generated registries
//
// It reports, for this module's runtime (inngestgo.CreateFunction registers
// the function with its client, so the Inngest profile has nothing to miss):
//
//   - a runtime.NewFunction whose result is discarded or assigned to _;
//   - an unexported package-level function that nothing in its package
//     registers (puts in a slice, passes to a call, returns...);
//   - at runtime.New, every function defined in the program's packages
//     (known across packages through facts) that no package registers;
//   - in a generated registry (a file marked "Code generated ... DO NOT
//     EDIT." that lists []*runtime.Function), the exported functions of the
//     packages it imports that it does not list.
//
// Giving a function to step.Invoke or calling its methods does not count as
// registering it.
//
// # Why it matters
//
// An unregistered function never runs: its events are accepted and
// silently ignored, and step.Invoke of it fails at run time. The usual
// cause is a new function added after `durable generate` last ran.
//
// # How to fix
//
// Run `durable generate` to refresh the registry, or add the function to
// runtime.Options.Functions:
//
//	// Before
//	eng, err := runtime.New(runtime.Options{Store: st, Functions: []*runtime.Function{orders.Charge}})
//
//	// After
//	eng, err := runtime.New(runtime.Options{Store: st, Functions: registry.Functions()})
package unregistered
