package feeds

import "strings"

// Section picks an item's section: the section mapped to the first of its
// categories that the mapping names (category names compared without
// regard to case; a mapping should not name one category twice in two
// cases), else fallback, the feed's default section.
func Section(categories []string, mapping map[string]string, fallback string) string {
	for _, c := range categories {
		for from, to := range mapping {
			if strings.EqualFold(strings.TrimSpace(from), c) {
				return to
			}
		}
	}
	return fallback
}
