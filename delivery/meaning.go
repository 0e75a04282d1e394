package delivery

import (
	"strconv"
	"strings"
)

// About is what a refusal is about, read from its enhanced status code
// (RFC 3463) and its words. The same reply code means different things: a 550
// at RCPT may say that the mailbox does not exist (the reader's address is
// gone), that the relay will not take our mail at all (our configuration), or
// that this message looks like spam (our content). Only the first is a
// subscriber's bounce.
type About uint8

const (
	AboutUnknown About = iota // nothing in the reply says: the stage decides (see replyVerdict)
	AboutMailbox              // the recipient's mailbox: X.1.x (but X.1.7, X.1.8), X.2.1, "user unknown", "no such user"
	AboutFull                 // the mailbox is full (X.2.2, "over quota"): usually transient (RFC 3463 3.3)
	AboutMessage              // this message: content or policy (X.6.x, X.7.x, X.3.4, X.2.3, "spam", "blocked")
	AboutSender               // us: relaying denied, sender not verified or authenticated (X.7.8, X.7.26, X.1.7, X.1.8, ...)
)

func (a About) String() string {
	switch a {
	case AboutMailbox:
		return "mailbox"
	case AboutFull:
		return "mailbox full"
	case AboutMessage:
		return "message"
	case AboutSender:
		return "sender"
	}
	return "unknown"
}

// EnhancedCode is the reply's RFC 3463 enhanced status code: the one the
// server sent with ENHANCEDSTATUSCODES (RFC 2034), or else one that opens the
// reply's text after its code ("554 5.7.1 rejected as spam": servers without
// the extension often write it anyway); "" if neither. A code whose class
// disagrees with the reply code's first digit is not taken.
func (e *ReplyError) EnhancedCode() string {
	if e.Enhanced != "" {
		return e.Enhanced
	}
	return enhancedInText(e.Code, e.Text)
}

// enhancedInText finds "C.SSS.DDD" right after the reply code at the start of
// text ("550 5.1.1 ...", "550-5.1.1 ...", `550 "5.1.1 ..."`).
func enhancedInText(code int, text string) string {
	s := strings.TrimSpace(text)
	if len(s) >= 4 && leadingCode(s) == code && (s[3] == ' ' || s[3] == '-') {
		s = s[4:]
	}
	s = strings.TrimLeft(s, ` "`)
	end := strings.IndexAny(s, " \t\",;:")
	if end < 0 {
		end = len(s)
	}
	parts := strings.Split(s[:end], ".")
	if len(parts) != 3 || len(parts[0]) != 1 || strconv.Itoa(code/100) != parts[0] {
		return ""
	}
	for _, p := range parts[1:] {
		if n, err := strconv.Atoi(p); err != nil || n < 0 || n > 999 || len(p) > 3 {
			return ""
		}
	}
	return s[:end]
}

// Meaning says what the refusal is about, from its enhanced code (subject and
// detail, whatever the class) and its words, the words first: "550 5.7.1
// Relay access denied" and "550 5.7.1 message rejected as spam" share a code
// and mean different things, and many servers put the code in the text only.
func (e *ReplyError) Meaning() About {
	return meaning(e.EnhancedCode(), strings.ToLower(e.Text))
}

func meaning(enhanced, text string) About {
	switch {
	case containsAny(text, senderWords):
		return AboutSender
	case containsAny(text, fullWords):
		return AboutFull
	case containsAny(text, mailboxWords):
		return AboutMailbox
	case containsAny(text, messageWords):
		return AboutMessage
	}
	_, detail, _ := strings.Cut(enhanced, ".") // "1.1" of "5.1.1"
	switch {
	case detail == "":
		return AboutUnknown
	case senderCodes[detail]:
		return AboutSender
	case detail == "2.2":
		return AboutFull
	case detail == "2.3" || detail == "3.4":
		return AboutMessage // too large for the mailbox, or for the system
	case strings.HasPrefix(detail, "1.") || detail == "2.1" || detail == "2.0":
		return AboutMailbox
	case strings.HasPrefix(detail, "5.") || strings.HasPrefix(detail, "6.") || strings.HasPrefix(detail, "7."):
		return AboutMessage // the conversation (X.5.x), the content (X.6.x) or a policy (X.7.x)
	}
	return AboutUnknown
}

