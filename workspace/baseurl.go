package workspace

import (
	"context"

	"masthead/newsletter"
)

// IsPublicationOrigin reports whether origin (a browser's Origin header) is
// the origin of one of the publications' base URLs: the web edition and the
// admin serve every publication, each at its own address, and a form posted
// from any of those addresses is their own.
func (s *Service) IsPublicationOrigin(ctx context.Context, origin string) bool {
	o, err := newsletter.ParseOrigin(origin)
	if err != nil || origin == "" {
		return false
	}
	pubs, err := s.st.Publications(ctx)
	if err != nil {
		return false
	}
	for _, p := range pubs {
		if p.BaseOrigin() == o {
			return true
		}
	}
	return false
}
