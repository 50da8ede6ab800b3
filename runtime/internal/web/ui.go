package web

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"embed"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"html/template"
	"io/fs"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// UIOptions configures NewUI: runtime.UIOptions, with the HTTP API's
// management tokens added and DevMode set by DURABLE_DEV=1 or the API's
// dev mode.
type UIOptions struct {
	ManagementTokens []string
	Authorize        func(*http.Request) bool
	DevMode          bool
}

//go:embed uiassets
var uiFiles embed.FS

// Cookie names of the UI.
const (
	uiSessionCookie = "durable_ui_session"
	uiCSRFCookie    = "durable_ui_csrf"
	uiSessionTTL    = 12 * time.Hour
)

// uiServer is one UI handler.
type uiServer struct {
	m    Manager
	opts UIOptions
	// fns, types and statuses are the engine's, fixed by runtime.New.
	fns      []Function
	types    map[string]EventType
	statuses []string
	pages    map[string]*template.Template
	assets   http.Handler
	mux      *http.ServeMux
}

// NewUI returns the web UI of runtime's Engine.UI, serving m.
func NewUI(m Manager, o UIOptions) http.Handler {
	s := &uiServer{m: m, opts: o, fns: m.Functions(), types: m.EventTypes(), statuses: m.RunStatuses(), mux: http.NewServeMux()}
	sub, err := fs.Sub(uiFiles, "uiassets")
	if err != nil {
		panic(err) // the embedded directory exists: a build without it fails
	}
	s.assets = http.FileServerFS(sub)
	s.pages = parseUIPages(sub)
	s.mux.HandleFunc("GET /{$}", s.page(s.functionsPage))
	s.mux.HandleFunc("GET /functions", s.page(s.functionsPage))
	s.mux.HandleFunc("GET /runs", s.page(s.runsPage))
	s.mux.HandleFunc("GET /runs/{id}", s.page(s.runPage))
	s.mux.HandleFunc("POST /runs/{id}/cancel", s.action(s.cancelRun))
	s.mux.HandleFunc("POST /runs/{id}/rerun", s.action(s.rerunRun))
	s.mux.HandleFunc("POST /functions/{id}/pause", s.action(s.pauseFunction))
	s.mux.HandleFunc("GET /events", s.page(s.eventsPage))
	s.mux.HandleFunc("GET /events/{id}", s.page(s.eventPage))
	s.mux.HandleFunc("GET /send", s.page(s.sendPage))
	s.mux.HandleFunc("POST /send", s.action(s.sendEvent))
	s.mux.HandleFunc("POST /logout", s.action(s.logout))
	return s
}

func (s *uiServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("Content-Security-Policy", "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
	h.Set("X-Frame-Options", "DENY")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "no-referrer")
	path := r.URL.Path
	if path == "" {
		path = "/"
	}
	if strings.HasPrefix(path, "/assets/") {
		h.Set("Cache-Control", "no-cache")
		r2 := r.Clone(r.Context())
		r2.URL.Path = strings.TrimPrefix(path, "/assets")
		s.assets.ServeHTTP(w, r2)
		return
	}
	h.Set("Cache-Control", "no-store")
	if path == "/login" {
		s.login(w, r)
		return
	}
	switch s.admit(r) {
	case admitted:
	case mustLogin:
		w.Header().Set("Location", uiBase(r)+"login")
		w.WriteHeader(http.StatusSeeOther)
		return
	case forbidden:
		s.errorPage(w, r, http.StatusForbidden, "Forbidden", "This UI's access rule refused the request.")
		return
	case notLoopback:
		s.errorPage(w, r, http.StatusForbidden, "Forbidden", "The UI is in dev mode (no authentication): it answers only loopback addresses.")
		return
	case unconfigured:
		s.errorPage(w, r, http.StatusServiceUnavailable, "UI not configured",
			"Set Options.UI.ManagementTokens, Options.UI.Authorize, or Options.UI.DevMode (local development only) to use the UI.")
		return
	}
	r.URL.Path = path
	s.mux.ServeHTTP(w, r)
}

type uiAccess int

const (
	admitted uiAccess = iota
	mustLogin
	forbidden
	notLoopback
	unconfigured
)

