package bounces

import (
	"errors"
	"strings"
)

// feedback reads a message/feedback-report part (RFC 5965 3.1). Only
// Feedback-Type abuse is a complaint; other types (fraud, virus, other,
// not-spam, auth-failure) are kept as Ignore. The complaining recipient is
// named by Original-Rcpt-To (or the older Removal-Recipient) when the
// reporter does not redact it, else by the returned message's To; failing
// all, the returned message's Message-ID leads to them.
func (r *Report) feedback(b []byte) error {
	var all fields
	for _, blk := range parseFields(b, false) {
		all = append(all, blk...)
	}
	ft := firstWord(all.get("feedback-type"))
	if ft == "" {
		return errors.New("feedback report without a Feedback-Type")
	}
	kind := Ignore
	if ft == "abuse" {
		kind = Complaint
	}
	detail := "feedback-report " + ft
	for _, k := range []string{"user-agent", "reporting-mta", "source-ip"} {
		if v := all.get(k); v != "" {
			detail += "; " + k + ": " + v
		}
	}
	detail = oneLine(detail)
	var rcpts []string
	for _, v := range append(all.all("original-rcpt-to"), all.all("removal-recipient")...) {
		if a := addressOf(v); a != "" {
			rcpts = append(rcpts, a)
		}
	}
	if len(rcpts) == 0 {
		rcpts = []string{""} // redacted: OriginalTo or the Message-ID must do
	}
	for _, a := range rcpts {
		r.Recipients = append(r.Recipients, Recipient{
			Kind: kind, Final: a, Original: r.OriginalTo, Status: ft, Detail: detail,
		})
	}
	if r.OriginalMessageID == "" && r.OriginalTo == "" && rcpts[0] == "" {
		return errors.New("feedback report names no recipient and carries no returned message")
	}
	return nil
}

// exim reads an Exim bounce that is not a DSN (Exim before 4.84, or with
// DSNs off): a text/plain "Mail delivery failed" whose X-Failed-Recipients
// header names the addresses. Exim sends it only when it gave up: for good
// (hard), or when the retry time ran out ("retry timeout exceeded": soft).
func (r *Report) exim(header string, text []byte) error {
	body := string(text)
	kind := Hard
	if strings.Contains(strings.ToLower(body), "retry timeout exceeded") {
		kind = Soft
	}
	var detail, status string
	if m := replyLineRE.FindString(body); m != "" {
		detail = oneLine(m)
		status = enhancedStatus("", m)
	}
	if r.OriginalMessageID == "" {
		if _, quoted, ok := strings.Cut(body, "including all the headers. ------"); ok {
			r.OriginalMessageID, r.OriginalTo = originalIDs([]byte(strings.TrimLeft(quoted, "\r\n")))
		}
	}
	for _, v := range strings.Split(header, ",") {
		if a := addressOf(v); a != "" {
			r.Recipients = append(r.Recipients, Recipient{Kind: kind, Final: a, Action: "failed", Status: status, Detail: detail})
		}
	}
	if len(r.Recipients) == 0 {
		return errors.New("X-Failed-Recipients names no address")
	}
	return nil
}
