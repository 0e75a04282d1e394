package bounces

import (
	"errors"
	"regexp"
	"strings"
)

// statusRE finds an enhanced status code (RFC 3463): class.subject.detail.
var statusRE = regexp.MustCompile(`\b([245])\.(\d{1,3})\.(\d{1,3})\b`)

// replyRE finds a basic SMTP reply code in a Diagnostic-Code.
var replyRE = regexp.MustCompile(`\b([245])\d\d\b`)

// deliveryStatus reads a message/delivery-status part (RFC 3464 2.1): a block
// of per-message fields, then one block per recipient. Blocks that name no
// recipient are the per-message one (or noise) and are skipped, so a report
// that runs the blocks together still yields its recipients.
func (r *Report) deliveryStatus(b []byte) error {
	for _, blk := range parseFields(b, false) {
		final, orig := addressOf(blk.get("final-recipient")), addressOf(blk.get("original-recipient"))
		if final == "" && orig == "" {
			continue
		}
		diag := blk.get("diagnostic-code")
		rc := Recipient{
			Final:    final,
			Original: orig,
			Action:   firstWord(blk.get("action")),
			Status:   enhancedStatus(blk.get("status"), diag),
		}
		rc.Kind = classify(rc.Action, rc.Status)
		rc.Detail = oneLine(strings.TrimSpace(rc.Status + " " + diag))
		r.Recipients = append(r.Recipients, rc)
	}
	if len(r.Recipients) == 0 {
		return errors.New("delivery-status report names no recipient (no Final-Recipient or Original-Recipient)")
	}
	return nil
}

// enhancedStatus is the Status field's code, else one found in the
// Diagnostic-Code, else the class of its SMTP reply code ("5.0.0"), else "".
func enhancedStatus(status, diag string) string {
	if m := statusRE.FindString(status); m != "" {
		return m
	}
	if m := statusRE.FindString(diag); m != "" {
		return m
	}
	if m := replyRE.FindStringSubmatch(diag); m != nil {
		return m[1] + ".0.0"
	}
	return ""
}

// classify decides what one recipient's outcome means (RFC 3464 2.3.3 Action,
// RFC 3463 status classes).
func classify(action, status string) Kind {
	switch action {
	case "delayed", "delivered", "relayed", "expanded":
		return Ignore // not a failure (yet): a later report says how it ended
	case "failed", "":
	default:
		return Ignore
	}
	if status == "" {
		if action == "failed" {
			return Hard // failed with no code: RFC 3464 says it could not be delivered
		}
		return Ignore
	}
	// RFC 3463 3.3: X.2.2 (mailbox full) "should be used as a persistent
	// transient failure", whatever class the server gave it.
	if strings.HasSuffix(status, ".2.2") && strings.Count(status, ".") == 2 {
		return Soft
	}
	switch status[0] {
	case '5':
		return Hard
	case '4':
		return Soft
	}
	return Ignore
}

func firstWord(s string) string {
	if f := strings.Fields(strings.ToLower(s)); len(f) > 0 {
		return strings.TrimRight(f[0], ";,")
	}
	return ""
}

// replyLineRE finds the first SMTP error reply quoted in a bounce's text.
var replyLineRE = regexp.MustCompile(`(?m)\b[45]\d\d[ -].*$`)
