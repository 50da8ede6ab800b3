package runtime

import (
	"encoding/json"
	"errors"
	"net/http"
	"os"
	"slices"
	"strconv"

	"github.com/durable-go/durable/runtime/internal/web"
)

// UIOptions configures the web UI that Engine.UI serves. The UI refuses
// every request until one of its ways in is set: a management token, an
// Authorize hook, or DevMode.
type UIOptions struct {
	// ManagementTokens are the tokens accepted by the UI's login form (which
	// sets an HttpOnly, SameSite=Strict session cookie signed with the token;
	// removing a token ends its sessions) and as "Authorization: Bearer
	// <token>". Several may be valid at once, for rotation. Each is at
	// least 16 printable ASCII characters. Options.HTTP.ManagementTokens
	// are accepted too.
	ManagementTokens []string
	// Authorize, when set, admits the requests for which it returns true,
	// such as those with the application's own session; the others are
	// answered 403. It replaces the tokens' login.
	Authorize func(*http.Request) bool
	// DevMode serves without authentication, and then only to loopback
	// clients (127.0.0.1, ::1), when neither tokens nor Authorize are set.
	// For local development. Options.HTTP.DevMode and DURABLE_DEV=1 (which
	// `durable dev` sets) turn it on too.
	DevMode bool
}

// DevEnv is the environment variable that `durable dev` sets to "1" for the
// app it runs: runtime.New then turns UIOptions.DevMode on. DevDBEnv and
// DevAddrEnv tell the app where `durable dev` wants its SQLite file and its
// HTTP listener (see DevSettings).
const (
	DevEnv     = "DURABLE_DEV"
	DevDBEnv   = "DURABLE_DB"
	DevAddrEnv = "DURABLE_ADDR"
)

// DevSettings are the settings `durable dev` gives the app it runs, read
// from the environment by Dev.
type DevSettings struct {
	// On is DURABLE_DEV=1.
	On bool
	// DBPath is DURABLE_DB: the SQLite file to open (under .durable/).
	DBPath string
	// Addr is DURABLE_ADDR: where to serve Engine.UI (and the HTTP API),
	// 127.0.0.1:8288 by default.
	Addr string
}

// Dev reads the settings of `durable dev` from the environment. An app
// honours them with, for example:
//
//	dev := runtime.Dev()
//	if dev.On {
//		dbPath = dev.DBPath
//		go http.ListenAndServe(dev.Addr, http.StripPrefix("/ui", eng.UI()))
//	}
func Dev() DevSettings {
	return DevSettings{On: os.Getenv(DevEnv) == "1", DBPath: os.Getenv(DevDBEnv), Addr: os.Getenv(DevAddrEnv)}
}

func (o UIOptions) check() error {
	var errs []error
	for i, t := range o.ManagementTokens {
		if err := checkUIToken(t); err != nil {
			errs = append(errs, errors.New("Options.UI.ManagementTokens["+strconv.Itoa(i)+"]: "+err.Error()))
		}
	}
	return errors.Join(errs...)
}

func checkUIToken(t string) error {
	if len(t) < 16 {
		return errors.New(strconv.Itoa(len(t)) + " characters; at least 16 are required")
	}
	for i := 0; i < len(t); i++ {
		if t[i] <= ' ' || t[i] > '~' {
			return errors.New("character " + strconv.Itoa(i) + " is not printable ASCII (or is a space)")
		}
	}
	return nil
}

// UI returns the engine's web UI: functions (paused or not, with buttons
// to pause and resume them), events, runs with their step waterfalls and
// lineage (with buttons to cancel, rerun, and rerun from a step), and a
// form to send events. It is
// server-rendered HTML with its CSS and JavaScript embedded in the binary
// (nothing is fetched from elsewhere), and it may be mounted under any
// prefix, for example
//
//	mux.Handle("/ui/", http.StripPrefix("/ui", eng.UI()))
//
// Who may use it is set by Options.UI. Sensitive fields of events are
// always shown redacted.
func (e *Engine) UI() http.Handler {
	return web.NewUI(webManager{e}, web.UIOptions(e.uiOpts))
}

// configureUI keeps what Engine.UI needs from the options: the UI's
// access rules (DevMode also from DURABLE_DEV=1) and the event types'
// schemas, for the send form.
func (e *Engine) configureUI(opts Options) error {
	e.uiOpts = opts.UI
	if err := e.uiOpts.check(); err != nil {
		return err
	}
	// The HTTP API's management tokens and dev mode open the UI too.
	e.uiOpts.ManagementTokens = append(slices.Clip(e.uiOpts.ManagementTokens), opts.HTTP.ManagementTokens...)
	if Dev().On || opts.HTTP.DevMode {
		e.uiOpts.DevMode = true
	}
	e.eventSchemas = map[string]json.RawMessage{}
	for _, t := range opts.Events {
		if t != nil && len(t.Schema()) > 0 {
			e.eventSchemas[t.Name()] = t.Schema()
		}
	}
	return nil
}
