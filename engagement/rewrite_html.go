package engagement

import (
	"bytes"
	"strings"
	"unicode"
	"unicode/utf8"

	xhtml "golang.org/x/net/html"
)

// html rewrites the links of an HTML body in place: it walks the tokens
// with their raw bytes (the tokenizer's Raw is the input, byte for byte) and
// replaces only the bytes of the href values it rewrites, so that the rest
// of the premailer output is untouched (parsing and serialising again would
// change it).
func (t *table) html(doc string) (string, error) {
	var (
		out      strings.Builder
		z        = xhtml.NewTokenizer(strings.NewReader(doc))
		pos      int    // offset of the current token in doc
		copied   int    // doc[:copied] is written to out
		inHead   bool   // between <head> and </head> (or <body>)
		anchor   string // id of the last in-page anchor
		label    *Link  // the link whose text is being gathered, or nil
		labelBuf strings.Builder
		bodyEnd  = -1 // offset of the last </body>
	)
	out.Grow(len(doc) + len(doc)/8)
	for {
		tt := z.Next()
		if tt == xhtml.ErrorToken {
			break
		}
		raw := z.Raw()
		start := pos
		pos += len(raw)
		switch tt {
		case xhtml.StartTagToken, xhtml.SelfClosingTagToken:
			name, hasAttr := z.TagName()
			switch string(name) {
			case "head":
				inHead = tt == xhtml.StartTagToken
			case "body":
				inHead = false
			case "img":
				if label != nil && label.Text == "" && labelBuf.Len() == 0 {
					for hasAttr {
						var k, v []byte
						k, v, hasAttr = z.TagAttr()
						if string(k) == "alt" {
							labelBuf.Write(v)
						}
					}
				}
			case "a", "area":
				if inHead {
					continue
				}
				attrs := tagAttrs(z, hasAttr)
				href, ok := attrs.get("href")
				if !ok {
					if id, ok := attrs.get("id"); ok && id != "" {
						anchor = id
					} else if n, ok := attrs.get("name"); ok && n != "" {
						anchor = n
					}
					continue
				}
				u := strings.TrimFunc(href, isHTMLSpace)
				if !t.wants(u) {
					continue
				}
				vs, ve, ok := hrefSpan(raw, href)
				if !ok {
					continue // the raw tag does not read as the tokenizer read it: leave it
				}
				i, first, err := t.add(u, "", anchor)
				if err != nil {
					return "", err
				}
				out.WriteString(doc[copied : start+vs])
				out.WriteString(t.redirect(i))
				copied = start + ve
				if first && string(name) == "a" && tt == xhtml.StartTagToken {
					label = &t.links[i-1]
					labelBuf.Reset()
				}
			}
		case xhtml.EndTagToken:
			name, _ := z.TagName()
			switch string(name) {
			case "head":
				inHead = false
			case "a":
				if label != nil {
					label.Text = clip(labelBuf.String())
					label = nil
				}
			case "body":
				bodyEnd = start
			}
		case xhtml.TextToken:
			if label != nil && labelBuf.Len() < 4*maxLinkText {
				labelBuf.Write(z.Text())
			}
		}
	}
	if label != nil {
		label.Text = clip(labelBuf.String())
	}
	if t.rw.openImage {
		if bodyEnd < copied {
			bodyEnd = len(doc)
		}
		out.WriteString(doc[copied:bodyEnd])
		out.WriteString(`<img src="` + t.rw.url("/o/", t.issueID, OpenLink) +
			`" width="1" height="1" alt="" border="0" style="display:block;width:1px;height:1px;border:0">`)
		copied = bodyEnd
	}
	out.WriteString(doc[copied:])
	return out.String(), nil
}

// attrList is a tag's attributes as the tokenizer decoded them.
type attrList []struct{ key, val string }

func tagAttrs(z *xhtml.Tokenizer, more bool) attrList {
	var a attrList
	for more {
		var k, v []byte
		k, v, more = z.TagAttr()
		a = append(a, struct{ key, val string }{string(k), string(v)})
	}
	return a
}

// get returns the first attribute named key (HTML keeps the first of
// duplicates).
func (a attrList) get(key string) (string, bool) {
	for _, kv := range a {
		if kv.key == key {
			return kv.val, true
		}
	}
	return "", false
}

// isHTMLSpace is ASCII whitespace as HTML strips it from URLs.
func isHTMLSpace(r rune) bool {
	return r == ' ' || r == '\t' || r == '\n' || r == '\f' || r == '\r'
}

// clip collapses runs of white space to one space, trims, and cuts s to
// maxLinkText runes.
func clip(s string) string {
	s = strings.Join(strings.FieldsFunc(s, unicode.IsSpace), " ")
	if utf8.RuneCountInString(s) <= maxLinkText {
		return s
	}
	n := 0
	for i := range s {
		if n == maxLinkText-1 {
			return strings.TrimRight(s[:i], " ") + "…"
		}
		n++
	}
	return s
}

// hrefSpan finds the value of the first href attribute in a raw start tag
// and returns its byte span (without quotes). It follows the HTML
// tokenizer's attribute states (WHATWG HTML 13.2.5.32-39); the value found
// must decode to want, the tokenizer's own reading, or nothing is returned.
func hrefSpan(raw []byte, want string) (start, end int, ok bool) {
	i := 1 // after '<'
	for i < len(raw) && !isTagSpace(raw[i]) && raw[i] != '/' && raw[i] != '>' {
		i++ // the tag name
	}
	for i < len(raw) {
		// Before attribute name.
		for i < len(raw) && (isTagSpace(raw[i]) || raw[i] == '/') {
			i++
		}
		if i >= len(raw) || raw[i] == '>' {
			return 0, 0, false
		}
		// Attribute name: the first character may be '='.
		ns := i
		i++
		for i < len(raw) && !isTagSpace(raw[i]) && raw[i] != '/' && raw[i] != '>' && raw[i] != '=' {
			i++
		}
		name := raw[ns:i]
		// After attribute name.
		for i < len(raw) && isTagSpace(raw[i]) {
			i++
		}
		if i >= len(raw) || raw[i] != '=' {
			if bytes.EqualFold(name, []byte("href")) {
				return 0, 0, false // href without a value: nothing to rewrite
			}
			continue
		}
		i++ // '='
		for i < len(raw) && isTagSpace(raw[i]) {
			i++
		}
		var vs, ve int
		switch {
		case i < len(raw) && (raw[i] == '"' || raw[i] == '\''):
			q := raw[i]
			vs = i + 1
			j := bytes.IndexByte(raw[vs:], q)
			if j < 0 {
				return 0, 0, false
			}
			ve = vs + j
			i = ve + 1
		default:
			vs = i
			for i < len(raw) && !isTagSpace(raw[i]) && raw[i] != '>' {
				i++
			}
			ve = i
		}
		if bytes.EqualFold(name, []byte("href")) {
			if xhtml.UnescapeString(string(raw[vs:ve])) != want {
				return 0, 0, false
			}
			return vs, ve, true
		}
	}
	return 0, 0, false
}

// isTagSpace is the white space that separates attributes in a tag.
func isTagSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\f' || c == '\r'
}
