package bench

import (
	"crypto/ed25519"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"os"
	"path/filepath"
	"strings"
)

// writeDKIMKey writes a new private key of kind ("ed25519" or "rsa", 2048
// bits) in PKCS#8 PEM to dir, for the signed sends.
func writeDKIMKey(dir, kind string) (string, error) {
	var key any
	if kind == "rsa" {
		k, err := rsa.GenerateKey(rand.Reader, 2048)
		if err != nil {
			return "", err
		}
		key = k
	} else {
		_, k, err := ed25519.GenerateKey(rand.Reader)
		if err != nil {
			return "", err
		}
		key = k
	}
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return "", err
	}
	path := filepath.Join(dir, "dkim-"+kind+".pem")
	return path, os.WriteFile(path, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), 0o600)
}

// dkimKind is the kind of the key writeDKIMKey wrote to path.
func dkimKind(path string) string {
	return strings.TrimSuffix(strings.TrimPrefix(filepath.Base(path), "dkim-"), ".pem")
}
