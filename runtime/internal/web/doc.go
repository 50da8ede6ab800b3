// Package web serves an engine over HTTP: the HTTP API of Engine.Handler
// (event ingest with webhook signatures, the management API of functions,
// events and runs, the health checks, and the keys, tokens and rate limits
// that guard them: http*.go) and the UI of Engine.UI (server-rendered pages
// with their embedded assets, sessions and CSRF checks: ui*.go,
// uiassets/).
//
// The API and the UI are one package because they are two views of the
// same operations: both read and operate the engine through one interface,
// Manager, which package runtime implements, and both answer with the
// wire types of package httpapi. This package does not import package
// runtime; what it needs of the user's types (functions, runs, events)
// reaches it as httpapi types or as the small structs Manager declares.
package web
