package web

import (
	"crypto/hmac"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"

	"masthead/bounces"
)

// WebhookSecret is the webhook's secret: the configured one
// (MASTHEAD_WEBHOOK_SECRET) when set, else DeriveWebhookSecret(serverSecret).
func WebhookSecret(configured string, serverSecret []byte) string {
	if configured != "" {
		return configured
	}
	return DeriveWebhookSecret(serverSecret)
}

// DeriveWebhookSecret is the webhook's secret when none is configured
// (MASTHEAD_WEBHOOK_SECRET): derived from the server secret, so that it is
// stable across restarts and unique to the installation.
func DeriveWebhookSecret(serverSecret []byte) string {
	m := hmac.New(sha256.New, serverSecret)
	m.Write([]byte("masthead webhook secret v1"))
	return hex.EncodeToString(m.Sum(nil))
}

// bounceWebhook is POST /webhooks/bounces (see the package comment).
func (s *Server) bounceWebhook(w http.ResponseWriter, r *http.Request) {
	if s.hookSecret == "" {
		plain(w, http.StatusNotFound, "webhook not configured\n")
		return
	}
	if !s.webhookAuthorized(r) {
		w.Header().Set("WWW-Authenticate", `Bearer realm="masthead", Basic realm="masthead"`)
		plain(w, http.StatusUnauthorized, "unauthorized\n")
		return
	}
	body, err := io.ReadAll(r.Body)
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			plain(w, http.StatusRequestEntityTooLarge, "body too large\n")
			return
		}
		plain(w, http.StatusBadRequest, "unreadable body\n")
		return
	}
	reports, err := bounces.ParseWebhook(body, r.Header.Get("X-Amz-Sns-Message-Type") != "", s.log)
	if err != nil {
		s.log.Warn("webhook: refused report", "err", err)
		plain(w, http.StatusBadRequest, "bad report: "+err.Error()+"\n")
		return
	}
	res, err := s.work.ApplyBounceReports(r.Context(), reports)
	if err != nil {
		s.serverError(w, r, err) // the sender retries
		return
	}
	plain(w, http.StatusOK, fmt.Sprintf("ok: %d of %d applied\n", res.Applied, res.Verdicts()))
}

// webhookAuthorized checks "Authorization: Bearer SECRET", or basic auth with
// SECRET as the password (the only form an SNS subscription can send).
func (s *Server) webhookAuthorized(r *http.Request) bool {
	var given string
	if _, pass, ok := r.BasicAuth(); ok {
		given = pass
	} else if h := r.Header.Get("Authorization"); len(h) > 7 && strings.EqualFold(h[:7], "Bearer ") {
		given = strings.TrimSpace(h[7:])
	}
	return given != "" && subtle.ConstantTimeCompare([]byte(given), []byte(s.hookSecret)) == 1
}
