package cli

import (
	"bytes"
	"context"
	"image"
	"image/color"
	"image/jpeg"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"masthead/auth"
	"masthead/internal/testenv"
	"masthead/newsletter"
	"masthead/store"
	"masthead/subscribers"
)

// pageWait polls a JavaScript condition in the tab until it holds, failing
// with the page's text.
func pageWait(t *testing.T, b context.Context, step, cond string) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		ok, err := chromedp.Run(b, chromedp.Evaluate[bool](cond))
		if err == nil && ok {
			return
		}
		if time.Now().After(deadline) {
			text, _ := chromedp.Run(b, chromedp.Evaluate[string](`document.body ? document.body.innerText : ""`))
			t.Fatalf("%s: %v\npage text:\n%.2000s", step, err, text)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func pageDo(t *testing.T, b context.Context, step string, actions ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	if err := chromedp.Do(b, actions...); err != nil {
		t.Fatalf("%s: %v", step, err)
	}
}

// The pictures' journey, as an editor and a reader live it: in Chromium, a
// PDF and a file over the limit are refused on the upload page in words, a
// photo is uploaded and set as an article's lead image with its alt text;
// the issue is sent to mailpit, and the received HTML draws the 1200-pixel
// rendition at the publication's https address with width and height, the
// text part says what the photo shows, and the web edition serves the
// rendition with its type and cache headers.
func TestPicturesEndToEnd(t *testing.T) {
	ctx := context.Background()
	mp := testenv.StartMailpit(t)
	db := newDB(t)
	st := openStoreAt(t, db)
	p := &newsletter.Publication{Slug: "planet", Name: "The Daily Planet", From: "news@planet.example",
		Address: "Metropolis", VolumeStart: newsletter.Date{Year: 2007, Month: 2, Day: 7}}
	p.Normalize()
	if err := st.SavePublication(ctx, p); err != nil {
		t.Fatal(err)
	}
	if _, err := st.AddSubscriber(ctx, "reader@example.org", "", p.ID, subscribers.Active, subscribers.ViaEditor); err != nil {
		t.Fatal(err)
	}
	const password = "a long test password"
	if _, err := auth.New(st, auth.Options{}).CreateUser(ctx, "lois@planet.example", password, auth.Editor); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	photo := filepath.Join(dir, "fountain.jpg")
	img := image.NewRGBA(image.Rect(0, 0, 1800, 1200))
	for y := range 1200 {
		for x := range 1800 {
			img.Set(x, y, color.RGBA{uint8(x / 8), uint8(y / 5), uint8((x + y) / 12), 255})
		}
	}
	var b bytes.Buffer
	if err := jpeg.Encode(&b, img, nil); err != nil {
		t.Fatal(err)
	}
	pdf, huge := filepath.Join(dir, "press-release.pdf"), filepath.Join(dir, "huge.jpg")
	for name, data := range map[string][]byte{photo: b.Bytes(), pdf: []byte("%PDF-1.7\n1 0 obj <<>> endobj\n"),
		huge: append([]byte("\xFF\xD8\xFF"), make([]byte, 22<<20)...)} {
		if err := os.WriteFile(name, data, 0o644); err != nil {
			t.Fatal(err)
		}
	}

	addr := testenv.Addr(testenv.FreePort(t))
	site := "http://" + addr
	env := map[string]string{"MASTHEAD_DB": db, "MASTHEAD_BASE_URL": site,
		"MASTHEAD_SMTP": "smtp://" + mp.SMTPAddr + "?tls=none", "MASTHEAD_SECRET": "a test secret of thirty-two bytes!"}
	sctx, cancel := context.WithCancel(ctx)
	s := &serving{cancel: cancel, done: make(chan int, 1), buf: &lockedBuf{}, addr: addr}
	go func() {
		s.done <- Run(sctx, []string{"serve", "--addr", addr, "--no-sample"}, Env{Getenv: func(k string) string { return env[k] },
			Stdin: strings.NewReader(""), Stdout: s.buf, Stderr: s.buf})
	}()
	t.Cleanup(cancel)
	waitHTTP(t, s, site+"/healthz")

	br := testenv.Browser(t)
	pageDo(t, br, "sign in", chromedp.Navigate(site+"/admin/"), chromedp.WaitVisible(chromedp.ID("email")),
		chromedp.SendKeys(chromedp.ID("email"), "lois@planet.example"),
		chromedp.SendKeys(chromedp.ID("password"), password), chromedp.Click(chromedp.ID("signin")))
	pageWait(t, br, "signed in", `document.querySelector("h1") !== null && document.querySelector("h1").textContent === "Issues"`)

	pageDo(t, br, "upload a PDF", chromedp.Navigate(site+"/admin/media"), chromedp.WaitVisible(chromedp.ID("upload-file")),
		chromedp.SetUploadFiles(chromedp.ID("upload-file"), []string{pdf}), chromedp.Click(chromedp.ID("upload")))
	pageWait(t, br, "the PDF refused", `document.body.innerText.includes("The file was not added: not an image: looks like PDF; masthead takes JPEG, PNG, GIF or WebP")`)
	pageDo(t, br, "upload a file over the limit", chromedp.Navigate(site+"/admin/media"), chromedp.WaitVisible(chromedp.ID("upload-file")),
		chromedp.SetUploadFiles(chromedp.ID("upload-file"), []string{huge}), chromedp.Click(chromedp.ID("upload")))
	pageWait(t, br, "the large file refused", `document.body.innerText.includes("The image is too large: the limit is 20 MB")`)
	if list, err := st.MediaList(ctx, store.MediaFilter{}); err != nil || len(list) != 0 {
		t.Fatalf("the refused files are in the library: %v %v", list, err)
	}

	pageDo(t, br, "upload the photo", chromedp.Navigate(site+"/admin/media"), chromedp.WaitVisible(chromedp.ID("upload-file")),
		chromedp.SendKeys(chromedp.ID("upload-caption"), "Photo: Jimmy Olsen"),
		chromedp.SetUploadFiles(chromedp.ID("upload-file"), []string{photo}), chromedp.Click(chromedp.ID("upload")))
	pageWait(t, br, "the photo added", `document.body.innerText.includes("Added picture 1 (jpeg, 1800×1200)") && document.querySelector("#picture-1 img") !== null`)
	list, err := st.MediaList(ctx, store.MediaFilter{})
	if err != nil || len(list) != 1 {
		t.Fatalf("library: %v %v", list, err)
	}
	sha := list[0].SHA256

	const alt = "Children cool off in the fountain on Main Street"
	pageDo(t, br, "write the article", chromedp.Navigate(site+"/admin/articles/new"), chromedp.WaitVisible(chromedp.ID("title")),
		chromedp.SendKeys(chromedp.ID("title"), "Heat Wave Arrives"),
		chromedp.SetValue(chromedp.ID("image"), sha),
		chromedp.SendKeys(chromedp.ID("image-alt"), alt),
		chromedp.SendKeys(chromedp.ID("body"), "Temperatures climb past 100 for a third day."),
		chromedp.Click(chromedp.ID("ready")), chromedp.Click(chromedp.ID("save")))
	pageWait(t, br, "the article saved", `document.body.innerText.includes("Saved \u201cHeat Wave Arrives\u201d") || document.body.innerText.includes('Saved "Heat Wave Arrives"')`)

	// The public address is https (a proxy in front); the send is made
	// with it, as serve behind the proxy would.
	d := p.Today(time.Now())
	send := map[string]string{}
	for k, v := range env {
		send[k] = v
	}
	send["MASTHEAD_BASE_URL"] = "https://news.planet.example"
	if code, out := runEnv(t, send, "issue", "send", "--date", d.String()); code != 0 {
		t.Fatalf("issue send: %d\n%s", code, out)
	}
	var msgs []testenv.MailpitMessage
	for deadline := time.Now().Add(15 * time.Second); len(msgs) < 1 && time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		msgs = mp.Search(t, "to:reader@example.org")
	}
	if len(msgs) != 1 {
		t.Fatalf("mailpit has %d messages", len(msgs))
	}
	text, html := mailpitBody(t, mp, msgs[0].ID)
	path := "/media/" + sha + "-1200.jpg"
	tag := regexp.MustCompile(`<img[^>]*src="https://news\.planet\.example` + regexp.QuoteMeta(path) + `"[^>]*>`).FindString(html)
	if tag == "" || !strings.Contains(tag, `width="584"`) || !strings.Contains(tag, `height="389"`) || !strings.Contains(tag, `alt="`+alt+`"`) {
		t.Fatalf("the lead image in the received HTML: %q\n%s", tag, html)
	}
	if !strings.Contains(html, "Photo: Jimmy Olsen") {
		t.Errorf("the caption is not in the received HTML")
	}
	if !strings.Contains(strings.Join(strings.Fields(text), " "), "[Photo: "+alt+"]") {
		t.Errorf("the text part does not say what the photo shows:\n%s", text)
	}

	resp, err := http.Get(site + path)
	if err != nil {
		t.Fatal(err)
	}
	var served bytes.Buffer
	served.ReadFrom(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "image/jpeg" ||
		resp.Header.Get("Cache-Control") != "public, max-age=31536000, immutable" ||
		resp.Header.Get("X-Content-Type-Options") != "nosniff" || resp.Header.Get("ETag") == "" {
		t.Fatalf("GET %s: %d %v", path, resp.StatusCode, resp.Header)
	}
	if cfg, format, err := image.DecodeConfig(&served); err != nil || format != "jpeg" || cfg.Width != 1200 || cfg.Height != 800 {
		t.Errorf("the served rendition: %v %s %v", cfg, format, err)
	}
	page, err := http.Get(site + "/issues/planet/" + d.String())
	if err != nil {
		t.Fatal(err)
	}
	var pb bytes.Buffer
	pb.ReadFrom(page.Body)
	page.Body.Close()
	if !strings.Contains(pb.String(), path+`" width="584" height="389" alt="`+alt+`"`) {
		t.Errorf("the web edition's issue page lacks the lead image:\n%s", pb.String())
	}
}
