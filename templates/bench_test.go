package templates

import "testing"

// Run with: go test -run x -bench . -benchmem ./templates/

// BenchmarkRenderEmail20 is the once-per-issue work: Markdown for 20 article
// bodies, then the HTML (with CSS inlining) and text emails.
func BenchmarkRenderEmail20(b *testing.B) {
	th, err := Load("")
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	size := 0
	for b.Loop() {
		iss := testIssue(b, th.md, 20)
		htm, _, err := th.RenderEmail(iss)
		if err != nil {
			b.Fatal(err)
		}
		size = len(htm)
	}
	b.ReportMetric(float64(size), "html-bytes")
}

func benchmarkFill(b *testing.B, kind Kind) {
	th, err := Load("")
	if err != nil {
		b.Fatal(err)
	}
	htm, text, err := th.RenderEmail(testIssue(b, th.md, 20))
	if err != nil {
		b.Fatal(err)
	}
	body := htm
	if kind == Text {
		body = text
	}
	c := Compile(body, kind)
	p := &Personal{Name: "Alice <Smith>", Email: "alice@example.org",
		UnsubscribeURL: "https://planet.example/unsubscribe?token=0123456789abcdef&list=1"}
	dst := make([]byte, 0, c.Len()+1024)
	b.ReportAllocs()
	b.SetBytes(int64(len(body)))
	for b.Loop() {
		dst = c.Fill(dst[:0], p)
	}
}

func BenchmarkFillHTML(b *testing.B) { benchmarkFill(b, HTML) }
func BenchmarkFillText(b *testing.B) { benchmarkFill(b, Text) }
