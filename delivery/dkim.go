package delivery

import (
	"crypto"
	"crypto/ed25519"
	"crypto/rsa"
	"fmt"
	"os"
	"slices"
	"strings"

	"github.com/emersion/go-msgauth/dkim"
	"github.com/wneessen/go-mail"

	"masthead/newsletter"
)

// DKIMConfig names a signing key.
type DKIMConfig struct {
	Domain   string // d=
	Selector string // s=
	KeyFile  string // PEM: RSA (PKCS#1 or PKCS#8) or Ed25519 (PKCS#8)
}

// SignedHeaders are the headers a DKIM signature covers. RFC 8058 section 4:
// the signature must cover List-Unsubscribe and List-Unsubscribe-Post, or a
// receiver cannot trust a one-click request. From is listed twice (RFC 6376
// 8.15, "oversigning") so that a From added in transit breaks the signature.
// Gmail reads a Feedback-ID only when a signature covers it.
var SignedHeaders = []string{"From", "From", "Reply-To", "To", "Subject", "Date", "Message-ID", "MIME-Version",
	"Content-Type", "List-Id", "List-Unsubscribe", "List-Unsubscribe-Post", "List-Archive", "List-Help", "Feedback-ID"}

// DKIM signs messages (RFC 6376, relaxed/relaxed, SHA-256) with one key or
// several: RFC 8463 expects an Ed25519 signature beside an RSA one, since
// many receivers (Debian 12's SpamAssassin among them) verify RSA only and
// ignore, or fail, the other. Each key makes its own DKIM-Signature over the
// same bytes (a signature never covers another: DKIM-Signature is not in h=),
// RSA ones first.
//
// The keys are read by go-mail's PEM loader, but the signatures are made
// with github.com/emersion/go-msgauth: go-mail v0.8.1's signer folds a long
// h= tag inside a header name, which verifiers then read with a space in
// it, so a signature over all of SignedHeaders never verified.
type DKIM struct{ opts []*dkim.SignOptions }

// LoadDKIM reads the keys, at least one. The result is safe for concurrent
// use.
func LoadDKIM(cfgs ...DKIMConfig) (*DKIM, error) {
	if len(cfgs) == 0 {
		return nil, fmt.Errorf("DKIM: no key")
	}
	d := &DKIM{}
	for _, cfg := range cfgs {
		o, err := loadDKIMKey(cfg)
		if err != nil {
			return nil, err
		}
		d.opts = append(d.opts, o)
	}
	// RSA first: a receiver that reads only the first signature reads the
	// one it can verify.
	slices.SortStableFunc(d.opts, func(a, b *dkim.SignOptions) int { return keyRank(a.Signer) - keyRank(b.Signer) })
	return d, nil
}

func keyRank(k crypto.Signer) int {
	if _, ok := k.(*rsa.PrivateKey); ok {
		return 0
	}
	return 1
}

func loadDKIMKey(cfg DKIMConfig) (*dkim.SignOptions, error) {
	if cfg.Domain == "" || cfg.Selector == "" {
		return nil, fmt.Errorf("DKIM: domain and selector are required")
	}
	pemBytes, err := os.ReadFile(cfg.KeyFile)
	if err != nil {
		return nil, fmt.Errorf("DKIM key: %w", err)
	}
	key, err := mail.PrivKeyFromPEM(pemBytes)
	if err != nil {
		return nil, fmt.Errorf("DKIM key %s: %w", cfg.KeyFile, err)
	}
	switch k := key.(type) {
	case *rsa.PrivateKey:
		// RFC 8301 3.2: keys under 1024 bits must not be used; verifiers
		// reject them.
		if k.N.BitLen() < 1024 {
			return nil, fmt.Errorf("DKIM key %s: RSA key of %d bits, verifiers want at least 1024 (2048 is usual)", cfg.KeyFile, k.N.BitLen())
		}
	case ed25519.PrivateKey:
	default:
		return nil, fmt.Errorf("DKIM key %s: %T is neither RSA nor Ed25519", cfg.KeyFile, key)
	}
	o := &dkim.SignOptions{Domain: cfg.Domain, Selector: cfg.Selector, Signer: key, Hash: crypto.SHA256,
		HeaderCanonicalization: dkim.CanonicalizationRelaxed, BodyCanonicalization: dkim.CanonicalizationRelaxed,
		HeaderKeys: SignedHeaders}
	if _, err := signature(o, []byte("From: a@b.example\r\n\r\n")); err != nil {
		return nil, fmt.Errorf("DKIM key %s: test signature: %w", cfg.KeyFile, err)
	}
	return o, nil
}

// signature returns the DKIM-Signature header field of a message: name,
// folded value and final CRLF.
func signature(o *dkim.SignOptions, raw []byte) (string, error) {
	s, err := dkim.NewSigner(o)
	if err != nil {
		return "", err
	}
	if _, err := s.Write(raw); err != nil {
		s.Close()
		return "", err
	}
	if err := s.Close(); err != nil {
		return "", err
	}
	return s.Signature(), nil
}

// sign adds m's DKIM-Signatures, made over its bytes (the filled bodies
// included), which the signatures then precede. buf holds the bytes while
// they are signed.
func (d *DKIM) sign(m *Mail, buf *[]byte) error {
	m.sig = m.sig[:0]
	*buf = m.AppendTo((*buf)[:0], false)
	for _, o := range d.opts {
		sig, err := signature(o, *buf)
		if err != nil {
			return fmt.Errorf("DKIM (s=%s): %w", o.Selector, err)
		}
		m.sig = append(m.sig, sig...)
	}
	return nil
}

// PublicationDKIM reads p's own signing keys (newsletter.Publication's
// DKIMKeys), for the domain of its From address.
func PublicationDKIM(p *newsletter.Publication) (*DKIM, error) {
	from, err := newsletter.ParseAddress(p.From)
	if err != nil {
		return nil, fmt.Errorf("DKIM: From %q: %w", p.From, err)
	}
	domain := from.Address[strings.LastIndexByte(from.Address, '@')+1:]
	if ascii, err := EnvelopeAddress(from.Address); err == nil {
		domain = ascii[strings.LastIndexByte(ascii, '@')+1:] // d= in its A-label form
	}
	cfgs := make([]DKIMConfig, len(p.DKIMKeys))
	for i, k := range p.DKIMKeys {
		cfgs[i] = DKIMConfig{Domain: domain, Selector: k.Selector, KeyFile: k.KeyFile}
	}
	return LoadDKIM(cfgs...)
}
