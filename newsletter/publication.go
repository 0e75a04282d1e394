package newsletter

import (
	"fmt"
	"net/mail"
	"regexp"
	"strings"
	"time"

	"github.com/robfig/cron/v3"
)

// Numbering says how an issue's Number is counted within its volume.
type Numbering string

const (
	// Calendar numbers by days since the volume began (+1), sent or not.
	Calendar Numbering = "calendar"
	// Sequential numbers by issues published in the volume.
	Sequential Numbering = "sequential"
)

// DefaultFiguresRetention is how many days per-subscriber engagement rows
// are kept before only their counts remain.
const DefaultFiguresRetention = 90

// EmptyPolicy says what the daily schedule does on a date with no ready articles.
type EmptyPolicy string

const (
	EmptySkip   EmptyPolicy = "skip"   // log and send nothing
	EmptyNotice EmptyPolicy = "notice" // send a short "no issue today" notice
	EmptyHold   EmptyPolicy = "hold"   // hold the date for an editor
)

// Publication is one newsletter: a daily, a weekly.
type Publication struct {
	ID      int64
	Slug    string // short name used in URLs and on the command line
	Name    string
	Tagline string
	From    string // From address, "Name <addr>" or "addr"
	ReplyTo string
	// Address is the postal address printed in every footer (required by law for
	// bulk email in many countries, CAN-SPAM among them).
	Address     string
	TimeZone    string // IANA zone name; schedules and dates are in this zone
	Schedule    string // cron spec (optional seconds field); empty: no daily send
	VolumeStart Date   // first day of Volume 1
	Numbering   Numbering
	Copyright   string   // copyright line; empty: "Copyright START-YEAR - Name, Address. All rights reserved."
	Sections    []string // section order; empty: any section, ordered by name
	TemplateDir string   // directory of template overrides; empty: the built-in theme
	// BaseURL is the publication's public address (baseurl.go): its
	// emails' links, its web edition; empty: the process's --base-url.
	BaseURL string
	// UnsubscribeMailto is an address for mailto: List-Unsubscribe; empty: https only.
	UnsubscribeMailto string
	EmptyPolicy       EmptyPolicy
	// Engagement (what readers did): PerSubscriberFigures keeps who clicked
	// for FiguresRetentionDays, then only the counts (off: counts only, no
	// one named); TrackOpens adds the tracking image (off).
	PerSubscriberFigures bool
	FiguresRetentionDays int
	TrackOpens           bool
	// Signup from the newsroom's own site (signup.go): SignupOrigins
	// (scheme://host[:port]) may post the subscribe form besides masthead's
	// own pages, and send the reader back to one of their pages;
	// SignupConfirmedURL, on one of them, is where a reader lands after
	// confirming (empty: masthead's page says it is done).
	SignupOrigins      []string
	SignupConfirmedURL string
	// WelcomeEmail sends one email after a subscription is confirmed, with
	// WelcomeSubject (empty: "Welcome to NAME") and WelcomeBody (plain
	// text; empty: a short default).
	WelcomeEmail   bool
	WelcomeSubject string
	WelcomeBody    string
	// SubjectTemplate makes each issue's subject (templates.Subject's
	// placeholders: {headline}, {name}, {date}, {volume}, {number} ...);
	// empty: the lead headline, then the paper and its numbers.
	SubjectTemplate string
	// Wording is how the email and the web pages read around the articles
	// (wording.go); Language, a BCP 47 tag ("en"), is their lang.
	Wording  Wording
	Language string
	// DKIMKeys sign this publication's mail (each its own signature, RSA
	// first), instead of the sending process's --dkim-key; none: the
	// process's keys, if any.
	DKIMKeys []DKIMKey
	// Deliver is at-once (the whole list from the release on) or local
	// (each reader at LocalTime on their own clock, localtime.go);
	// LocalTime is "HH:MM", empty: the daily schedule's time of day.
	Deliver   Deliver
	LocalTime string
	CreatedAt time.Time
	UpdatedAt time.Time
}

// CronParser parses schedules: standard five fields with an optional leading
// seconds field, and descriptors such as @daily. Zones come from the publication
// (CRON_TZ= in the spec is also accepted).
var cronParser = cron.NewParser(cron.SecondOptional | cron.Minute | cron.Hour | cron.Dom | cron.Month | cron.Dow | cron.Descriptor)

// ParseSchedule parses spec in the publication's zone.
func ParseSchedule(spec, zone string) (cron.Schedule, error) {
	if !strings.HasPrefix(spec, "CRON_TZ=") && !strings.HasPrefix(spec, "TZ=") && zone != "" {
		spec = "CRON_TZ=" + zone + " " + spec
	}
	return cronParser.Parse(spec)
}

