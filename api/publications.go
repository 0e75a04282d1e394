package api

import (
	"errors"
	"net/http"
	"time"

	"masthead/newsletter"
	"masthead/workspace"
)

type publicationJSON struct {
	Slug              string   `json:"slug"`
	Name              string   `json:"name"`
	Tagline           string   `json:"tagline"`
	From              string   `json:"from"`
	ReplyTo           string   `json:"reply_to"`
	Address           string   `json:"address"`
	TimeZone          string   `json:"timezone"`
	Schedule          string   `json:"schedule"`
	VolumeStart       string   `json:"volume_start"`
	Numbering         string   `json:"numbering"`
	Copyright         string   `json:"copyright"`
	Sections          []string `json:"sections"`
	UnsubscribeMailto string   `json:"unsubscribe_mailto"`
	EmptyPolicy       string   `json:"empty_policy"`
	SubjectTemplate   string   `json:"subject_template"`
	// BaseURL is the publication's public address; empty: the server's.
	BaseURL   string      `json:"base_url"`
	NextFires []time.Time `json:"next_fires"`
	// Deliver is "at-once" (every reader from the release on) or "local"
	// (each reader at LocalTime on their own clock); LocalTime is "HH:MM",
	// "": the schedule's time of day. A daily release after that hour is
	// refused (422, local_time).
	Deliver   string `json:"deliver"`
	LocalTime string `json:"local_time"`
	// Templates is the theme override's directory on the server, absolute;
	// empty: the built-in theme. Read only here: it is set on the server
	// (`masthead publication set --templates DIR`), where it is checked.
	Templates string `json:"templates"`
	// DKIMSelectors are the selectors of the publication's own DKIM keys,
	// RSA or Ed25519, set on the server (`publication set --dkim-key`);
	// empty: the sending process's keys.
	DKIMSelectors []string `json:"dkim_selectors"`
	// Engagement settings.
	PerSubscriberFigures bool `json:"per_subscriber_figures"`
	FiguresRetentionDays int  `json:"figures_retention_days"`
	TrackOpens           bool `json:"track_opens"`
	// Signup from the newsroom's own site, and the welcome email.
	SignupOrigins      []string `json:"signup_origins"`
	SignupConfirmedURL string   `json:"signup_confirmed_url"`
	WelcomeEmail       bool     `json:"welcome_email"`
	WelcomeSubject     string   `json:"welcome_subject"`
	WelcomeBody        string   `json:"welcome_body"`
	// How the email reads, and its language (BCP 47).
	Wording  wordingJSON `json:"wording"`
	Language string      `json:"language"`
}

func publicationOut(p *newsletter.Publication, now time.Time) publicationJSON {
	fires, _ := workspace.NextFires(p, now, 5)
	if fires == nil {
		fires = []time.Time{}
	}
	sections := p.Sections
	if sections == nil {
		sections = []string{}
	}
	origins := p.SignupOrigins
	if origins == nil {
		origins = []string{}
	}
	selectors := []string{}
	for _, k := range p.DKIMKeys {
		selectors = append(selectors, k.Selector)
	}
	return publicationJSON{DKIMSelectors: selectors, Slug: p.Slug, Name: p.Name, Tagline: p.Tagline, From: p.From, ReplyTo: p.ReplyTo,
		Address: p.Address, TimeZone: p.TimeZone, Schedule: p.Schedule, VolumeStart: p.VolumeStart.String(),
		Numbering: string(p.Numbering), Copyright: p.Copyright, Sections: sections,
		UnsubscribeMailto: p.UnsubscribeMailto, EmptyPolicy: string(p.EmptyPolicy), SubjectTemplate: p.SubjectTemplate, BaseURL: p.BaseURL, NextFires: fires, Templates: p.TemplateDir,
		Deliver: string(deliverOut(p.Deliver)), LocalTime: p.LocalTime,
		PerSubscriberFigures: p.PerSubscriberFigures, FiguresRetentionDays: p.FiguresRetentionDays, TrackOpens: p.TrackOpens,
		SignupOrigins: origins, SignupConfirmedURL: p.SignupConfirmedURL,
		WelcomeEmail: p.WelcomeEmail, WelcomeSubject: p.WelcomeSubject, WelcomeBody: p.WelcomeBody,
		Wording: wordingOut(p.Wording), Language: languageOut(p.Language)}
}

func (a *API) listPublications(w http.ResponseWriter, r *http.Request) {
	pubs, err := a.work.Reads().Publications(r.Context())
	if err != nil {
		a.fail(w, r, err)
		return
	}
	out := make([]publicationJSON, 0, len(pubs))
	for _, p := range pubs {
		out = append(out, publicationOut(p, a.work.Now()))
	}
	writeJSON(w, http.StatusOK, list{Data: out})
}

func (a *API) getPublication(w http.ResponseWriter, r *http.Request) {
	p, err := a.work.Publication(r.Context(), r.PathValue("slug"))
	if err != nil {
		a.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, publicationOut(p, a.work.Now()))
}

