package api

import (
	"errors"
	"net/http"
	"strings"

	"masthead/ledger"
	"masthead/newsletter"
)

// A request with a value the API does not know is refused, never read as
// "nothing matches": list filters answer 400, body fields 422 "invalid"
// naming the field as the JSON names it. Dates in bodies are read as strings
// and parsed here, so that a bad one is named by its field (the JSON decoder
// would only say that the body is bad).

// dateField parses the date in the body field name; on a bad one it has
// answered 422.
func dateField(w http.ResponseWriter, name, v string) (newsletter.Date, bool) {
	d, err := newsletter.ParseDate(v)
	if err != nil {
		writeError(w, http.StatusUnprocessableEntity, "invalid", badDate(name, v))
		return newsletter.Date{}, false
	}
	return d, true
}

// dateParam parses the date in the query parameter name; on a bad one it has
// answered 400.
func dateParam(w http.ResponseWriter, name, v string) (newsletter.Date, bool) {
	d, err := newsletter.ParseDate(v)
	if err != nil {
		badRequest(w, badDate(name, v))
		return newsletter.Date{}, false
	}
	return d, true
}

func badDate(name, v string) string { return name + ": " + quote(v) + " is not a date as YYYY-MM-DD" }

// issueStatuses are the values of ?status= on /api/issues.
var issueStatuses = newsletter.IssueStatuses()

// deliveryStatuses are the values of ?status= on an issue's deliveries.
var deliveryStatuses = []ledger.DeliveryStatus{ledger.DeliveryQueued, ledger.DeliverySending, ledger.DeliverySent,
	ledger.DeliveryFailed, ledger.DeliverySkipped, ledger.DeliveryCancelled}

// oneOf checks a query parameter against its allowed values; on another it
// has answered 400 listing them.
func oneOf[T ~string](w http.ResponseWriter, name, v string, allowed []T) (T, bool) {
	names := make([]string, len(allowed))
	for i, a := range allowed {
		if string(a) == v {
			return a, true
		}
		names[i] = string(a)
	}
	badRequest(w, name+" must be one of "+strings.Join(names, ", ")+", not "+quote(v))
	return "", false
}

func quote(s string) string { return `"` + strings.ReplaceAll(s, `"`, `\"`) + `"` }

// jsonField is the API's name of a newsletter validation field (which are
// named as the CLI's flags).
func jsonField(name string) string {
	switch name {
	case "empty":
		return "empty_policy"
	}
	return strings.ReplaceAll(name, "-", "_")
}

// invalidMessage is the client's message for validation errors: each
// problem, its field named as in the JSON, one per line.
func invalidMessage(err error) string {
	list := []error{err}
	var es newsletter.Errors
	if errors.As(err, &es) {
		list = es
	}
	parts := make([]string, 0, len(list))
	for _, e := range list {
		var fe *newsletter.FieldError
		if errors.As(e, &fe) {
			c := *fe
			c.Source, c.Line, c.Field = "", 0, jsonField(c.Field)
			parts = append(parts, c.Error())
		} else {
			parts = append(parts, e.Error())
		}
	}
	return strings.Join(parts, "\n")
}
