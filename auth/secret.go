package auth

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
)

// TokenPrefix starts every API token, so a leaked one is easy to recognise
// (secret scanners look for such prefixes).
const TokenPrefix = "mh_"

// RandomToken returns 32 random bytes in URL-safe base64 (256 bits): the
// form of session, CSRF and API tokens.
func RandomToken() string {
	b := make([]byte, 32)
	rand.Read(b) // never fails (crypto/rand since Go 1.24)
	return base64.RawURLEncoding.EncodeToString(b)
}

// HashToken is how session and API tokens are stored: hex SHA-256. The tokens
// have 256 bits of entropy, so a fast hash is enough.
func HashToken(token string) string {
	h := sha256.Sum256([]byte(token))
	return hex.EncodeToString(h[:])
}
