package subscribers

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"hash"
	"sync"
	"time"
)

// Purpose keeps a token made for one action from being used for another.
type Purpose byte

const (
	PurposeUnsubscribe Purpose = 'u'
	PurposeConfirm     Purpose = 'c'
)

// ErrBadToken is returned for a token that is malformed, tampered with, made for
// another purpose, or expired.
var ErrBadToken = errors.New("invalid or expired link")

// Token is what a signed link carries.
type Token struct {
	Purpose       Purpose
	SubscriberID  int64
	PublicationID int64
	Expires       time.Time // zero: never
}

// Signer makes and checks HMAC-SHA256-signed tokens with the server secret. Tokens
// are URL-safe base64 of: purpose(1) subscriber(8) publication(8) expiry-unix(8)
// followed by a 16-byte truncated MAC. The ids inside can be read but not
// changed: a link for another subscriber cannot be made without the secret.
// Unsubscribe tokens do not expire (the link in a years-old issue must still
// work); confirm tokens do.
type Signer struct {
	key []byte
	// macs holds HMAC-SHA256 states keyed with key, reset before each use:
	// a send signs a token per recipient, and a new HMAC costs three
	// allocations and two SHA-256 blocks.
	macs sync.Pool
}

// mac appends the first tokenMAC bytes of body's HMAC to out.
func (s *Signer) mac(out, body []byte) []byte {
	m, _ := s.macs.Get().(hash.Hash)
	if m == nil {
		m = hmac.New(sha256.New, s.key)
	}
	m.Reset()
	m.Write(body)
	var sum [sha256.Size]byte
	out = append(out, m.Sum(sum[:0])[:tokenMAC]...)
	s.macs.Put(m)
	return out
}

// NewSigner returns a Signer for the secret (at least 32 bytes recommended).
func NewSigner(secret []byte) *Signer {
	k := make([]byte, len(secret))
	copy(k, secret)
	return &Signer{key: k}
}

const (
	tokenBody = 1 + 8 + 8 + 8
	tokenMAC  = 16
)

// tokenLen is the length of every token string.
var tokenLen = base64.RawURLEncoding.EncodedLen(tokenBody + tokenMAC)

// Sign returns the token string for t.
func (s *Signer) Sign(t Token) string {
	var buf [tokenBody + tokenMAC]byte
	buf[0] = byte(t.Purpose)
	binary.BigEndian.PutUint64(buf[1:], uint64(t.SubscriberID))
	binary.BigEndian.PutUint64(buf[9:], uint64(t.PublicationID))
	var exp int64
	if !t.Expires.IsZero() {
		exp = t.Expires.Unix()
	}
	binary.BigEndian.PutUint64(buf[17:], uint64(exp))
	s.mac(buf[:tokenBody], buf[:tokenBody]) // appends the MAC in place, within buf
	return base64.RawURLEncoding.EncodeToString(buf[:])
}

// Verify checks a token string for purpose p at time now.
func (s *Signer) Verify(token string, p Purpose, now time.Time) (Token, error) {
	// One spelling per token: the decoder skips '\r' and '\n' anywhere, so
	// the length is checked first (a token is exactly tokenLen characters of
	// the alphabet), and Strict refuses stray bits in the last one.
	if len(token) != tokenLen {
		return Token{}, ErrBadToken
	}
	raw, err := base64.RawURLEncoding.Strict().DecodeString(token)
	if err != nil || len(raw) != tokenBody+tokenMAC {
		return Token{}, ErrBadToken
	}
	var want [tokenMAC]byte
	if !hmac.Equal(s.mac(want[:0], raw[:tokenBody]), raw[tokenBody:]) {
		return Token{}, ErrBadToken
	}
	t := Token{
		Purpose:       Purpose(raw[0]),
		SubscriberID:  int64(binary.BigEndian.Uint64(raw[1:])),
		PublicationID: int64(binary.BigEndian.Uint64(raw[9:])),
	}
	if exp := int64(binary.BigEndian.Uint64(raw[17:])); exp != 0 {
		t.Expires = time.Unix(exp, 0)
		if now.After(t.Expires) {
			return Token{}, ErrBadToken
		}
	}
	if t.Purpose != p {
		return Token{}, ErrBadToken
	}
	return t, nil
}

// UnsubscribeURL is the link in every issue (and its List-Unsubscribe header) for
// one subscriber of one publication: baseURL + "/unsubscribe/" + token. The
// server's GET shows a confirmation page; POST (including RFC 8058 one-click)
// unsubscribes.
func (s *Signer) UnsubscribeURL(baseURL string, subscriberID, publicationID int64) string {
	return baseURL + "/unsubscribe/" + s.Sign(Token{Purpose: PurposeUnsubscribe, SubscriberID: subscriberID, PublicationID: publicationID})
}

// ConfirmURL is the double opt-in link: baseURL + "/confirm/" + token, valid for ttl.
func (s *Signer) ConfirmURL(baseURL string, subscriberID, publicationID int64, now time.Time, ttl time.Duration) string {
	return baseURL + "/confirm/" + s.Sign(Token{Purpose: PurposeConfirm, SubscriberID: subscriberID, PublicationID: publicationID, Expires: now.Add(ttl)})
}