// publicationPatch is a settings change: fields left out keep their values.
type publicationPatch struct {
	Name              *string   `json:"name"`
	Tagline           *string   `json:"tagline"`
	From              *string   `json:"from"`
	ReplyTo           *string   `json:"reply_to"`
	Address           *string   `json:"address"`
	TimeZone          *string   `json:"timezone"`
	Schedule          *string   `json:"schedule"`
	VolumeStart       *string   `json:"volume_start"`
	Numbering         *string   `json:"numbering"`
	Copyright         *string   `json:"copyright"`
	Sections          *[]string `json:"sections"`
	UnsubscribeMailto *string   `json:"unsubscribe_mailto"`
	EmptyPolicy       *string   `json:"empty_policy"`
	SubjectTemplate   *string   `json:"subject_template"`
	BaseURL           *string   `json:"base_url"`
	Deliver           *string   `json:"deliver"`
	LocalTime         *string   `json:"local_time"`
	// Engagement settings.
	PerSubscriberFigures *bool `json:"per_subscriber_figures"`
	FiguresRetentionDays *int  `json:"figures_retention_days"`
	TrackOpens           *bool `json:"track_opens"`
	// Signup from the newsroom's own site, and the welcome email.
	SignupOrigins      *[]string `json:"signup_origins"`
	SignupConfirmedURL *string   `json:"signup_confirmed_url"`
	WelcomeEmail       *bool     `json:"welcome_email"`
	WelcomeSubject     *string   `json:"welcome_subject"`
	WelcomeBody        *string   `json:"welcome_body"`
	// How the email reads: the fields given change.
	Wording  *wordingPatch `json:"wording"`
	Language *string       `json:"language"`
}

func (a *API) patchPublication(w http.ResponseWriter, r *http.Request) {
	p, err := a.work.Publication(r.Context(), r.PathValue("slug"))
	if err != nil {
		a.fail(w, r, err)
		return
	}
	var in publicationPatch
	if !decode(w, r, &in) {
		return
	}
	set := func(dst *string, v *string) {
		if v != nil {
			*dst = *v
		}
	}
	set(&p.Name, in.Name)
	set(&p.Tagline, in.Tagline)
	set(&p.From, in.From)
	set(&p.ReplyTo, in.ReplyTo)
	set(&p.Address, in.Address)
	set(&p.TimeZone, in.TimeZone)
	set(&p.Schedule, in.Schedule)
	set(&p.Copyright, in.Copyright)
	set(&p.UnsubscribeMailto, in.UnsubscribeMailto)
	set(&p.SubjectTemplate, in.SubjectTemplate)
	set(&p.BaseURL, in.BaseURL) // normalised and checked by SavePublication
	if in.Deliver != nil {
		p.Deliver = newsletter.Deliver(*in.Deliver) // read and checked by SavePublication
	}
	set(&p.LocalTime, in.LocalTime)
	if in.VolumeStart != nil {
		d, ok := dateField(w, "volume_start", *in.VolumeStart)
		if !ok {
			return
		}
		p.VolumeStart = d
	}
	if in.Numbering != nil {
		p.Numbering = newsletter.Numbering(*in.Numbering)
	}
	if in.EmptyPolicy != nil {
		p.EmptyPolicy = newsletter.EmptyPolicy(*in.EmptyPolicy)
	}
	if in.Sections != nil {
		p.Sections = *in.Sections
	}
	if in.PerSubscriberFigures != nil {
		p.PerSubscriberFigures = *in.PerSubscriberFigures
	}
	if in.FiguresRetentionDays != nil {
		p.FiguresRetentionDays = *in.FiguresRetentionDays
	}
	if in.TrackOpens != nil {
		p.TrackOpens = *in.TrackOpens
	}
	if in.SignupOrigins != nil {
		p.SignupOrigins = *in.SignupOrigins // checked by SavePublication, which names the bad one
	}
	set(&p.SignupConfirmedURL, in.SignupConfirmedURL)
	if in.WelcomeEmail != nil {
		p.WelcomeEmail = *in.WelcomeEmail
	}
	set(&p.WelcomeSubject, in.WelcomeSubject)
	set(&p.WelcomeBody, in.WelcomeBody)
	in.Wording.apply(&p.Wording)
	set(&p.Language, in.Language)
	if err := a.work.SavePublication(r.Context(), p); err != nil {
		var late *newsletter.LateRelease
		if errors.As(err, &late) && in.Schedule != nil && in.LocalTime == nil {
			// The schedule this PATCH changed is what moved the release.
			err = &newsletter.FieldError{Field: "schedule", Msg: late.Explain("schedule '%s'", "local_time %s")}
		}
		a.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, publicationOut(p, a.work.Now()))
}

// deliverOut is the setting as stored, at-once when none was ever set.
func deliverOut(d newsletter.Deliver) newsletter.Deliver {
	if d == "" {
		return newsletter.DeliverAtOnce
	}
	return d
}
