// Package engagement is in charge of what readers did with an issue, counted
// without recording who did it: it rewrites an issue's links to signed
// redirects once per issue, decides where a redirect goes, tells readers'
// clicks from security scanners', and records aggregated counts in batches.
package engagement
