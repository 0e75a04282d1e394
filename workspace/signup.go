package workspace

import (
	"fmt"
	"html/template"
	"strings"

	"masthead/newsletter"
)

// signupSnippet is the subscribe form a newsroom pastes into its own pages:
// plain HTML that posts to the web edition's POST /subscribe, with no
// script, no style and no cookie. The honeypot field is hidden with the
// hidden attribute, which needs no stylesheet. After the form, one optional
// line loads the web edition's static/timezone.js, which fills the form's
// hidden timezone field with the reader's time zone; without it (a page
// whose Content-Security-Policy allows no script from the web edition, or
// a reader without JavaScript) the form works the same and records none.
var signupSnippet = template.Must(template.New("snippet").Parse(`<form method="post" action="{{.Action}}" accept-charset="utf-8">
<input type="hidden" name="publication" value="{{.Slug}}">
<input type="hidden" name="timezone" value="">
{{- with .Redirect}}
<input type="hidden" name="redirect" value="{{.}}">
{{- end}}
<label>Email address <input type="email" name="email" required maxlength="254" autocomplete="email"></label>
<label>Name (optional) <input type="text" name="name" maxlength="200" autocomplete="name"></label>
<div hidden aria-hidden="true"><label>Leave this field empty <input type="text" name="website" tabindex="-1" autocomplete="off"></label></div>
<button type="submit">Subscribe to {{.Name}}</button>
</form>
<script src="{{.Script}}" defer></script>
`))

// SignupSnippet returns the HTML of a subscribe form for p that works on
// the pages of its signup origins without JavaScript (and its optional
// script line, which records the reader's time zone). With redirect (an
// address on one of them), the reader is sent back there after posting it.
// The form posts to the public address (BaseURL) + /subscribe.
func (s *Service) SignupSnippet(p *newsletter.Publication, redirect string) (string, error) {
	base := p.LinkBase(s.baseURL)
	if base == "" {
		return "", fmt.Errorf("signup form: no public address (--base-url): %w", ErrUnavailable)
	}
	if redirect != "" {
		r, ok := p.SignupReturn(redirect)
		if !ok {
			return "", &newsletter.FieldError{Field: "redirect", Msg: fmt.Sprintf(
				"%q must be an http(s) address on one of %s's signup origins (%s)", redirect, p.Slug, originList(p))}
		}
		redirect = r
	}
	var b strings.Builder
	err := signupSnippet.Execute(&b, struct {
		Action, Slug, Name, Redirect, Script string
	}{base + "/subscribe", p.Slug, p.Name, redirect, base + "/static/timezone.js"})
	if err != nil {
		return "", fmt.Errorf("signup form: %w", err)
	}
	return b.String(), nil
}

func originList(p *newsletter.Publication) string {
	if len(p.SignupOrigins) == 0 {
		return "none set: publication set --signup-origins"
	}
	return strings.Join(p.SignupOrigins, ", ")
}
