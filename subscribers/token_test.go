package subscribers

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"strings"
	"sync"
	"testing"
	"time"
)

// A token is the 25-byte body (purpose, subscriber, publication, expiry)
// followed by the first 16 bytes of its HMAC-SHA256, in unpadded URL base64:
// links already sent must keep verifying.
func TestTokenFormat(t *testing.T) {
	key := []byte("0123456789abcdef0123456789abcdef")
	s := NewSigner(key)
	tok := Token{Purpose: PurposeUnsubscribe, SubscriberID: 42, PublicationID: 7}

	var body [tokenBody]byte
	body[0] = 'u'
	binary.BigEndian.PutUint64(body[1:], 42)
	binary.BigEndian.PutUint64(body[9:], 7)
	m := hmac.New(sha256.New, key)
	m.Write(body[:])
	want := base64.RawURLEncoding.EncodeToString(append(body[:], m.Sum(nil)[:tokenMAC]...))
	if got := s.Sign(tok); got != want {
		t.Fatalf("Sign = %s, want %s", got, want)
	}
	if got, err := s.Verify(want, PurposeUnsubscribe, time.Now()); err != nil || got != tok {
		t.Errorf("Verify: %+v, %v", got, err)
	}
}

func TestTokenRefusals(t *testing.T) {
	s := NewSigner([]byte("0123456789abcdef0123456789abcdef"))
	now := time.Date(2026, 7, 9, 6, 0, 0, 0, time.UTC)
	good := s.Sign(Token{Purpose: PurposeConfirm, SubscriberID: 1, PublicationID: 2, Expires: now.Add(time.Hour)})
	if _, err := s.Verify(good, PurposeConfirm, now); err != nil {
		t.Fatalf("a good token: %v", err)
	}
	flipped := []byte(good)
	flipped[3] ^= 'A' ^ 'B'
	// The last character carries 4 bits of the MAC and 2 unused ones: a
	// lenient decoder would take 4 spellings of one token.
	respelled := []byte(good)
	last := strings.IndexByte(base64URL, respelled[len(respelled)-1])
	respelled[len(respelled)-1] = base64URL[last^1]
	for name, c := range map[string]struct {
		token string
		p     Purpose
		at    time.Time
	}{
		"tampered":      {string(flipped), PurposeConfirm, now},
		"truncated":     {good[:len(good)-2], PurposeConfirm, now},
		"other purpose": {good, PurposeUnsubscribe, now},
		"expired":       {good, PurposeConfirm, now.Add(2 * time.Hour)},
		"other key":     {NewSigner([]byte("another key of thirty-two bytes!")).Sign(Token{Purpose: PurposeConfirm, SubscriberID: 1}), PurposeConfirm, now},
		"not base64":    {"!!!", PurposeConfirm, now},
		"respelled":     {string(respelled), PurposeConfirm, now},
		"CRLF inside":   {good[:10] + "\r\n" + good[10:], PurposeConfirm, now},
		"LF at the end": {good + "\n", PurposeConfirm, now},
	} {
		if _, err := s.Verify(c.token, c.p, c.at); err != ErrBadToken {
			t.Errorf("%s: %v, want ErrBadToken", name, err)
		}
	}
}

// Workers sign concurrently with one Signer.
func TestSignConcurrently(t *testing.T) {
	s := NewSigner([]byte("0123456789abcdef0123456789abcdef"))
	want := map[int64]string{}
	for id := int64(1); id <= 50; id++ {
		want[id] = s.Sign(Token{Purpose: PurposeUnsubscribe, SubscriberID: id, PublicationID: 1})
	}
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for id := int64(1); id <= 50; id++ {
				if got := s.Sign(Token{Purpose: PurposeUnsubscribe, SubscriberID: id, PublicationID: 1}); got != want[id] {
					t.Errorf("subscriber %d: %s, want %s", id, got, want[id])
				}
			}
		})
	}
	wg.Wait()
}

const base64URL = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"

// FuzzVerify: whatever the string, a token that verifies is exactly the one
// Sign makes for what it carries (one spelling per token), and nothing
// panics. Seeds: a good token of each purpose and the refusals above.
//
//	go test -run '^$' -fuzz FuzzVerify ./subscribers/
func FuzzVerify(f *testing.F) {
	s := NewSigner([]byte("0123456789abcdef0123456789abcdef"))
	now := time.Date(2026, 7, 9, 6, 0, 0, 0, time.UTC)
	confirm := s.Sign(Token{Purpose: PurposeConfirm, SubscriberID: 1, PublicationID: 2, Expires: now.Add(time.Hour)})
	unsub := s.Sign(Token{Purpose: PurposeUnsubscribe, SubscriberID: 7, PublicationID: 1})
	for _, seed := range []string{confirm, unsub, confirm[:10] + "\r\n" + confirm[10:], unsub + "\n", unsub[:len(unsub)-1], "", "!!!", "=="} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, token string) {
		for _, p := range []Purpose{PurposeConfirm, PurposeUnsubscribe} {
			tok, err := s.Verify(token, p, now)
			if err != nil {
				continue
			}
			if again := s.Sign(tok); again != token {
				t.Fatalf("%q verified as %+v, which signs as %q", token, tok, again)
			}
		}
	})
}
