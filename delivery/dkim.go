package delivery

import (
	"fmt"
	"os"

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
// 8.15 "oversigning") so that a second From added in transit breaks it.
var SignedHeaders = []string{"From", "Reply-To", "To", "Subject", "Date", "Message-ID", "MIME-Version",
	"Content-Type", "List-Id", "List-Unsubscribe", "List-Unsubscribe-Post"}

// LoadDKIM reads the key and returns a signer ready for concurrent use.
func LoadDKIM(cfg DKIMConfig) (*mail.DKIMSigner, error) {
	pemBytes, err := os.ReadFile(cfg.KeyFile)
	if err != nil {
		return nil, fmt.Errorf("DKIM key: %w", err)
	}
	key, err := mail.PrivKeyFromPEM(pemBytes)
	if err != nil {
		return nil, fmt.Errorf("DKIM key %s: %w", cfg.KeyFile, err)
	}
	s := mail.NewDKIMSigner(cfg.Domain, cfg.Selector, key)
	s.SignHeaders(SignedHeaders...)
	s.OversignHeaders("From")
	if err := s.ValidateConfig(); err != nil {
		return nil, fmt.Errorf("DKIM: %w", err)
	}
	// The signer picks its algorithm on first use, writing to itself; one
	// signature now makes every later Sign read-only, so workers can share it.
	if _, err := s.Sign([]byte("From: a@b.example\r\n"), []byte("\r\n")); err != nil {
		return nil, fmt.Errorf("DKIM: test signature: %w", err)
	}
	return s, nil
}
