// Package eventname defines an Analyzer that reports event names that
// break the domain/noun.verb convention or are missing from the catalog.
//
// # Analyzer eventname
//
// eventname: report event names off the domain/noun.verb convention, and names missing from the catalog
//
// eventname looks at the constant event names of a package: event types
// (runtime.NewEventType), triggers (runtime.EventTrigger,
// inngestgo.EventTrigger), sent events (runtime.Event{Name: ...},
// inngestgo.Event and GenericEvent literals), cancellations
// (Cancel{Event: ...}) and Inngest waits (WaitForEventOpts{Event: ...}).
// It reports:
//
//   - names that the module defines, triggers on or sends and that are not
//     domain/noun.verb: lowercase, a domain, a slash, a noun and a
//     dot-separated action, words in kebab-case (shop/order.created,
//     billing/invoice.payment-failed). The message says what is wrong
//     (capitals, underscores, no domain, no action) and proposes a name.
//     Names only waited for or cancelled on may come from elsewhere (a
//     mail provider's webhook): they only need a lowercase domain/name;
//   - when a catalog is found (-catalog, else the nearest durable.yaml in
//     the package's directory or above), every name it does not list, with
//     the closest catalog name when one is near.
//
// System events (durable/..., inngest/...) are not checked.
//
// # Why it matters in production
//
// Event names are a contract between producers and consumers that the
// compiler does not check: a trigger on "shop/order.create" when the
// producer sends "shop/order.created" never fires, and nothing fails. A
// name missing from the catalog has no schema, no typed Go and no docs.
// One convention keeps names guessable and greppable across teams.
//
// # How to fix
//
// Rename the event (producers and consumers together, or keep the old name
// during a migration) or add it to the catalog:
//
//	// Before
//	runtime.NewEventType[Order]("OrderCreated", "1", nil)
//	runtime.EventTrigger("shop/order_created", "")
//
//	// After
//	runtime.NewEventType[Order]("shop/order.created", "1", nil)
//	runtime.EventTrigger("shop/order.created", "")
package eventname
