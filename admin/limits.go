package admin

import (
	"net/http"
	"time"
)

// The server's timeouts (web.Server.HTTPServer: a minute to read a request,
// two to answer) suit every page but the two that move a whole subscriber
// list; those extend their own deadlines once the request is known to come
// from an editor. No admin route streams: the live progress view polls.

// bulkDeadline is how long a subscriber import or export may take.
const bulkDeadline = 30 * time.Minute

// bulk reports whether the route moves a whole subscriber list.
func bulk(pattern string) bool {
	switch pattern {
	case "POST /admin/subscribers/import", "GET /admin/subscribers/export":
		return true
	}
	return false
}

// extendDeadlines lets a bulk request read and write for bulkDeadline,
// beyond the server's timeouts. (Writers that cannot, such as a test's
// recorder, have no deadline to extend.)
func extendDeadlines(w http.ResponseWriter) {
	rc := http.NewResponseController(w)
	at := time.Now().Add(bulkDeadline)
	_ = rc.SetReadDeadline(at)
	_ = rc.SetWriteDeadline(at)
}
