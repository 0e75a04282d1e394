package delivery

import (
	"crypto"
	"fmt"
	"os"

	"github.com/emersion/go-msgauth/dkim"
	"github.com/wneessen/go-mail"
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
var SignedHeaders = []string{"From", "From", "Reply-To", "To", "Subject", "Date", "Message-ID", "MIME-Version",
	"Content-Type", "List-Id", "List-Unsubscribe", "List-Unsubscribe-Post"}

// DKIM signs messages (RFC 6376, relaxed/relaxed, SHA-256).
//
// The key is read by go-mail's PEM loader, but the signature is made with
// github.com/emersion/go-msgauth: go-mail v0.8.1's signer folds a long h= tag
// inside a header name, which verifiers then read with a space in it, so a
// signature over all of SignedHeaders never verified.
type DKIM struct{ opts *dkim.SignOptions }

// LoadDKIM reads the key. The result is safe for concurrent use.
func LoadDKIM(cfg DKIMConfig) (*DKIM, error) {
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
	d := &DKIM{opts: &dkim.SignOptions{Domain: cfg.Domain, Selector: cfg.Selector, Signer: key, Hash: crypto.SHA256,
		HeaderCanonicalization: dkim.CanonicalizationRelaxed, BodyCanonicalization: dkim.CanonicalizationRelaxed,
		HeaderKeys: SignedHeaders}}
	if _, err := d.signature([]byte("From: a@b.example\r\n\r\n")); err != nil {
		return nil, fmt.Errorf("DKIM: test signature: %w", err)
	}
	return d, nil
}

// signature returns the DKIM-Signature header field of a message: name,
// folded value and final CRLF.
func (d *DKIM) signature(raw []byte) (string, error) {
	s, err := dkim.NewSigner(d.opts)
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

// sign adds a DKIM-Signature to m, made over its bytes (the filled bodies
// included), which the signature then precedes. buf holds the bytes while
// they are signed.
func (d *DKIM) sign(m *Mail, buf *[]byte) error {
	m.sig = m.sig[:0]
	*buf = m.AppendTo((*buf)[:0], false)
	sig, err := d.signature(*buf)
	if err != nil {
		return fmt.Errorf("DKIM: %w", err)
	}
	m.sig = append(m.sig, sig...)
	return nil
}