var slugRE = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{0,62}$`)

// Location is the publication's time zone (UTC if unset or unknown).
func (p *Publication) Location() *time.Location {
	loc, err := time.LoadLocation(p.TimeZone)
	if err != nil || p.TimeZone == "" {
		return time.UTC
	}
	return loc
}

// Today is the date it is now in the publication's zone.
func (p *Publication) Today(now time.Time) Date { return DateIn(now, p.Location()) }

// CopyrightLine is the footer's copyright line for an issue dated d.
func (p *Publication) CopyrightLine(d Date) string {
	if p.Copyright != "" {
		return p.Copyright
	}
	years := fmt.Sprint(d.Year)
	if p.VolumeStart.Year != 0 && p.VolumeStart.Year < d.Year {
		years = fmt.Sprintf("%d-%d", p.VolumeStart.Year, d.Year)
	}
	line := "Copyright " + years + " - " + p.Name
	if p.Address != "" {
		line += ", " + p.Address
	}
	return line + ". All rights reserved."
}

// SectionRank is the place of section s in the publication's order, and whether
// the section is known. With no section list, every section is known.
func (p *Publication) SectionRank(s string) (int, bool) {
	if len(p.Sections) == 0 {
		return 0, true
	}
	for i, name := range p.Sections {
		if strings.EqualFold(name, s) {
			return i, true
		}
	}
	if s == "" {
		return len(p.Sections), true
	}
	return 0, false
}

// Normalize fills defaults for unset fields.
func (p *Publication) Normalize() {
	p.Slug = strings.TrimSpace(strings.ToLower(p.Slug))
	p.Name = strings.TrimSpace(p.Name)
	if p.TimeZone == "" {
		p.TimeZone = "UTC"
	}
	if p.Numbering == "" {
		p.Numbering = Calendar
	}
	if p.EmptyPolicy == "" {
		p.EmptyPolicy = EmptySkip
	}
	if p.FiguresRetentionDays == 0 {
		p.FiguresRetentionDays = DefaultFiguresRetention
	}
	p.normalizeSignup()
	if lang, err := ParseLanguage(p.Language); err == nil {
		p.Language = lang
	}
	if b, err := ParseBaseURL(p.BaseURL); err == nil {
		p.BaseURL = b
	}
	if d, err := ParseDeliver(string(p.Deliver)); err == nil {
		p.Deliver = d
	}
	if c, err := ParseClock(p.LocalTime); err == nil {
		p.LocalTime = c.String()
	}
}

// Validate checks every setting and reports all problems at once.
func (p *Publication) Validate() error {
	var errs Errors
	bad := func(field, format string, args ...any) {
		errs = append(errs, &FieldError{Field: field, Msg: fmt.Sprintf(format, args...)})
	}
	if !slugRE.MatchString(p.Slug) {
		bad("slug", "%q must be lower-case letters, digits and dashes", p.Slug)
	}
	if p.Name == "" {
		bad("name", "is required")
	}
	for field, v := range map[string]string{"name": p.Name, "tagline": p.Tagline, "address": p.Address, "copyright": p.Copyright} {
		if strings.ContainsAny(v, "\r\n") {
			bad(field, "must be one line")
		}
	}
	if p.From == "" {
		bad("from", "is required (the address issues are sent from)")
	} else if _, err := ParseAddress(p.From); err != nil {
		bad("from", "%q is not an email address: %v", p.From, err)
	}
	if p.ReplyTo != "" {
		if _, err := ParseAddress(p.ReplyTo); err != nil {
			bad("reply-to", "%q is not an email address: %v", p.ReplyTo, err)
		}
	}
	if p.UnsubscribeMailto != "" {
		if _, err := ParseAddress(p.UnsubscribeMailto); err != nil {
			bad("unsubscribe-mailto", "%q is not an email address: %v", p.UnsubscribeMailto, err)
		}
	}
	if _, err := time.LoadLocation(p.TimeZone); err != nil || p.TimeZone == "" || p.TimeZone == "Local" {
		bad("timezone", "unknown time zone %q (use an IANA name such as Europe/Paris)", p.TimeZone)
	} else if p.Schedule != "" {
		if _, err := ParseSchedule(p.Schedule, p.TimeZone); err != nil {
			bad("schedule", "invalid cron spec %q: %v", p.Schedule, err)
		}
	}
	p.validateDeliver(bad)
	if p.VolumeStart.IsZero() {
		bad("volume-start", "is required (YYYY-MM-DD, the first day of Volume 1)")
	}
	switch p.Numbering {
	case Calendar, Sequential:
	default:
		bad("numbering", "%q must be calendar or sequential", p.Numbering)
	}
	switch p.EmptyPolicy {
	case EmptySkip, EmptyNotice, EmptyHold:
	default:
		bad("empty", "%q must be skip, notice or hold", p.EmptyPolicy)
	}
	if p.FiguresRetentionDays < 0 || p.FiguresRetentionDays > 3660 {
		bad("figures-retention", "%d days must be between 1 and 3660", p.FiguresRetentionDays)
	}
	p.validateSignup(bad)
	p.validateWording(bad)
	if err := checkDKIMKeys(p.DKIMKeys); err != nil {
		bad("dkim-key", "%v", err)
	}
	if b, err := ParseBaseURL(p.BaseURL); err != nil {
		bad("base-url", "%v", err)
	} else if b != p.BaseURL {
		bad("base-url", "%q is not in its normal form %q", p.BaseURL, b)
	}
	return errs.orNil()
}

// ParseAddress parses one RFC 5322 address and refuses anything that could smuggle
// a header (CR, LF) or is unreasonably long (RFC 5321 4.5.3.1: 254 octets).
func ParseAddress(s string) (*mail.Address, error) {
	if strings.ContainsAny(s, "\r\n\x00") {
		return nil, fmt.Errorf("contains a line break")
	}
	a, err := mail.ParseAddress(s)
	if err != nil {
		return nil, err
	}
	if len(a.Address) > 254 {
		return nil, fmt.Errorf("longer than 254 characters")
	}
	at := strings.LastIndexByte(a.Address, '@')
	if at <= 0 || at == len(a.Address)-1 || !strings.Contains(a.Address[at:], ".") && a.Address[at+1:] != "localhost" {
		return nil, fmt.Errorf("needs a domain")
	}
	return a, nil
}
