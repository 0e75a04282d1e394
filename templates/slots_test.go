package templates

import (
	"strings"
	"testing"
)

func TestCompileFill(t *testing.T) {
	alice := &Personal{Name: " Alice ", Email: "a@x.example", UnsubscribeURL: "https://x.example/u?t=1&s=2"}
	tests := []struct {
		name, body string
		kind       Kind
		p          *Personal
		want       string
		slots      string
	}{
		{"none", "plain", HTML, alice, "plain", ""},
		{"empty", "", Text, alice, "", ""},
		{"all html", "Hi[[MH:greeting]]! [[MH:name]] <[[MH:email]]> <a href=\"[[MH:unsubscribe]]\">",
			HTML, alice, "Hi, Alice! Alice <a@x.example> <a href=\"https://x.example/u?t=1&amp;s=2\">",
			"greeting,name,email,unsubscribe"},
		{"all text", "Hi[[MH:greeting]]!\n[[MH:unsubscribe]]", Text, alice, "Hi, Alice!\nhttps://x.example/u?t=1&s=2",
			"greeting,unsubscribe"},
		{"no name", "Hi[[MH:greeting]]. [[[MH:name]]]", Text, &Personal{}, "Hi. []", "greeting,name"},
		{"html escape", "[[MH:name]]", HTML, &Personal{Name: `<b>'"&`}, "&lt;b&gt;&#39;&#34;&amp;", "name"},
		{"text raw", "[[MH:name]]", Text, &Personal{Name: `<b>'"&`}, `<b>'"&`, "name"},
		{"newline", "[[MH:name]]", Text, &Personal{Name: "A\r\nB"}, "A  B", "name"},
		{"unsafe url", "[[MH:unsubscribe]]", HTML, &Personal{UnsubscribeURL: "JavaScript:x"}, "#", "unsubscribe"},
		{"mailto", "[[MH:unsubscribe]]", HTML, &Personal{UnsubscribeURL: "mailto:u@x.example"}, "mailto:u@x.example", "unsubscribe"},
		{"unknown", "[[MH:age]] [[MH:nam[[MH:name]]", Text, alice, "[[MH:age]] [[MH:namAlice", "name"},
		{"unterminated", "a [[MH:name", Text, alice, "a [[MH:name", ""},
		{"adjacent", "[[MH:name]][[MH:name]]", Text, alice, "AliceAlice", "name,name"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := Compile(tt.body, tt.kind)
			if got := strings.Join(c.Slots(), ","); got != tt.slots {
				t.Errorf("Slots() = %q, want %q", got, tt.slots)
			}
			if got := string(c.Fill([]byte("pre:"), tt.p)); got != "pre:"+tt.want {
				t.Errorf("Fill = %q, want %q", got, "pre:"+tt.want)
			}
		})
	}
}

func TestFillAllocs(t *testing.T) {
	if raceEnabled {
		t.Skip("allocation counts differ under the race detector")
	}
	c := Compile(strings.Repeat("x[[MH:name]] <a href=\"[[MH:unsubscribe]]\">[[MH:greeting]]", 50), HTML)
	p := &Personal{Name: "Alice <A>", UnsubscribeURL: "https://x.example/u?a=1&b=2"}
	dst := c.Fill(nil, p)
	if n := testing.AllocsPerRun(100, func() { dst = c.Fill(dst[:0], p) }); n != 0 {
		t.Errorf("Fill allocates %v times per run with a reused buffer", n)
	}
}
