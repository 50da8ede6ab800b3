package api

import (
	"context"
	"net/http"
	"net/smtp"
	"time"

	"apihelp"

	"github.com/durable-go/durable/runtime"
	"github.com/sendgrid/sendgrid-go"
)

type Server struct {
	eng *runtime.Engine
	sg  *sendgrid.Client
}

var UserSignedUp = runtime.NewEventType[string]("app/user.signed-up", "1", nil)

// Positive cases.

func (s *Server) Signup(w http.ResponseWriter, r *http.Request) { // want `HTTP handler Server.Signup sends email inline \(smtp.SendMail\): the request waits on the mail server.*send an event and return` Signup:`slow\(email=smtp\.SendMail\)`
	smtp.SendMail("mail:25", nil, "app@example.com", []string{r.FormValue("email")}, nil)
	w.WriteHeader(http.StatusCreated)
}

// Through a helper of another package.
func Register(w http.ResponseWriter, r *http.Request) { // want `HTTP handler Register sends email inline \(apihelp.Welcome → smtp.SendMail\)` Register:`slow\(email=apihelp\.Welcome\ →\ smtp\.SendMail\)`
	if err := apihelp.Welcome(r.FormValue("email")); err != nil {
		http.Error(w, err.Error(), 500)
	}
}

// An email SDK, in a handler literal.
func (s *Server) Routes(mux *http.ServeMux) { // want Routes:`slow\(email=sendgrid\.Client\.Send\)`
	mux.HandleFunc("/invite", func(w http.ResponseWriter, r *http.Request) { // want `HTTP handler sends email inline \(sendgrid.Client.Send\)`
		s.sg.Send(r.FormValue("to"))
	})
}

// Several outbound calls, through a helper.
func Profile(w http.ResponseWriter, r *http.Request) { // want `HTTP handler Profile makes 2 outbound HTTP calls inline \(apihelp.Enrich → http.Get...\)` Profile:`slow\(http=2\)`
	apihelp.Enrich(r.URL.Query().Get("id"))
}

// One call in a loop is many calls.
func Fanout(w http.ResponseWriter, r *http.Request) { // want `HTTP handler Fanout makes many outbound HTTP calls inline` Fanout:`slow\(http=10\)`
	for _, u := range r.URL.Query()["url"] {
		http.Get(u)
	}
}

// A ServeHTTP method polling a run.
type Checkout struct{ eng *runtime.Engine }

func (c Checkout) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	ids, _ := c.eng.Send(r.Context(), UserSignedUp.New("x"))
	for {
		info, err := c.eng.Run(r.Context(), ids[0]) // want `HTTP handler Checkout.ServeHTTP waits for a durable run's result by polling Engine.Run`
		if err != nil || info.Status == "completed" {
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// A generic helper building handlers.
func Handle[T any](send func(T) error) http.HandlerFunc { // want Handle:`slow\(email=apihelp\.Welcome\ →\ smtp\.SendMail\)`
	return func(w http.ResponseWriter, r *http.Request) { // want `HTTP handler sends email inline \(apihelp.Welcome → smtp.SendMail\)`
		apihelp.Welcome("x")
	}
}

// Negative cases.

// Sends an event and returns.
func (s *Server) SignupAsync(w http.ResponseWriter, r *http.Request) {
	if _, err := s.eng.Send(r.Context(), UserSignedUp.New(r.FormValue("email"))); err != nil {
		http.Error(w, err.Error(), http.StatusServiceUnavailable)
		return
	}
	w.WriteHeader(http.StatusAccepted)
}

// One outbound call is within the default.
func Health(w http.ResponseWriter, r *http.Request) { // want Health:`slow\(http=1\)`
	if err := apihelp.Ping(); err != nil {
		w.WriteHeader(http.StatusServiceUnavailable)
	}
}

// Reading a run once is fine (the client polls).
func (c Checkout) Status(w http.ResponseWriter, r *http.Request) {
	info, err := c.eng.Run(r.Context(), r.PathValue("id"))
	if err != nil {
		http.Error(w, err.Error(), http.StatusNotFound)
		return
	}
	w.Write([]byte(info.Status))
}

// Work started in a goroutine is not inline.
func Background(w http.ResponseWriter, r *http.Request) {
	go apihelp.Welcome("x")
	w.WriteHeader(http.StatusAccepted)
}

// Not a handler: a worker sending email is fine here.
func Worker(ctx context.Context) error { return apihelp.Welcome("x") } // want Worker:`slow\(email=apihelp\.Welcome\ →\ smtp\.SendMail\)`

//durable:ignore blockingapi the contact form must confirm delivery synchronously
func Ignored(w http.ResponseWriter, r *http.Request) { // want Ignored:`slow\(email=apihelp.Welcome → smtp.SendMail\)`
	apihelp.Welcome("x")
}
