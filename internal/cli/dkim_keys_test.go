package cli

import (
	"net/mail"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/emersion/go-msgauth/dkim"
)

// TestDKIMTwoKeys is a newsroom's DKIM setup from the command line: an
// RSA-2048 and an Ed25519 key made by `dkim keygen`, their records printed
// by `dkim dns`, and an issue signed with both. Both signatures verify with
// go-msgauth against exactly the records printed, the RSA one first.
func TestDKIMTwoKeys(t *testing.T) {
	db := newDB(t)
	setupPlanet(t, db)
	if code, _, errs := runCLI(t, db, "Body.\n", "article", "add", "-", "--date", "2009-07-09", "--title", "Signed twice"); code != 0 {
		t.Fatal(errs)
	}
	dir := t.TempDir()
	rsaKey, edKey := filepath.Join(dir, "rsa.pem"), filepath.Join(dir, "ed.pem")
	code, out, errs := runCLI(t, db, "", "dkim", "keygen", edKey, "--type", "ed25519", "--selector", "e2026")
	if code != 0 {
		t.Fatal(errs)
	}
	if !strings.Contains(out, `e2026._domainkey.planet.example. IN TXT "v=DKIM1; k=ed25519; p=`) {
		t.Errorf("keygen printed:\n%s", out)
	}
	if code, _, errs := runCLI(t, db, "", "dkim", "keygen", rsaKey); code != 0 {
		t.Fatal(errs)
	}
	if fi, err := os.Stat(rsaKey); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("key file: %v %v", fi.Mode(), err)
	}
	if code, _, errs := runCLI(t, db, "", "dkim", "keygen", rsaKey); code == 0 || !strings.Contains(errs, "exists") {
		t.Errorf("keygen over an existing key: exit %d %s", code, errs)
	}

	// Given Ed25519 first: the RSA signature still comes first.
	keys := []string{"--dkim-key", edKey, "--dkim-selector", "e2026", "--dkim-key", rsaKey, "--dkim-selector", "r2026"}
	code, out, errs = runCLI(t, db, "", append([]string{"dkim", "dns"}, keys...)...)
	if code != 0 {
		t.Fatal(errs)
	}
	records := map[string]string{}
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		name, value, ok := strings.Cut(line, " IN TXT ")
		if !ok {
			t.Fatalf("dkim dns line %q", line)
		}
		for _, part := range strings.Split(strings.Trim(value, `"`), `" "`) {
			if len(part) > 255 {
				t.Errorf("%s: a TXT string of %d bytes", name, len(part))
			}
			records[strings.TrimSuffix(name, ".")] += part
		}
	}
	if len(records) != 2 || !strings.Contains(records["r2026._domainkey.planet.example"], "k=rsa;") {
		t.Fatalf("records: %v", records)
	}

	if code, _, errs := runCLI(t, db, "", append([]string{"issue", "test", "--date", "2009-07-09", "--to", "editor@planet.example", "--feedback-id", "sdjw"}, keys...)...); code != 0 {
		t.Fatal(errs)
	}
	_, raw, _ := runCLI(t, db, "", "outbox", "show", "1", "--format", "raw")
	raw = strings.ReplaceAll(strings.ReplaceAll(raw, "\r\n", "\n"), "\n", "\r\n")
	if i, j := strings.Index(raw, "s=r2026"), strings.Index(raw, "s=e2026"); i < 0 || j < 0 || i > j {
		t.Errorf("signatures s=r2026 at %d, s=e2026 at %d: want both, RSA first", i, j)
	}
	verifs, err := dkim.VerifyWithOptions(strings.NewReader(raw), &dkim.VerifyOptions{LookupTXT: func(domain string) ([]string, error) {
		return []string{records[domain]}, nil
	}})
	if err != nil || len(verifs) != 2 {
		t.Fatalf("verifications: %v %+v", err, verifs)
	}
	for _, v := range verifs {
		if v.Err != nil {
			t.Errorf("signature of %s: %v", v.Domain, v.Err)
		}
		if !slices.Contains(v.HeaderKeys, "Feedback-ID") {
			t.Errorf("signed headers %v lack Feedback-ID", v.HeaderKeys)
		}
	}
	msg, err := mail.ReadMessage(strings.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	for k, want := range map[string]string{
		"Precedence": "bulk", "Auto-Submitted": "auto-generated", "X-Auto-Response-Suppress": "OOF, AutoReply",
		"List-Help": "<mailto:news@planet.example?subject=help>", "Feedback-ID": ":the-daily-planet:newsletter:sdjw",
		"List-Archive": "/issues/the-daily-planet/>",
	} {
		if got := msg.Header.Get(k); !strings.Contains(got, want) {
			t.Errorf("%s: %q, want it to hold %q", k, got, want)
		}
	}

	// The publication's own keys sign without flags; a wrong file is
	// refused when set, not at the next send.
	code, _, errs = runCLI(t, db, "", "publication", "set", "--dkim-key", filepath.Join(dir, "nope.pem"), "--dkim-selector", "p1")
	if code == 0 || !strings.Contains(errs, "nope.pem") {
		t.Errorf("a missing key file: exit %d %s", code, errs)
	}
	if code, _, errs := runCLI(t, db, "", "publication", "set", "--dkim-key", edKey, "--dkim-selector", "p2", "--dkim-key", rsaKey, "--dkim-selector", "p1"); code != 0 {
		t.Fatal(errs)
	}
	if _, out, _ := runCLI(t, db, "", "publication", "show"); !strings.Contains(out, "p2 ("+edKey+"), p1 ("+rsaKey+")") {
		t.Errorf("publication show:\n%s", out)
	}
	records["p1._domainkey.planet.example"] = records["r2026._domainkey.planet.example"]
	records["p2._domainkey.planet.example"] = records["e2026._domainkey.planet.example"]
	if code, _, errs := runCLI(t, db, "", "issue", "test", "--date", "2009-07-09", "--to", "editor@planet.example"); code != 0 {
		t.Fatal(errs)
	}
	_, raw, _ = runCLI(t, db, "", "outbox", "show", "2", "--format", "raw")
	raw = strings.ReplaceAll(strings.ReplaceAll(raw, "\r\n", "\n"), "\n", "\r\n")
	if i, j := strings.Index(raw, "s=p1;"), strings.Index(raw, "s=p2;"); i < 0 || j < 0 || i > j {
		t.Errorf("the publication's signatures s=p1 at %d, s=p2 at %d: want both, RSA first", i, j)
	}
	verifs, err = dkim.VerifyWithOptions(strings.NewReader(raw), &dkim.VerifyOptions{LookupTXT: func(domain string) ([]string, error) {
		return []string{records[domain]}, nil
	}})
	if err != nil || len(verifs) != 2 || verifs[0].Err != nil || verifs[1].Err != nil {
		t.Errorf("the publication's signatures: %v %+v", err, verifs)
	}
	if code, _, errs := runCLI(t, db, "", "publication", "set", "--dkim-key", ""); code != 0 {
		t.Fatal(errs)
	}
	if _, out, _ := runCLI(t, db, "", "publication", "show"); !strings.Contains(out, "the sending process's --dkim-key") {
		t.Errorf("keys not taken away:\n%s", out)
	}

	for _, args := range [][]string{
		{"issue", "test", "--date", "2009-07-09", "--to", "e@planet.example", "--dkim-key", edKey, "--dkim-key", rsaKey, "--dkim-selector", "e2026"},
		{"issue", "test", "--date", "2009-07-09", "--to", "e@planet.example", "--dkim-selector", "e2026"},
	} {
		if code, _, errs := runCLI(t, db, "", args...); code != 2 || !strings.Contains(errs, "--dkim-") {
			t.Errorf("%v: exit %d %s", args, code, errs)
		}
	}
}
