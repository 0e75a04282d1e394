package delivery

import (
	"fmt"
	"net"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/wneessen/go-mail"
)

// TLSMode is how a smtp:// connection uses TLS.
type TLSMode string

const (
	TLSNone          TLSMode = "none"          // plain text, never STARTTLS
	TLSOpportunistic TLSMode = "opportunistic" // STARTTLS when offered (the default)
	TLSRequired      TLSMode = "required"      // STARTTLS or fail
	TLSImplicit      TLSMode = "implicit"      // smtps://: TLS from the first byte (RFC 8314)
)

// SMTPConfig is a parsed --smtp URL. Its String form hides the password.
type SMTPConfig struct {
	Host     string
	Port     int
	Username string
	Password string
	TLS      TLSMode
	Timeout  time.Duration // per command; 0: 30s
	HELO     string        // EHLO name; empty: this host's name
	// Auth names a SASL mechanism (plain, login, cram-md5, ...); empty: the
	// strongest the server offers, when a username is set.
	Auth string
}

// ParseSMTPURL parses smtp://[user:pass@]host[:port][?tls=none|opportunistic|required]
// and smtps://[user:pass@]host[:port] (implicit TLS). Other query keys:
// timeout (a Go duration), helo, auth. The default port is 25 without
// credentials and 587 with them for smtp://, and 465 for smtps://.
func ParseSMTPURL(raw string) (SMTPConfig, error) {
	var c SMTPConfig
	u, err := url.Parse(raw)
	if err != nil {
		// url.Parse's error repeats the URL, password included.
		return c, fmt.Errorf("SMTP URL %q is not a URL", redactRaw(raw))
	}
	switch u.Scheme {
	case "smtp":
		c.TLS = TLSOpportunistic
	case "smtps":
		c.TLS = TLSImplicit
	default:
		return c, fmt.Errorf("SMTP URL %s: scheme must be smtp or smtps", redact(u))
	}
	c.Host = u.Hostname()
	if c.Host == "" {
		return c, fmt.Errorf("SMTP URL %s: no host", redact(u))
	}
	if u.User != nil {
		c.Username = u.User.Username()
		c.Password, _ = u.User.Password()
	}
	if p := u.Port(); p != "" {
		if c.Port, err = strconv.Atoi(p); err != nil || c.Port < 1 || c.Port > 65535 {
			return c, fmt.Errorf("SMTP URL %s: bad port %q", redact(u), p)
		}
	}
	q := u.Query()
	for key := range q {
		switch key {
		case "tls", "timeout", "helo", "auth":
		default:
			return c, fmt.Errorf("SMTP URL %s: unknown parameter %q (have tls, timeout, helo, auth)", redact(u), key)
		}
	}
	if t := q.Get("tls"); t != "" {
		if c.TLS == TLSImplicit {
			return c, fmt.Errorf("SMTP URL %s: smtps:// is always TLS; tls= applies to smtp://", redact(u))
		}
		switch m := TLSMode(strings.ToLower(t)); m {
		case TLSNone, TLSOpportunistic, TLSRequired:
			c.TLS = m
		default:
			return c, fmt.Errorf("SMTP URL %s: tls=%s must be none, opportunistic or required", redact(u), t)
		}
	}
	if t := q.Get("timeout"); t != "" {
		if c.Timeout, err = time.ParseDuration(t); err != nil || c.Timeout <= 0 {
			return c, fmt.Errorf("SMTP URL %s: bad timeout %q", redact(u), t)
		}
	}
	c.HELO, c.Auth = q.Get("helo"), strings.ToUpper(q.Get("auth"))
	if c.Port == 0 {
		switch {
		case c.TLS == TLSImplicit:
			c.Port = 465
		case c.Username != "":
			c.Port = 587
		default:
			c.Port = 25
		}
	}
	return c, nil
}

// Addr is host:port.
func (c SMTPConfig) Addr() string { return net.JoinHostPort(c.Host, strconv.Itoa(c.Port)) }

// String is the URL with the password replaced by "xxxxx", fit for logs.
func (c SMTPConfig) String() string {
	u := url.URL{Scheme: "smtp", Host: c.Addr()}
	if c.TLS == TLSImplicit {
		u.Scheme = "smtps"
	} else {
		u.RawQuery = "tls=" + string(c.TLS)
	}
	if c.Username != "" {
		u.User = url.UserPassword(c.Username, "xxxxx")
	}
	return u.String()
}

// Transport is the server's stable identity as a sending transport,
// "smtp://host:port" or "smtps://host:port": no credentials, no options, so
// every process configured for the same server has the same one.
func (c SMTPConfig) Transport() string {
	scheme := "smtp"
	if c.TLS == TLSImplicit {
		scheme = "smtps"
	}
	return scheme + "://" + c.Addr()
}

// timeout is the time a command may take: Timeout, or 30s.
func (c SMTPConfig) timeout() time.Duration {
	if c.Timeout <= 0 {
		return 30 * time.Second
	}
	return c.Timeout
}

// options are the go-mail client options for this server.
func (c SMTPConfig) options() []mail.Option {
	opts := []mail.Option{
		mail.WithPort(c.Port),
		mail.WithTimeout(c.timeout()),
		// masthead's transactions (conversation.go) send no NOOP before a
		// message: a dead connection shows at MAIL FROM instead, and the
		// connection redials and resends at once (smtpConn.Send).
		mail.WithoutNoop(),
	}
	switch c.TLS {
	case TLSNone:
		opts = append(opts, mail.WithTLSPolicy(mail.NoTLS))
	case TLSOpportunistic:
		opts = append(opts, mail.WithTLSPolicy(mail.TLSOpportunistic))
	case TLSRequired:
		opts = append(opts, mail.WithTLSPolicy(mail.TLSMandatory))
	case TLSImplicit:
		opts = append(opts, mail.WithSSL())
	}
	if c.HELO != "" {
		opts = append(opts, mail.WithHELO(c.HELO))
	}
	if c.Username != "" {
		auth := mail.SMTPAuthAutoDiscover
		if c.Auth != "" {
			auth = mail.SMTPAuthType(c.Auth)
		}
		opts = append(opts, mail.WithSMTPAuth(auth), mail.WithUsername(c.Username), mail.WithPassword(c.Password))
	}
	return opts
}

func redact(u *url.URL) string { return u.Redacted() }

// redactRaw hides what looks like a password in a string that did not parse.
func redactRaw(raw string) string {
	at := strings.LastIndexByte(raw, '@')
	scheme := strings.Index(raw, "://")
	if at < 0 || scheme < 0 || at < scheme {
		return raw
	}
	userinfo := raw[scheme+3 : at]
	if i := strings.IndexByte(userinfo, ':'); i >= 0 {
		return raw[:scheme+3] + userinfo[:i] + ":xxxxx" + raw[at:]
	}
	return raw
}