// admit decides whether r may use the UI.
func (s *uiServer) admit(r *http.Request) uiAccess {
	if s.opts.Authorize != nil {
		if s.opts.Authorize(r) {
			return admitted
		}
		return forbidden
	}
	if len(s.opts.ManagementTokens) > 0 {
		if _, ok := s.bearer(r); ok {
			return admitted
		}
		if c, err := r.Cookie(uiSessionCookie); err == nil && s.validSession(c.Value) {
			return admitted
		}
		return mustLogin
	}
	if s.opts.DevMode {
		if loopbackAddr(r.RemoteAddr) {
			return admitted
		}
		return notLoopback
	}
	return unconfigured
}

// bearer reports whether r carries a valid management token as a Bearer
// header.
func (s *uiServer) bearer(r *http.Request) (string, bool) {
	a := r.Header.Get("Authorization")
	tok, ok := strings.CutPrefix(a, "Bearer ")
	if !ok {
		return "", false
	}
	return tok, s.validToken(tok)
}

func (s *uiServer) validToken(tok string) bool {
	ok := false
	for _, t := range s.opts.ManagementTokens {
		// Every token is compared, in constant time, so that timing tells
		// nothing of which matched.
		if subtle.ConstantTimeCompare([]byte(tok), []byte(t)) == 1 {
			ok = true
		}
	}
	return ok
}

// A session cookie is "<expiry unix seconds>.<hex HMAC-SHA256 of it>",
// keyed by a hash of the token that logged in: it holds no token, and it
// ends when its token is removed from the options.
func sessionMAC(token string, expiry string) string {
	k := sha256.Sum256([]byte("durable ui session\x00" + token))
	m := hmac.New(sha256.New, k[:])
	m.Write([]byte(expiry))
	return hex.EncodeToString(m.Sum(nil))
}

func (s *uiServer) newSession(token string) string {
	exp := strconv.FormatInt(s.m.Now().Add(uiSessionTTL).Unix(), 10)
	return exp + "." + sessionMAC(token, exp)
}

func (s *uiServer) validSession(v string) bool {
	exp, mac, ok := strings.Cut(v, ".")
	if !ok {
		return false
	}
	n, err := strconv.ParseInt(exp, 10, 64)
	if err != nil || s.m.Now().Unix() >= n {
		return false
	}
	valid := false
	for _, t := range s.opts.ManagementTokens {
		if hmac.Equal([]byte(mac), []byte(sessionMAC(t, exp))) {
			valid = true
		}
	}
	return valid
}

func loopbackAddr(remote string) bool {
	host, _, err := net.SplitHostPort(remote)
	if err != nil {
		host = remote
	}
	ip, err := netip.ParseAddr(host)
	return err == nil && ip.Unmap().IsLoopback()
}

// uiBase is the relative path from r's page to the UI's root ("./",
// "../"), so that links work whatever prefix the UI is mounted under.
func uiBase(r *http.Request) string {
	n := strings.Count(strings.TrimPrefix(r.URL.Path, "/"), "/")
	if n == 0 {
		return "./"
	}
	return strings.Repeat("../", n)
}

// uiCookiePath is the path of the UI's root as the browser sees it (the
// mount prefix included), so that its cookies reach every page of the UI
// and no other path; "" (the browser's default) when it cannot be told.
func uiCookiePath(r *http.Request) string {
	u, err := url.ParseRequestURI(r.RequestURI)
	if err != nil {
		return ""
	}
	orig, here := u.Path, r.URL.Path
	if here == "" {
		here = "/"
	}
	prefix, ok := strings.CutSuffix(orig, here)
	if !ok {
		return ""
	}
	return prefix + "/"
}

// csrfToken returns the request's CSRF token, setting its cookie if the
// browser has none yet: forms carry it back in a hidden field (a
// double-submitted cookie; another site can neither read nor set it).
func (s *uiServer) csrfToken(w http.ResponseWriter, r *http.Request) string {
	if c, err := r.Cookie(uiCSRFCookie); err == nil && len(c.Value) == 43 {
		return c.Value
	}
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	v := base64.RawURLEncoding.EncodeToString(b)
	http.SetCookie(w, &http.Cookie{Name: uiCSRFCookie, Value: v, Path: uiCookiePath(r), HttpOnly: true, SameSite: http.SameSiteStrictMode, Secure: r.TLS != nil})
	// Later code in this request reads it from the request.
	r.AddCookie(&http.Cookie{Name: uiCSRFCookie, Value: v})
	return v
}

