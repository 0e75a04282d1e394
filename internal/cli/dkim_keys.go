package cli

import (
	"context"
	"crypto"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strings"

	"masthead/delivery"
)

// runDKIMKeygen is `masthead dkim keygen FILE`: a new signing key, written
// as PKCS#8 PEM readable by its owner only, never over an existing file.
// With --selector (and a domain) it prints the DNS record to publish.
func runDKIMKeygen(ctx context.Context, a *app, args []string) error {
	fl := a.flags()
	var typ, selector, domain, pubSlug string
	var bits int
	fl.StringVar(&typ, "type", "rsa", "key type: rsa or ed25519 (sign with both: RSA is what every receiver verifies, Ed25519 is RFC 8463's)")
	fl.IntVar(&bits, "bits", 2048, "RSA key size")
	fl.StringVar(&selector, "selector", "", "selector to print the DNS record for")
	fl.StringVar(&domain, "domain", "", "domain to print the DNS record for (default the publication's From domain)")
	fl.StringVar(&pubSlug, "publication", "", "publication whose From domain is the default")
	pos, err := a.parse(fl, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usageErr("name the file to write the key to")
	}
	var key crypto.Signer
	switch typ {
	case "rsa":
		if bits < 2048 {
			return usageErr("--bits %d: use at least 2048 (RFC 8301 allows 1024, but receivers are moving past it)", bits)
		}
		key, err = rsa.GenerateKey(rand.Reader, bits)
	case "ed25519":
		_, key, err = ed25519.GenerateKey(rand.Reader)
	default:
		return usageErr("--type %q: want rsa or ed25519", typ)
	}
	if err != nil {
		return err
	}
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return err
	}
	f, err := os.OpenFile(pos[0], os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, fs.ErrExist) {
		return fmt.Errorf("%s exists: a new key would replace the one its DNS record names; choose another file", pos[0])
	} else if err != nil {
		return err
	}
	if err := pem.Encode(f, &pem.Block{Type: "PRIVATE KEY", Bytes: der}); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	fmt.Fprintf(a.env.Stdout, "wrote %s key to %s (readable by its owner only)\n", keyName(typ, bits), pos[0])
	if selector == "" {
		fmt.Fprintf(a.env.Stdout, "publish it: masthead dkim dns --dkim-key %s --dkim-selector SELECTOR\n", pos[0])
		return nil
	}
	d := &dkimFlags{keys: listFlag{vals: []string{pos[0]}}, selectors: listFlag{vals: []string{selector}}, domain: domain}
	return printDKIMRecords(ctx, a, d, pubSlug)
}

func keyName(typ string, bits int) string {
	if typ == "rsa" {
		return fmt.Sprintf("RSA-%d", bits)
	}
	return "Ed25519"
}

// runDKIMDNS is `masthead dkim dns`: the TXT records of the signing keys,
// in zone-file form, one line each.
func runDKIMDNS(ctx context.Context, a *app, args []string) error {
	fl := a.flags()
	var pubSlug string
	fl.StringVar(&pubSlug, "publication", "", "publication whose From domain is the default --dkim-domain")
	d := a.dkimFlags(fl)
	pos, err := a.parse(fl, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return usageErr("dkim dns takes no arguments, got %q (name keys with --dkim-key)", pos[0])
	}
	if len(d.keys.vals) == 0 {
		return usageErr("name the keys with --dkim-key FILE --dkim-selector S (or MASTHEAD_DKIM_KEY and MASTHEAD_DKIM_SELECTOR)")
	}
	return printDKIMRecords(ctx, a, d, pubSlug)
}

func printDKIMRecords(ctx context.Context, a *app, d *dkimFlags, pubSlug string) error {
	if d.domain == "" {
		p, err := a.findPublication(ctx, pubSlug, false)
		if err != nil {
			return fmt.Errorf("no --dkim-domain, and no publication to take it from: %w", err)
		}
		d.domain = fromDomain(p)
	}
	cfgs, err := d.configs(nil)
	if err != nil {
		return err
	}
	for _, c := range cfgs {
		name, value, err := delivery.DKIMRecord(c)
		if err != nil {
			return err
		}
		fmt.Fprintf(a.env.Stdout, "%s IN TXT \"%s\"\n", name, strings.Join(value, "\" \""))
	}
	return nil
}
