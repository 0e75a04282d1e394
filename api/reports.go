package api

import (
	"bytes"
	"io"
	"net/http"
	"strconv"
)

// issueReport is GET /api/issues/{id}/report: the issue report as JSON, or
// with ?format=csv its links (?table=hours: its first 48 hours) as CSV; the
// same figures as the admin page and `masthead issue report`.
func (a *API) issueReport(w http.ResponseWriter, r *http.Request) {
	iss, p, ok := a.issue(w, r)
	if !ok {
		return
	}
	rep, err := a.work.IssueReport(r.Context(), p, iss)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	switch r.URL.Query().Get("format") {
	case "", "json":
		writeJSON(w, http.StatusOK, rep)
	case "csv":
		write := rep.WriteLinksCSV
		if r.URL.Query().Get("table") == "hours" {
			write = rep.WriteHoursCSV
		}
		writeCSV(w, write)
	default:
		writeError(w, http.StatusBadRequest, "invalid", "format: want json or csv")
	}
}

// growthReport is GET /api/publications/{slug}/growth[?days=90]: subscriber
// changes per day and click rate per issue, as JSON, or with ?format=csv the
// days (?table=issues: the issues) as CSV.
func (a *API) growthReport(w http.ResponseWriter, r *http.Request) {
	p, err := a.work.Publication(r.Context(), r.PathValue("slug"))
	if err != nil {
		a.fail(w, r, err)
		return
	}
	days := 0
	if v := r.URL.Query().Get("days"); v != "" {
		if days, err = strconv.Atoi(v); err != nil || days < 1 || days > 3660 {
			writeError(w, http.StatusBadRequest, "invalid", "days: want a number of days from 1 to 3660")
			return
		}
	}
	rep, err := a.work.GrowthReport(r.Context(), p, days)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	switch r.URL.Query().Get("format") {
	case "", "json":
		writeJSON(w, http.StatusOK, rep)
	case "csv":
		write := rep.WriteDaysCSV
		if r.URL.Query().Get("table") == "issues" {
			write = rep.WriteIssuesCSV
		}
		writeCSV(w, write)
	default:
		writeError(w, http.StatusBadRequest, "invalid", "format: want json or csv")
	}
}

func writeCSV(w http.ResponseWriter, write func(io.Writer) error) {
	var buf bytes.Buffer
	if err := write(&buf); err != nil {
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Write(buf.Bytes())
}