// checkCSRF reports whether a POST is the UI's own form: its hidden field
// matches the CSRF cookie, and, when the browser names its origin, the
// origin is this host. A request authenticated by a Bearer header is
// exempt: browsers do not attach one on their own.
func (s *uiServer) checkCSRF(r *http.Request) bool {
	if _, ok := s.bearer(r); ok && len(s.opts.ManagementTokens) > 0 {
		return true
	}
	if o := r.Header.Get("Origin"); o != "" && o != "null" {
		u, err := url.Parse(o)
		if err != nil || u.Host != r.Host {
			return false
		}
	}
	if r.Header.Get("Sec-Fetch-Site") == "cross-site" {
		return false
	}
	c, err := r.Cookie(uiCSRFCookie)
	if err != nil || c.Value == "" {
		return false
	}
	return subtle.ConstantTimeCompare([]byte(c.Value), []byte(r.PostFormValue("csrf"))) == 1
}

func (s *uiServer) login(w http.ResponseWriter, r *http.Request) {
	if len(s.opts.ManagementTokens) == 0 {
		w.Header().Set("Location", uiBase(r))
		w.WriteHeader(http.StatusSeeOther)
		return
	}
	switch r.Method {
	case http.MethodGet:
		s.render(w, r, http.StatusOK, "login", uiPage{Title: "Log in"})
	case http.MethodPost:
		r.Body = http.MaxBytesReader(w, r.Body, 4<<10)
		if !s.checkCSRF(r) {
			s.errorPage(w, r, http.StatusForbidden, "Forbidden", "The form's CSRF token did not match: reload the page and try again.")
			return
		}
		tok := r.PostFormValue("token")
		if !s.validToken(tok) {
			s.render(w, r, http.StatusUnauthorized, "login", uiPage{Title: "Log in", Error: "That token is not one of the management tokens."})
			return
		}
		http.SetCookie(w, &http.Cookie{Name: uiSessionCookie, Value: s.newSession(tok), Path: uiCookiePath(r), HttpOnly: true,
			SameSite: http.SameSiteStrictMode, Secure: r.TLS != nil, MaxAge: int(uiSessionTTL / time.Second)})
		w.Header().Set("Location", uiBase(r))
		w.WriteHeader(http.StatusSeeOther)
	default:
		w.Header().Set("Allow", "GET, POST")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
	}
}

func (s *uiServer) logout(w http.ResponseWriter, r *http.Request) error {
	http.SetCookie(w, &http.Cookie{Name: uiSessionCookie, Value: "", Path: uiCookiePath(r), HttpOnly: true, SameSite: http.SameSiteStrictMode, MaxAge: -1})
	w.Header().Set("Location", uiBase(r)+"login")
	w.WriteHeader(http.StatusSeeOther)
	return nil
}

// page adapts a page builder: it renders the template the builder names
// with the data it returns, or an error page.
func (s *uiServer) page(build func(r *http.Request) (string, uiPage, error)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		name, p, err := build(r)
		if err != nil {
			var nf uiNotFound
			if errors.As(err, &nf) {
				s.errorPage(w, r, http.StatusNotFound, "Not found", err.Error())
				return
			}
			s.errorPage(w, r, http.StatusInternalServerError, "Error", err.Error())
			return
		}
		s.render(w, r, http.StatusOK, name, p)
	}
}

// action adapts a POST handler: it checks the CSRF token first.
func (s *uiServer) action(do func(w http.ResponseWriter, r *http.Request) error) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		r.Body = http.MaxBytesReader(w, r.Body, 1<<20)
		if !s.checkCSRF(r) {
			s.errorPage(w, r, http.StatusForbidden, "Forbidden", "The form's CSRF token did not match: reload the page and try again.")
			return
		}
		if err := do(w, r); err != nil {
			var nf uiNotFound
			if errors.As(err, &nf) {
				s.errorPage(w, r, http.StatusNotFound, "Not found", err.Error())
				return
			}
			s.errorPage(w, r, http.StatusInternalServerError, "Error", err.Error())
		}
	}
}

type uiNotFound struct{ msg string }

func (e uiNotFound) Error() string { return e.msg }

func (s *uiServer) errorPage(w http.ResponseWriter, r *http.Request, status int, title, msg string) {
	s.render(w, r, status, "error", uiPage{Title: title, Error: msg})
}
