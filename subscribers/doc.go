// Package subscribers is in charge of the people who receive the issues: their
// addresses (validated and normalised), their subscriptions per publication and the
// history of each change, double opt-in, the signed tokens in confirm and
// unsubscribe links, bounces and complaints, suppression, and CSV import/export.
// Sending the double opt-in emails (the confirmation queue) is its
// subpackage confirm's.
package subscribers
