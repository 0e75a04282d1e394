package cli

import (
	"bytes"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/emersion/go-msgauth/dkim"
)

// TestDKIMFlags signs an issue test through the CLI flags and checks the
// signature with go-msgauth against the public key; serve and worker refuse a
// key without the selector or domain they need.
func TestDKIMFlags(t *testing.T) {
	db := newDB(t)
	setupPlanet(t, db)
	if code, _, errs := runCLI(t, db, "Body.\n", "article", "add", "-", "--date", "2009-07-09", "--title", "Signed"); code != 0 {
		t.Fatal(errs)
	}
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	der, err := x509.MarshalPKCS8PrivateKey(priv)
	if err != nil {
		t.Fatal(err)
	}
	key := filepath.Join(t.TempDir(), "dkim.pem")
	if err := os.WriteFile(key, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	code, _, errs := runCLI(t, db, "", "issue", "test", "--date", "2009-07-09", "--to", "editor@planet.example",
		"--dkim-key", key, "--dkim-selector", "mh")
	if code != 0 {
		t.Fatal(errs)
	}
	_, raw, _ := runCLI(t, db, "", "outbox", "show", "1", "--format", "raw")
	verifs, err := dkim.VerifyWithOptions(strings.NewReader(strings.ReplaceAll(strings.ReplaceAll(raw, "\r\n", "\n"), "\n", "\r\n")), &dkim.VerifyOptions{
		LookupTXT: func(domain string) ([]string, error) {
			if domain != "mh._domainkey.planet.example" {
				t.Errorf("looked up %s", domain)
			}
			return []string{"v=DKIM1; k=ed25519; p=" + b64(pub)}, nil
		},
	})
	if err != nil || len(verifs) != 1 || verifs[0].Err != nil {
		t.Fatalf("DKIM verification: %v %+v", err, verifs)
	}
	if !bytes.Contains([]byte(strings.ToLower(strings.Join(verifs[0].HeaderKeys, ":"))), []byte("list-unsubscribe-post")) {
		t.Errorf("signed headers %v lack List-Unsubscribe-Post", verifs[0].HeaderKeys)
	}
	for _, args := range [][]string{
		{"serve", "--dkim-key", key, "--dkim-selector", "mh", "--addr", "127.0.0.1:0"},
		{"worker", "--dkim-key", key, "--dkim-domain", "planet.example"},
	} {
		code, _, errs := runCLI(t, db, "", args...)
		if code != 2 || !strings.Contains(errs, "--dkim-key needs --dkim-") {
			t.Errorf("%v: exit %d %s", args, code, errs)
		}
	}
}

func b64(b []byte) string { return base64.StdEncoding.EncodeToString(b) }
