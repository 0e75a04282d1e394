package engagement

import "errors"

var (
	// ErrBadToken is a redirect or image token that masthead did not sign,
	// or signed and someone altered: the web answers 400 and redirects nowhere.
	ErrBadToken = errors.New("engagement: not a link masthead signed")
	// ErrNotFound is a signed token whose issue or link the store does not
	// have (the issue was deleted): the web answers 404.
	ErrNotFound = errors.New("engagement: no such link")
	// ErrTooManyLinks is an issue with more distinct links than a token can
	// number (MaxLinks).
	ErrTooManyLinks = errors.New("engagement: too many links in one issue")
)
