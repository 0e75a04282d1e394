package delivery

import "testing"

// Replies as real servers write them, and what each is about and becomes.
func TestRefusalMeaning(t *testing.T) {
	cases := []struct {
		stage    Stage
		code     int
		enhanced string // sent with ENHANCEDSTATUSCODES
		text     string
		about    About
		verdict  verdict
	}{
		// About us: the send pauses, nobody bounces.
		{StageRcpt, 550, "5.7.1", "550 5.7.1 <r@b.example>: Relay access denied (RCPT TO)", AboutSender, aboutUs},
		{StageRcpt, 554, "", "554 5.7.1 <r@b.example>: Relay access denied (RCPT TO)", AboutSender, aboutUs},
		{StageRcpt, 454, "4.7.1", "454 4.7.1 <r@b.example>: Relay access denied (RCPT TO)", AboutSender, aboutUs},
		{StageData, 554, "", "554 Message rejected: Email address is not verified. The following identities failed the check in region US-EAST-1: news@planet.example (DATA)", AboutSender, aboutUs},
		{StageRcpt, 530, "", "530 5.7.0 Authentication required (RCPT TO)", AboutSender, aboutUs},
		{StageData, 550, "5.7.26", "550 5.7.26 This mail has been blocked because the sender is unauthenticated. (DATA)", AboutSender, aboutUs},
		{StageData, 550, "", "550 5.7.26 multiple authentication checks failed (DATA)", AboutSender, aboutUs},
		{StageMail, 553, "5.1.8", "553 5.1.8 <news@planet.example>: Sender address rejected: Domain not found (MAIL FROM)", AboutSender, aboutUs},
		{StageMail, 550, "", "550 not today (MAIL FROM)", AboutUnknown, aboutUs},
		{StageRcpt, 550, "5.1.7", "550 5.1.7 bad sender mailbox syntax (RCPT TO)", AboutSender, aboutUs},
		// The reader's mailbox: a hard bounce.
		{StageRcpt, 550, "5.1.1", "550 5.1.1 no such user (RCPT TO)", AboutMailbox, rejected},
		{StageRcpt, 550, "", "550 5.1.1 <r@b.example>: Recipient address rejected: User unknown in local recipient table (RCPT TO)", AboutMailbox, rejected},
		{StageRcpt, 550, "", "550-5.1.1 The email account that you tried to reach does not exist. (RCPT TO)", AboutMailbox, rejected},
		{StageRcpt, 550, "", "550 Requested action not taken: mailbox unavailable (RCPT TO)", AboutMailbox, rejected},
		{StageRcpt, 550, "", "550 sorry (RCPT TO)", AboutUnknown, rejected},
		{StageRcpt, 550, "5.4.1", "550 5.4.1 Recipient address rejected: Access denied. AS(201806281) (RCPT TO)", AboutUnknown, rejected},
		{StageData, 550, "5.1.1", "550 5.1.1 user unknown (DATA)", AboutMailbox, rejected},
		{StageRcpt, 550, "5.2.1", "550 5.2.1 The email account is disabled (RCPT TO)", AboutMailbox, rejected},
		// A full mailbox: retried.
		{StageRcpt, 552, "5.2.2", "552 5.2.2 <r@b.example>: mailbox full (RCPT TO)", AboutFull, transient},
		{StageRcpt, 552, "", "552 5.2.2 over quota (RCPT TO)", AboutFull, transient},
		{StageRcpt, 552, "", "552 requested action aborted (RCPT TO)", AboutUnknown, transient},
		{StageData, 550, "", "550 5.2.2 The recipient's inbox is out of storage space (DATA)", AboutFull, transient},
		// This message: failed, no bounce.
		{StageData, 554, "5.7.1", "554 5.7.1 message rejected as spam (DATA)", AboutMessage, refused},
		{StageData, 554, "", "554 5.7.1 message rejected as spam (DATA)", AboutMessage, refused},
		{StageRcpt, 550, "", "550 5.7.1 Service unavailable, Client host [1.2.3.4] blocked using Spamhaus (RCPT TO)", AboutMessage, refused},
		{StageData, 552, "5.3.4", "552 5.3.4 Message size exceeds fixed limit (DATA)", AboutMessage, refused},
		{StageData, 554, "", "554 Transaction failed (DATA)", AboutUnknown, refused},
		// Not refusals of anyone.
		{StageRcpt, 451, "4.3.0", "451 4.3.0 try again (RCPT TO)", AboutUnknown, transient},
		{StageRcpt, 450, "4.2.0", "450 4.2.0 <r@b.example>: Recipient address rejected: Greylisted (RCPT TO)", AboutMailbox, transient},
		{StageData, 0, "", "DATA: connection reset by peer", AboutUnknown, connLost},
		{StageRcpt, 421, "4.3.2", "421 4.3.2 shutting down (RCPT TO)", AboutUnknown, serverDown},
		{StageMessage, 0, "", "the address is not ASCII", AboutUnknown, refused},
	}
	for _, c := range cases {
		re := &ReplyError{Stage: c.stage, Code: c.code, Enhanced: c.enhanced, Text: c.text}
		about := re.Meaning()
		if about != c.about {
			t.Errorf("%q: about %s, want %s", c.text, about, c.about)
		}
		if v := replyVerdict(re, about); v != c.verdict {
			t.Errorf("%q: verdict %d, want %d", c.text, v, c.verdict)
		}
	}
}

func TestEnhancedCodeFromText(t *testing.T) {
	for text, want := range map[string]string{
		"554 5.7.1 message rejected as spam":    "5.7.1",
		"550-5.1.1 The email account":           "5.1.1",
		`550 "5.1.1 no such user"`:              "5.1.1",
		"452 4.2.2 over quota":                  "4.2.2",
		"554 4.7.1 class disagrees with code":   "",
		"550 no code here":                      "",
		"550 5.1 not three parts":               "",
		"550 5.7.1000 detail over three digits": "",
	} {
		if got := enhancedInText(leadingCode(text), text); got != want {
			t.Errorf("%q: %q, want %q", text, got, want)
		}
	}
}

// The same refusal to different recipients shares one key; another refusal
// does not.
func TestRefusalKey(t *testing.T) {
	a := refusalKey(550, "550 5.1.1 <r00001@d1.example>: Recipient address rejected: User unknown (RCPT TO)")
	b := refusalKey(550, "550 5.1.1 <r00002@d2.example>: Recipient address rejected: User unknown (RCPT TO)")
	c := refusalKey(550, "550 5.1.1 <r00002@d2.example>: mailbox unavailable (RCPT TO)")
	g := refusalKey(550, "550-5.1.1 The email account does not exist. 6si123abc.456 - gsmtp")
	h := refusalKey(550, "550-5.1.1 The email account does not exist. 9zz987xyz.12 - gsmtp")
	if a != b || a == c || g != h {
		t.Fatalf("keys: %q %q %q / %q %q", a, b, c, g, h)
	}
}
