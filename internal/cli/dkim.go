package cli

import (
	"flag"
	"strings"

	"masthead/delivery"
	"masthead/newsletter"
)

// dkimFlags are the DKIM signing flags of every command that sends.
type dkimFlags struct {
	key, selector, domain string
}

func (a *app) dkimFlags(fs *flag.FlagSet) *dkimFlags {
	d := &dkimFlags{}
	fs.StringVar(&d.key, "dkim-key", a.env.Getenv("MASTHEAD_DKIM_KEY"), "PEM file of an RSA or Ed25519 key to DKIM-sign with (MASTHEAD_DKIM_KEY)")
	fs.StringVar(&d.selector, "dkim-selector", a.env.Getenv("MASTHEAD_DKIM_SELECTOR"), "DKIM selector, s= (MASTHEAD_DKIM_SELECTOR)")
	fs.StringVar(&d.domain, "dkim-domain", a.env.Getenv("MASTHEAD_DKIM_DOMAIN"), "DKIM domain, d= (MASTHEAD_DKIM_DOMAIN; default the From address's domain where one publication is sent)")
	return d
}

// load reads the key, or returns nil when no key is set. p, when not nil, gives
// the default domain (its From address's); a process that sends every
// publication (serve, worker) needs --dkim-domain.
func (d *dkimFlags) load(p *newsletter.Publication) (*delivery.DKIM, error) {
	if d == nil || d.key == "" {
		return nil, nil
	}
	if d.selector == "" {
		return nil, usageErr("--dkim-key needs --dkim-selector")
	}
	domain := d.domain
	if domain == "" && p != nil {
		if addr, err := newsletter.ParseAddress(p.From); err == nil {
			domain = addr.Address[strings.LastIndexByte(addr.Address, '@')+1:]
		}
	}
	if domain == "" {
		return nil, usageErr("--dkim-key needs --dkim-domain here")
	}
	return delivery.LoadDKIM(delivery.DKIMConfig{Domain: domain, Selector: d.selector, KeyFile: d.key})
}
