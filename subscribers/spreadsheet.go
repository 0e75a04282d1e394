package subscribers

import "strings"

// Spreadsheets run a cell that starts with = + - @ (or a tab or CR before
// one) as a formula: an exported name such as =HYPERLINK("http://evil",...)
// from the public subscribe form would run on an editor's machine (OWASP "CSV
// injection"). Export writes such cells with a leading apostrophe, which
// spreadsheets show as text; import takes it off again, so a file round-trips.

// defuseCell makes a CSV cell safe to open in a spreadsheet.
func defuseCell(s string) string {
	if s != "" && strings.IndexByte("=+-@\t\r", s[0]) >= 0 {
		return "'" + s
	}
	return s
}

// undefuseCell undoes defuseCell.
func undefuseCell(s string) string {
	if len(s) > 1 && s[0] == '\'' && strings.IndexByte("=+-@\t\r", s[1]) >= 0 {
		return s[1:]
	}
	return s
}
