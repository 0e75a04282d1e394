package engagement

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"strings"
	"testing"
	"time"

	"masthead/subscribers"
)

// The layout is fixed: links in issues already sent must keep verifying
// after an upgrade.
func TestTokenFormat(t *testing.T) {
	s := NewSigner(testSecret())
	km := hmac.New(sha256.New, testSecret())
	km.Write([]byte("masthead engagement links v1"))
	key := km.Sum(nil)
	mac := func(n int, parts ...[]byte) []byte {
		m := hmac.New(sha256.New, key)
		for _, p := range parts {
			m.Write(p)
		}
		return m.Sum(nil)[:n]
	}

	body := []byte{1, 0, 0, 0, 0, 0, 0, 0, 42, 0, 7}
	want := base64.RawURLEncoding.EncodeToString(append(body, mac(16, []byte{'l'}, body)...))
	if got := s.LinkToken(42, 7); got != want || len(got) != 36 {
		t.Fatalf("LinkToken = %s, want %s", got, want)
	}

	sent := time.Unix(1247119200, 0)
	rb := make([]byte, 12)
	binary.BigEndian.PutUint64(rb, 1001)
	binary.BigEndian.PutUint32(rb[8:], 1247119200)
	wantR := base64.RawURLEncoding.EncodeToString(append(rb, mac(12, []byte{'r'}, body[1:9], rb)...))
	if got := s.RecipientPart(42, 1001, sent); got != wantR || len(got) != 32 {
		t.Fatalf("RecipientPart = %s, want %s", got, wantR)
	}

	ref, err := s.Verify(want + "." + wantR)
	if err != nil {
		t.Fatal(err)
	}
	if ref.IssueID != 42 || ref.Link != 7 || ref.Recipient != 1001 || !ref.SentAt.Equal(sent) || ref.Preview {
		t.Errorf("Verify = %+v", ref)
	}
	if ref, err := s.Verify(want); err != nil || ref != (Ref{IssueID: 42, Link: 7}) {
		t.Errorf("Verify without a per-message part = %+v, %v", ref, err)
	}
	if ref, err := s.Verify(want + "." + s.RecipientPart(42, 0, time.Time{})); err != nil || !ref.Preview || ref.Recipient != 0 {
		t.Errorf("a preview's part: %+v, %v", ref, err)
	}
}

func TestTokenRefusals(t *testing.T) {
	s := NewSigner(testSecret())
	link := s.LinkToken(42, 3)
	part := s.RecipientPart(42, 1001, at(0))
	good := link + "." + part
	if _, err := s.Verify(good); err != nil {
		t.Fatal(err)
	}
	flip := func(tok string, i int) string {
		b := []byte(tok)
		if b[i] == 'A' {
			b[i] = 'B'
		} else {
			b[i] = 'A'
		}
		return string(b)
	}
	cases := map[string]string{
		"empty":                   "",
		"truncated":               link[:35],
		"one more character":      link + "A",
		"padded":                  link + "==",
		"a newline inside":        link[:10] + "\n" + link[10:35],
		"a newline in the part":   link + "." + part[:5] + "\r\n" + part[5:30],
		"standard base64":         stdBase64(s),
		"signed with another key": NewSigner([]byte("another secret of thirty-two b!!")).LinkToken(42, 3),
		"part of another issue":   link + "." + s.RecipientPart(43, 1001, at(0)),
		"empty part":              link + ".",
		"two parts":               good + "." + part,
		"part alone":              part,
		"an unsubscribe token":    subscribers.NewSigner(testSecret()).Sign(subscribers.Token{Purpose: subscribers.PurposeUnsubscribe, SubscriberID: 42, PublicationID: 3}),
		"a slot left unfilled":    link + "." + RecipientMarker,
	}
	for i := range len(link) {
		cases["link character "+string(rune('0'+i/10))+string(rune('0'+i%10))] = flip(link, i)
	}
	for i := range len(part) {
		cases["part character "+string(rune('0'+i/10))+string(rune('0'+i%10))] = link + "." + flip(part, i)
	}
	for name, tok := range cases {
		if ref, err := s.Verify(tok); !errors.Is(err, ErrBadToken) {
			t.Errorf("%s: Verify(%q) = %+v, %v; want ErrBadToken", name, tok, ref, err)
		}
	}
}

// stdBase64 is a link token written in the standard alphabet (+ and /
// for - and _).
func stdBase64(s *Signer) string {
	for i := 1; ; i++ {
		if tok := s.LinkToken(42, i); strings.ContainsAny(tok, "-_") {
			return strings.NewReplacer("-", "+", "_", "/").Replace(tok)
		}
	}
}

// The version byte and the link field are covered by the MAC: a token of
// another version or with its link index changed does not verify.
func TestTokenVersion(t *testing.T) {
	s := NewSigner(testSecret())
	raw, _ := base64.RawURLEncoding.DecodeString(s.LinkToken(42, 3))
	raw[0] = 2
	if _, err := s.Verify(base64.RawURLEncoding.EncodeToString(raw)); !errors.Is(err, ErrBadToken) {
		t.Errorf("version 2: %v", err)
	}
}
