package cli

import (
	"flag"
	"strings"

	"masthead/delivery"
	"masthead/internal/plural"
	"masthead/newsletter"
)

// dkimFlags are the DKIM signing flags of every command that sends, and
// --feedback-id, which identifies the mail to a provider's feedback loop
// as the signature identifies its domain. Keys and
// selectors are repeatable and paired in order (--dkim-key rsa.pem
// --dkim-selector r1 --dkim-key ed.pem --dkim-selector e1); the environment
// gives them as comma-separated lists.
type dkimFlags struct {
	keys, selectors listFlag
	domain          string
	feedbackID      string
}

// listFlag is a repeatable flag whose first use on the command line replaces
// what the environment gave.
type listFlag struct {
	vals    []string
	fromEnv bool
}

func envList(s string) listFlag {
	var l listFlag
	for _, v := range strings.Split(s, ",") {
		if v = strings.TrimSpace(v); v != "" {
			l.vals = append(l.vals, v)
		}
	}
	l.fromEnv = len(l.vals) > 0
	return l
}

func (l *listFlag) String() string { return strings.Join(l.vals, ",") }

func (l *listFlag) Set(v string) error {
	if l.fromEnv {
		l.vals, l.fromEnv = nil, false
	}
	l.vals = append(l.vals, v)
	return nil
}

func (a *app) dkimFlags(fs *flag.FlagSet) *dkimFlags {
	d := &dkimFlags{keys: envList(a.env.Getenv("MASTHEAD_DKIM_KEY")), selectors: envList(a.env.Getenv("MASTHEAD_DKIM_SELECTOR"))}
	fs.Var(&d.keys, "dkim-key", "PEM file of an RSA or Ed25519 key to DKIM-sign with; repeat for several signatures, each paired with a --dkim-selector (MASTHEAD_DKIM_KEY, comma-separated)")
	fs.Var(&d.selectors, "dkim-selector", "DKIM selector, s=, of the --dkim-key in the same place (MASTHEAD_DKIM_SELECTOR, comma-separated)")
	fs.StringVar(&d.domain, "dkim-domain", a.env.Getenv("MASTHEAD_DKIM_DOMAIN"), "DKIM domain, d= (MASTHEAD_DKIM_DOMAIN; default the From address's domain where one publication is sent)")
	fs.StringVar(&d.feedbackID, "feedback-id", a.env.Getenv("MASTHEAD_FEEDBACK_ID"), "sender id for Gmail's Feedback-ID header (ISSUE:PUBLICATION:newsletter:ID; MASTHEAD_FEEDBACK_ID; default none)")
	return d
}

// configs pairs the keys with their selectors and the domain. p, when not
// nil, gives the default domain (its From address's); a process that sends
// every publication (serve, worker) needs --dkim-domain. No key: nil.
func (d *dkimFlags) configs(p *newsletter.Publication) ([]delivery.DKIMConfig, error) {
	if d == nil || len(d.keys.vals) == 0 {
		if d != nil && len(d.selectors.vals) > 0 {
			return nil, usageErr("--dkim-selector needs --dkim-key")
		}
		return nil, nil
	}
	if len(d.selectors.vals) != len(d.keys.vals) {
		return nil, usageErr("--dkim-key needs --dkim-selector: %s, %s (each key pairs with the selector in the same place)", plural.Count(len(d.keys.vals), "key", "keys"), plural.Count(len(d.selectors.vals), "selector", "selectors"))
	}
	domain := d.domain
	if domain == "" && p != nil {
		domain = fromDomain(p)
	}
	if domain == "" {
		return nil, usageErr("--dkim-key needs --dkim-domain here")
	}
	cfgs := make([]delivery.DKIMConfig, len(d.keys.vals))
	for i, k := range d.keys.vals {
		cfgs[i] = delivery.DKIMConfig{Domain: domain, Selector: d.selectors.vals[i], KeyFile: k}
	}
	return cfgs, nil
}

// load reads the keys, or returns nil when no key is set.
func (d *dkimFlags) load(p *newsletter.Publication) (*delivery.DKIM, error) {
	cfgs, err := d.configs(p)
	if err != nil || cfgs == nil {
		return nil, err
	}
	return delivery.LoadDKIM(cfgs...)
}

// fromDomain is the domain of p's From address, or "".
func fromDomain(p *newsletter.Publication) string {
	addr, err := newsletter.ParseAddress(p.From)
	if err != nil {
		return ""
	}
	return addr.Address[strings.LastIndexByte(addr.Address, '@')+1:]
}

// feedbackSender is --feedback-id, or "" (also for a nil d).
func (d *dkimFlags) feedbackSender() string {
	if d == nil {
		return ""
	}
	return d.feedbackID
}
