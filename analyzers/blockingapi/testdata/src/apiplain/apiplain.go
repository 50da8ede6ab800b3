// Package apiplain uses no durable API: handlers are not checked here.
package apiplain

import (
	"net/http"

	"apihelp"
)

func Signup(w http.ResponseWriter, r *http.Request) { // want Signup:`slow\(email=apihelp.Welcome → smtp.SendMail\)`
	apihelp.Welcome(r.FormValue("email"))
}
