package newsletter

import (
	"fmt"
	"regexp"
	"strings"
)

// DKIMKey is one of a publication's DKIM signing keys: the selector (s=)
// its public key is published under, and the PEM file of the private key
// on the server that sends. The domain (d=) is the From address's.
type DKIMKey struct {
	Selector string
	KeyFile  string
}

// selectorRE is a DNS label, or several (RFC 6376 3.1: selectors may have
// periods).
var selectorRE = regexp.MustCompile(`^[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)*$`)

// FormatDKIMKeys is keys as stored: "selector=file" lines.
func FormatDKIMKeys(keys []DKIMKey) string {
	lines := make([]string, len(keys))
	for i, k := range keys {
		lines[i] = k.Selector + "=" + k.KeyFile
	}
	return strings.Join(lines, "\n")
}

// ParseDKIMKeys reads FormatDKIMKeys's text.
func ParseDKIMKeys(s string) ([]DKIMKey, error) {
	var keys []DKIMKey
	for _, line := range strings.Split(s, "\n") {
		if line == "" {
			continue
		}
		sel, file, ok := strings.Cut(line, "=")
		if !ok {
			return nil, fmt.Errorf("DKIM key %q: want selector=file", line)
		}
		keys = append(keys, DKIMKey{Selector: sel, KeyFile: file})
	}
	return keys, nil
}

func checkDKIMKeys(keys []DKIMKey) error {
	seen := map[string]bool{}
	for _, k := range keys {
		switch {
		case !selectorRE.MatchString(k.Selector):
			return fmt.Errorf("selector %q is not a DNS label", k.Selector)
		case k.KeyFile == "":
			return fmt.Errorf("selector %s has no key file", k.Selector)
		case seen[k.Selector]:
			return fmt.Errorf("selector %s given twice", k.Selector)
		}
		seen[k.Selector] = true
	}
	return nil
}
