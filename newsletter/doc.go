// Package newsletter is in charge of publications, their articles and their daily
// issues as the domain knows them: validating settings and articles, reading
// articles from Markdown files with front matter, the order of an issue's
// articles, numbering issues (Volume N, Number M, Publication.Number) and the
// lifecycle of an issue (IssueStatus and its sets: Frozen, Editable, CanStart,
// EditorCanStart, FireStarts, Public). Making an issue out of articles is
// package assembly's; newsletter depends on no other part of masthead.
package newsletter
