package templates

import (
	"bytes"
	"fmt"
	"html/template"
	"strconv"
	"strings"
	texttemplate "text/template"
	"unicode/utf8"

	"github.com/PuerkitoBio/goquery"
	"github.com/vanng822/go-premailer/premailer"
)

// RenderEmail renders an issue's HTML and plain-text email bodies once, with
// slot markers where per-recipient values go (see Compile). The HTML has its
// <style> rules inlined into style attributes; rules that cannot be inlined
// (media queries for phones and dark mode, :root) stay in a <style> element.
func (t *Theme) RenderEmail(iss *Issue) (html, text string, err error) {
	var buf bytes.Buffer
	if err := t.emailHTML.Execute(&buf, iss); err != nil {
		return "", "", parseError(err)
	}
	html, err = inlineCSS(buf.String())
	if err != nil {
		return "", "", fmt.Errorf("templates: %s: inline CSS: %w", t.emailHTML.Name(), err)
	}
	buf.Reset()
	if err := t.emailText.Execute(&buf, iss); err != nil {
		return "", "", parseError(err)
	}
	return html, tidyText(buf.String()), nil
}

func inlineCSS(src string) (string, error) {
	doc, err := goquery.NewDocumentFromReader(strings.NewReader(src))
	if err != nil {
		return "", err
	}
	imageWidths(doc)
	return premailer.NewPremailer(doc, premailer.NewOptions()).Transform()
}

// ColumnWidth is the email's text column in pixels: the 640-pixel paper
// less its 28-pixel margins.
const ColumnWidth = 584

// imageWidths gives every <img> a width attribute, which Outlook for
// Windows sizes images by (it ignores max-width, and shows a 1200-pixel
// photo at 1200 pixels without one): its own when it has one no wider than
// the column, else the column's. A width capped drops the height, which the
// style's height:auto then keeps in proportion.
func imageWidths(doc *goquery.Document) {
	doc.Find("img").Each(func(_ int, img *goquery.Selection) {
		if w, err := strconv.Atoi(strings.TrimSuffix(img.AttrOr("width", ""), "px")); err == nil && w > 0 && w <= ColumnWidth {
			return
		}
		img.SetAttr("width", strconv.Itoa(ColumnWidth))
		img.RemoveAttr("height")
	})
}

// tidyText drops trailing spaces and runs of blank lines that template
// actions leave behind, and ends the text with one newline.
func tidyText(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	blank := true // no blank lines at the start
	for line := range strings.SplitSeq(s, "\n") {
		line = strings.TrimRight(line, " \t\r")
		if line == "" {
			if !blank {
				b.WriteByte('\n')
			}
			blank = true
			continue
		}
		b.WriteString(line)
		b.WriteByte('\n')
		blank = false
	}
	return strings.TrimRight(b.String(), "\n") + "\n"
}

// emailFuncs are the functions of email.html.
func emailFuncs() template.FuncMap {
	return template.FuncMap{
		"slot": slotFunc,
		"inc":  func(i int) int { return i + 1 },
		"msg":  htmlMessage,
		"dir":  Dir,
		// Outlook on Windows ignores max-width: its own conditional comments
		// (which html/template would strip from the template text) give it a
		// fixed-width table.
		"msoStart": func(width int) template.HTML {
			return template.HTML(fmt.Sprintf(`<!--[if mso]><table role="presentation" width="%d" align="center" cellpadding="0" cellspacing="0" border="0"><tr><td><![endif]-->`, width))
		},
		"msoEnd": func() template.HTML {
			return `<!--[if mso]></td></tr></table><![endif]-->`
		},
	}
}

// webFuncs are the functions of the web pages; there is no slot: web pages
// show no recipient's data.
func webFuncs() template.FuncMap {
	return template.FuncMap{"inc": func(i int) int { return i + 1 }, "msg": htmlMessage, "dir": Dir, "langOf": langOf,
		"join": func(xs []string) string { return strings.Join(xs, ", ") }}
}

// textFuncs are the functions of email.txt, which lay text out in Width
// columns.
func textFuncs() texttemplate.FuncMap {
	return texttemplate.FuncMap{
		"slot":  slotFunc,
		"inc":   func(i int) int { return i + 1 },
		"upper": strings.ToUpper,
		"msg":   Message,
		// wrap s: s wrapped at Width columns.
		"wrap": func(s string) string { return strings.Join(wrapBreaks(s, Width), "\n") },
		// hang marker s: s wrapped after marker, with a hanging indent.
		"hang": func(marker, s string) string { return hang(marker, s, Width) },
		// center s: each wrapped line of s centred.
		"center": func(s string) string {
			lines := wrapBreaks(s, Width)
			for i, l := range lines {
				lines[i] = strings.Repeat(" ", (Width-utf8.RuneCountInString(l))/2) + l
			}
			return strings.Join(lines, "\n")
		},
		// spread left right: left and right on one line, flush to the margins.
		"spread": func(left, right string) string {
			gap := Width - utf8.RuneCountInString(left) - utf8.RuneCountInString(right)
			if gap < 2 {
				return left + "\n" + right
			}
			return left + strings.Repeat(" ", gap) + right
		},
		// rule c: a line of c across the page.
		"rule": func(c string) string { return strings.Repeat(c, Width/max(1, utf8.RuneCountInString(c))) },
	}
}
