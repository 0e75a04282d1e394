// Package media is in charge of pictures for the email and the web edition:
// it decides whether an upload is an image masthead accepts, gives it an
// identity, and makes the rendition that a newsletter column shows.
//
// An upload is judged by its content, never by its name or declared type:
// JPEG, PNG, GIF and WebP are accepted, up to a size and a pixel-count
// limit, the dimensions being read from the header before anything is
// decoded so that a small file claiming 100000×100000 pixels costs nothing.
// Anything else is refused with a sentence that says what it looks like
// ("not an image: looks like PDF"). The SHA-256 of the bytes is the image's
// identity, so an image uploaded twice is kept once.
//
// Render makes the rendition for a column: at most twice the column's width
// (sharp on high-density screens), never enlarged, turned upright from the
// JPEG's EXIF orientation, and re-encoded so that no metadata survives (a
// phone photo's GPS position included). A photo becomes a JPEG; an image
// with transparency stays a PNG; other opaque images take the smaller of
// PNG and JPEG (a chart or logo stays sharp, a photo saved as PNG shrinks).
// A small animated GIF (2 MB, no wider than the rendition) is kept animated,
// re-encoded without its comments and application data; a larger or wider
// one becomes a still of its first frame, resized: every subscriber would
// download it, and Outlook on Windows shows only that frame anyway.
//
// The package keeps no state between calls and stores nothing: the caller
// stores the original (or not) and the rendition under the hashes it gives.
package media
