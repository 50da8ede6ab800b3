// Package eventname defines an Analyzer that reports event names that
// break the Inngest naming convention or are missing from the catalog.
//
// # Analyzer eventname
//
// eventname: report event names off the prefix/noun.verb convention or the package's style, and names missing from the catalog
//
// eventname looks at the constant event names of a package: event types
// (runtime.NewEventType), triggers (runtime.EventTrigger,
// inngestgo.EventTrigger), sent events (runtime.Event{Name: ...},
// inngestgo.Event and GenericEvent literals), cancellations
// (Cancel{Event: ...}) and Inngest waits (WaitForEventOpts{Event: ...}).
// It reports:
//
//   - names that the module defines, triggers on or sends and that break
//     the Inngest convention: a lowercase prefix (the app or domain), a
//     slash, then lowercase words, as in prefix/noun.verb
//     (shop/order.created), prefix/noun-verb (user/signed-up) or
//     prefix/verb (item/created: the prefix names the thing). Reported:
//     no prefix, spaces, capitals, malformed words (a doubled separator),
//     a lone verb after a prefix that names no thing: a generic one
//     ("app/created": created what?) or one the package's other names use
//     as a domain before noun.verb ("onboarding/created" beside
//     "onboarding/workspace.activated"),
//     and a style unlike the rest of the package: noun.verb among names
//     that join noun and verb like their words (noun-verb) or the other way
//     round, or underscores among hyphens or the other way round. The
//     majority is per package, on each axis where at least three names
//     say something and two in three agree (a module-wide majority would
//     need facts, which only show a package the packages it imports, so a
//     name would be judged differently in different packages). The
//     message says what is wrong and proposes a name. Names only waited
//     for or cancelled on may come from elsewhere (a mail provider's
//     webhook): they only need a lowercase prefix/name;
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
// One convention, followed the same way throughout, keeps names guessable
// and greppable across teams.
//
// # How to fix
//
// Rename the event (producers and consumers together, or keep the old name
// during a migration) or add it to the catalog:
//
//	// Before
//	runtime.NewEventType[Order]("OrderCreated", "1", nil)
//	inngestgo.EventTrigger("app/created", nil)
//
//	// After
//	runtime.NewEventType[Order]("shop/order.created", "1", nil)
//	inngestgo.EventTrigger("app/user.created", nil)
package eventname
