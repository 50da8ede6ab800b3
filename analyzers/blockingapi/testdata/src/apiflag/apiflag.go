package apiflag

import (
	"net/http"

	"apihelp"

	"github.com/durable-go/durable/runtime"
)

var eng *runtime.Engine

func Health(w http.ResponseWriter, r *http.Request) { // want `HTTP handler Health makes 1 outbound HTTP calls inline \(apihelp.Ping → http.Head...\)` Health:`slow\(http=1\)`
	apihelp.Ping()
}

func Send(w http.ResponseWriter, r *http.Request) {
	eng.Send(r.Context())
}
