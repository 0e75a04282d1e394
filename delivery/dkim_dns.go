package delivery

import (
	"crypto"
	"crypto/ed25519"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"fmt"
	"os"
	"strings"

	"github.com/wneessen/go-mail"
)

// DKIMRecord is the DNS TXT record that publishes cfg's public key: its
// name (selector._domainkey.domain.) and its value, cut into strings of at
// most 255 bytes as a TXT record's strings must be (RFC 1035 3.3.14; an
// RSA-2048 key is longer), each to be quoted in a zone file.
func DKIMRecord(cfg DKIMConfig) (name string, value []string, err error) {
	pemBytes, err := os.ReadFile(cfg.KeyFile)
	if err != nil {
		return "", nil, fmt.Errorf("DKIM key: %w", err)
	}
	key, err := mail.PrivKeyFromPEM(pemBytes)
	if err != nil {
		return "", nil, fmt.Errorf("DKIM key %s: %w", cfg.KeyFile, err)
	}
	v, err := dkimKeyValue(key.Public())
	if err != nil {
		return "", nil, fmt.Errorf("DKIM key %s: %w", cfg.KeyFile, err)
	}
	for len(v) > 255 {
		value, v = append(value, v[:255]), v[255:]
	}
	return cfg.Selector + "._domainkey." + strings.TrimSuffix(cfg.Domain, ".") + ".", append(value, v), nil
}

// dkimKeyValue is the record's text: RFC 6376 3.6.1 for RSA (p= is the
// SubjectPublicKeyInfo in DER, which verifiers read), RFC 8463 for Ed25519
// (p= is the 32 bytes of the key itself).
func dkimKeyValue(pub crypto.PublicKey) (string, error) {
	switch k := pub.(type) {
	case *rsa.PublicKey:
		der, err := x509.MarshalPKIXPublicKey(k)
		if err != nil {
			return "", err
		}
		return "v=DKIM1; k=rsa; p=" + base64.StdEncoding.EncodeToString(der), nil
	case ed25519.PublicKey:
		return "v=DKIM1; k=ed25519; p=" + base64.StdEncoding.EncodeToString(k), nil
	}
	return "", fmt.Errorf("%T is neither RSA nor Ed25519", pub)
}
