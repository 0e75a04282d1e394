// Package reports is in charge of the figures editors read: an issue's
// report (deliveries and clicks over its first 48 hours, clicks per link
// with unique readers and the automatic clicks apart, the unsubscribes and
// bounces it caused) and a publication's growth report (subscribes,
// unsubscribes and bounces per day; click rate per issue), built from the
// store's rows by NewIssueReport and NewGrowthReport, and rendered as SVG
// charts, CSV and plain-text tables, all from the same values (and as JSON
// by their field tags), so the page, the API, the CSV and the terminal agree.
//
// The charts are SVG written by hand rather than with
// github.com/go-analyze/charts (v0.6.4, whose output was examined): it writes every colour
// as an inline style fixed at render time from one theme, so a chart is
// readable in light or in dark mode but not both, and an admin page would
// need two renderings and a <picture> switch; it has no <title>/<desc> or
// role for screen readers, no per-bar tooltips, and pulls in freetype to
// measure text. The charts here are two kinds (vertical stacked bars, with a
// side below the line for losses, and horizontal bars), about 250 lines:
// colours come from classes in a <style> inside the SVG with a
// prefers-color-scheme: dark block, so one SVG works inline or as an image
// in both schemes without JavaScript; each has role="img", a <title> and a
// <desc> that says the figures in words, and a <title> on every bar.
package reports
