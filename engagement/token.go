package engagement

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"hash"
	"strings"
	"sync"
	"time"
)

// Ref is what a redirect or image token names.
type Ref struct {
	IssueID int64
	// Link is the link's index in the issue's table (1 to MaxLinks), or
	// OpenLink for the issue's tracking image.
	Link int
	// Recipient is the per-message part's recipient (a subscriber id), or 0
	// for a token without one.
	Recipient int64
	// Preview is a per-message part made for no subscriber (recipient 0): a
	// preview or a test message, whose clicks redirect and are not counted.
	Preview bool
	// SentAt is when the message was made for sending, from the per-message
	// part (to the second); zero without one.
	SentAt time.Time
}

const (
	// OpenLink is the index a tracking image's token carries.
	OpenLink = 0
	// MaxLinks is the number of distinct links an issue can have.
	MaxLinks = 1<<16 - 1
)

// Token layout (see the package comment): a link token is 27 bytes, 36
// characters of unpadded URL base64; a per-message part 24 bytes, 32
// characters. Both lengths are multiples of 3, so that no character carries
// unused bits.
const (
	linkVersion = 1
	linkBody    = 1 + 8 + 2
	linkMAC     = 16
	linkLen     = (linkBody + linkMAC) / 3 * 4 // 36

	rcptBody = 8 + 4
	rcptMAC  = 12
	rcptLen  = (rcptBody + rcptMAC) / 3 * 4 // 32

	// tokenSep separates the link token from the per-message part; it is
	// not a base64 character.
	tokenSep = '.'
)

// Domain separation of the two MACs: a per-message part cannot pass for a
// link token's MAC or the other way round.
const (
	macLink byte = 'l'
	macRcpt byte = 'r'
)

// Signer makes and checks the tokens of redirect links and tracking images
// with a key derived from the server secret, so that the same secret used by
// the unsubscribe links' signer cannot make one of these (or the reverse).
// It is safe for concurrent use.
type Signer struct {
	key  []byte
	macs sync.Pool // HMAC-SHA256 states keyed with key, reset before each use
}

// keyLabel derives the signer's key from the secret.
const keyLabel = "masthead engagement links v1"

// NewSigner returns a Signer for the server secret (32 bytes or more).
func NewSigner(secret []byte) *Signer {
	m := hmac.New(sha256.New, secret)
	m.Write([]byte(keyLabel))
	return &Signer{key: m.Sum(nil)}
}

// mac appends the first n bytes of HMAC(key, domain || parts...) to out.
func (s *Signer) mac(out []byte, n int, domain byte, parts ...[]byte) []byte {
	m, _ := s.macs.Get().(hash.Hash)
	if m == nil {
		m = hmac.New(sha256.New, s.key)
	}
	m.Reset()
	m.Write([]byte{domain})
	for _, p := range parts {
		m.Write(p)
	}
	var sum [sha256.Size]byte
	out = append(out, m.Sum(sum[:0])[:n]...)
	s.macs.Put(m)
	return out
}

// LinkToken is the token of link (1 to MaxLinks, or OpenLink) of an issue:
// the same for every recipient.
func (s *Signer) LinkToken(issueID int64, link int) string {
	var buf [linkBody + linkMAC]byte
	buf[0] = linkVersion
	binary.BigEndian.PutUint64(buf[1:], uint64(issueID))
	binary.BigEndian.PutUint16(buf[9:], uint16(link))
	s.mac(buf[:linkBody], linkMAC, macLink, buf[:linkBody])
	return base64.RawURLEncoding.EncodeToString(buf[:])
}

// RecipientPart is the per-message part of every link of one message: it
// names the recipient (a subscriber id) and the time the message was made,
// and is bound to the issue so that it cannot be moved to another. The
// delivery writes it where the RecipientMarker slot is. Recipient 0 is for a
// message to no subscriber (a preview, a test send): its clicks are not
// counted.
func (s *Signer) RecipientPart(issueID, recipient int64, sentAt time.Time) string {
	var buf [rcptBody + rcptMAC]byte
	binary.BigEndian.PutUint64(buf[0:], uint64(recipient))
	binary.BigEndian.PutUint32(buf[8:], unixSeconds(sentAt))
	var issue [8]byte
	binary.BigEndian.PutUint64(issue[:], uint64(issueID))
	s.mac(buf[:rcptBody], rcptMAC, macRcpt, issue[:], buf[:rcptBody])
	return base64.RawURLEncoding.EncodeToString(buf[:])
}

// unixSeconds is t in seconds since 1970 as 32 bits (until 2106); 0 for the
// zero time or a time out of range.
func unixSeconds(t time.Time) uint32 {
	if t.IsZero() {
		return 0
	}
	u := t.Unix()
	if u <= 0 || u > 1<<32-1 {
		return 0
	}
	return uint32(u)
}

// Verify checks a token as it comes in a redirect or image URL: a link
// token, optionally followed by "." and a per-message part. Anything
// malformed, altered, re-spelled or signed with another key is ErrBadToken.
// Verify does not say whether the link exists: that is the store's.
func (s *Signer) Verify(token string) (Ref, error) {
	link, rcpt, hasRcpt := strings.Cut(token, string(tokenSep))
	// The lengths are checked before decoding: Go's base64 decoder skips CR
	// and LF, which would otherwise give one token many spellings.
	if len(link) != linkLen || (hasRcpt && len(rcpt) != rcptLen) {
		return Ref{}, ErrBadToken
	}
	var raw [linkBody + linkMAC]byte
	if n, err := base64.RawURLEncoding.Strict().Decode(raw[:], []byte(link)); err != nil || n != len(raw) {
		return Ref{}, ErrBadToken
	}
	var want [linkMAC]byte
	if raw[0] != linkVersion || !hmac.Equal(s.mac(want[:0], linkMAC, macLink, raw[:linkBody]), raw[linkBody:]) {
		return Ref{}, ErrBadToken
	}
	ref := Ref{
		IssueID: int64(binary.BigEndian.Uint64(raw[1:])),
		Link:    int(binary.BigEndian.Uint16(raw[9:])),
	}
	if !hasRcpt {
		return ref, nil
	}
	var pr [rcptBody + rcptMAC]byte
	if n, err := base64.RawURLEncoding.Strict().Decode(pr[:], []byte(rcpt)); err != nil || n != len(pr) {
		return Ref{}, ErrBadToken
	}
	var wantR [rcptMAC]byte
	if !hmac.Equal(s.mac(wantR[:0], rcptMAC, macRcpt, raw[1:9], pr[:rcptBody]), pr[rcptBody:]) {
		return Ref{}, ErrBadToken
	}
	ref.Recipient = int64(binary.BigEndian.Uint64(pr[0:]))
	ref.Preview = ref.Recipient == 0
	if sec := binary.BigEndian.Uint32(pr[8:]); sec != 0 {
		ref.SentAt = time.Unix(int64(sec), 0)
	}
	return ref, nil
}
