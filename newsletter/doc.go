// Package newsletter is in charge of publications, their articles and their daily
// issues: validating settings and articles, reading articles from Markdown files
// with front matter, numbering issues (Volume N, Number M) and assembling an issue
// from the ready articles of a date so that it is numbered once and rendered once.
package newsletter
