package templates

import "testing"

func TestTypographic(t *testing.T) {
	for in, want := range map[string]string{
		`Mayor says "no"`:             "Mayor says “no”",
		`Gaza's "new" crossing`:       "Gaza’s “new” crossing",
		`'Quoted' -- and --- more...`: "‘Quoted’ – and — more…",
		`("in brackets")`:             "(“in brackets”)",
		`No quotes at all`:            "No quotes at all",
		`שלום "עולם"`:                 "שלום “עולם”",
	} {
		if got := Typographic(in); got != want {
			t.Errorf("Typographic(%q) = %q, want %q", in, got, want)
		}
	}
}