// senderCodes are enhanced codes (subject.detail) about the sending side:
// RFC 3463 X.1.7 bad sender's mailbox address syntax, X.1.8 bad sender's
// system address, X.7.0 is left to the words (often "authentication
// required", as often a content filter's verdict); RFC 4954 X.7.8
// authentication credentials invalid, X.7.9 mechanism too weak, X.7.11
// encryption required; RFC 7372 X.7.13 user account disabled, X.7.14 trust
// relationship required, X.7.20-X.7.26 DKIM, SPF, DMARC and reverse-DNS
// failures of our mail, X.7.27 sender address has null MX (RFC 7505).
var senderCodes = map[string]bool{
	"1.7": true, "1.8": true,
	"7.8": true, "7.9": true, "7.11": true, "7.13": true, "7.14": true,
	"7.20": true, "7.21": true, "7.22": true, "7.23": true, "7.24": true, "7.25": true, "7.26": true, "7.27": true,
}

// The words of replies, lower-case, as common servers write them (Postfix,
// Exim, Exchange, Gmail, SES, Sendgrid ...). The order of the checks in
// meaning matters: "Message rejected: Email address is not verified" is
// about the sender, not the message; "mailbox full" is not a missing mailbox.
var (
	senderWords = []string{
		"relay access denied", "relaying denied", "relay denied", "relay not permitted", "relaying not permitted",
		"not permitted to relay", "relay not allowed", "relaying not allowed", "relaying is not allowed",
		"not allowed to relay", "unable to relay", "we do not relay", "relaying prohibited", "relay prohibited",
		"no relaying",
		"sender address rejected", "sender rejected", "sender not verified", "sender verify failed",
		"sender verification failed", "unverified sender", "address is not verified", "address not verified",
		"identity not verified", "identities failed the check", "email address is not verified",
		"authentication required", "authentication is required", "must authenticate", "must be authenticated",
		"please authenticate", "not authenticated", "auth required", "unauthenticated", "authentication failed",
		"client was not authenticated", "sending domain", "dmarc", "spf check", "spf fail",
		"dkim", "reverse dns", "sender domain", "domain of sender", "sender's domain",
	}
	fullWords = []string{
		"mailbox full", "mailbox is full", "mailbox has exceeded", "over quota", "quota exceeded", "exceeded storage",
		"exceeds storage", "insufficient storage", "storage allocation", "mailbox size limit", "inbox is full",
		"out of storage", "user is over", "disk quota",
	}
	mailboxWords = []string{
		"user unknown", "unknown user", "no such user", "no such mailbox", "no such recipient", "no such account",
		"mailbox unavailable", "mailbox not found", "mailbox does not exist", "mailbox is disabled", "mailbox disabled",
		"account disabled", "account has been disabled", "account is disabled", "account does not exist",
		"does not exist", "doesn't exist", "unknown recipient", "recipient unknown", "invalid recipient",
		"recipient not found", "recipient rejected", "user not found", "not a valid mailbox", "no mailbox",
		"undeliverable address", "unrouteable address", "address unknown", "invalid mailbox", "bad destination mailbox",
		"user doesn't have", "unknown local part",
	}
	messageWords = []string{
		"spam", "blocked", "block list", "blocklist", "blacklist", "denylist", " listed", "policy", "reputation",
		"content", "virus", "malware", "phishing", "suspicious", "banned", "rejected as", "not accepted",
		"message rejected", "too large", "too big", "size limit", "bulk mail", "junk", "rate limit",
	}
)

func containsAny(s string, words []string) bool {
	for _, w := range words {
		if strings.Contains(s, w) {
			return true
		}
	}
	return false
}
