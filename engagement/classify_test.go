package engagement

import (
	"net/netip"
	"testing"
	"time"
)

func click(link int, d time.Duration, ua string) Event {
	return Event{Kind: Click, PublicationID: 1, IssueID: 42, Link: link, IssueLinks: 5,
		Request: Request{Method: "GET", UserAgent: ua, IP: netip.MustParseAddr("192.0.2.7"), At: at(d)}}
}

func TestClassify(t *testing.T) {
	rules := DefaultRules()
	sent := func(e Event, d time.Duration) Event { e.SentAt = at(d); return e }
	head := click(1, time.Hour, uaFirefox)
	head.Method = "HEAD"
	openVia := func(ua string) Event { e := click(OpenLink, time.Hour, ua); e.Kind = Open; return e }
	for _, c := range []struct {
		name   string
		e      Event
		recent []Recent
		want   Reason
		agent  string
	}{
		{"a reader an hour later", click(1, time.Hour, uaFirefox), nil, Human, ""},
		{"a reader on a phone", click(2, time.Hour, uaIPhone), nil, Human, ""},
		{"HEAD", head, nil, ReasonHEAD, ""},
		{"no user agent", click(1, time.Hour, ""), nil, ReasonNoAgent, ""},
		{"Office's link probe", click(1, time.Hour, "Mozilla/4.0 (compatible; ms-office; MSOffice 16)"), nil, ReasonAgent, "Microsoft Office link check"},
		{"Bing preview", click(1, time.Hour, "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) BingPreview/1.0b"), nil, ReasonAgent, "Bing preview"},
		{"Barracuda", click(1, time.Hour, "Mozilla/5.0 (compatible; Barracuda Sentinel)"), nil, ReasonAgent, "Barracuda"},
		{"Proofpoint", click(1, time.Hour, "Proofpoint URL Defense"), nil, ReasonAgent, "Proofpoint"},
		{"Mimecast", click(1, time.Hour, "Mimecast-URL-Protect/1.0"), nil, ReasonAgent, "Mimecast"},
		{"a click through Gmail's image proxy", click(1, time.Hour, "Mozilla/5.0 (Windows NT 5.1; rv:11.0) Gecko Firefox/11.0 (via ggpht.com GoogleImageProxy)"), nil, ReasonAgent, "Gmail image proxy"},
		{"Slack's preview", click(1, time.Hour, "Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)"), nil, ReasonAgent, "Slack preview"},
		{"Googlebot", click(1, time.Hour, "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)"), nil, ReasonAgent, "robot"},
		{"Twitterbot", click(1, time.Hour, "Twitterbot/1.0"), nil, ReasonAgent, "robot"},
		{"headless Chrome", click(1, time.Hour, "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/126.0.0.0 Safari/537.36"), nil, ReasonAgent, "headless browser"},
		{"curl", click(1, time.Hour, "curl/8.5.0"), nil, ReasonAgent, "script"},
		{"a Cubot phone", click(1, time.Hour, "Mozilla/5.0 (Linux; Android 10; CUBOT) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Mobile Safari/537.36"), nil, Human, ""},
		{"within a second of sending", sent(click(1, time.Second, uaFirefox), 0), nil, ReasonEarly, ""},
		{"9 s after sending", sent(click(1, 9*time.Second, uaFirefox), 0), nil, ReasonEarly, ""},
		{"10 s after sending", sent(click(1, 10*time.Second, uaFirefox), 0), nil, Human, ""},
		{"a scanner agent within a second of sending", sent(click(1, time.Second, "Proofpoint"), 0), nil, ReasonAgent, "Proofpoint"},
		{"third link within a second", click(3, time.Hour, uaFirefox), []Recent{{at(time.Hour - 400*time.Millisecond), 1}, {at(time.Hour - 200*time.Millisecond), 2}}, ReasonBurst, ""},
		{"the same link three times", click(1, time.Hour, uaFirefox), []Recent{{at(time.Hour - 400*time.Millisecond), 1}, {at(time.Hour - 200*time.Millisecond), 1}}, Human, ""},
		{"two links within a second of five", click(2, time.Hour, uaFirefox), []Recent{{at(time.Hour - 200*time.Millisecond), 1}}, Human, ""},
		{"three links over three seconds", click(3, time.Hour, uaFirefox), []Recent{{at(time.Hour - 3*time.Second), 1}, {at(time.Hour - 1500*time.Millisecond), 2}}, Human, ""},
		{"an open through Gmail's proxy", openVia("Mozilla/5.0 (Windows NT 5.1; rv:11.0) Gecko Firefox/11.0 (via ggpht.com GoogleImageProxy)"), nil, Human, ""},
		{"an open in Outlook", openVia("Microsoft Office/16.0 (Windows NT 10.0; Microsoft Outlook 16.0.17029; Pro)"), nil, Human, ""},
		{"an open by a script", openVia("python-requests/2.31"), nil, ReasonAgent, "script"},
	} {
		t.Run(c.name, func(t *testing.T) {
			v := rules.Classify(&c.e, c.recent)
			if v.Reason != c.want || v.Automatic != (c.want != Human) || v.Agent != c.agent {
				t.Errorf("Classify = %+v, want %v (%q)", v, c.want, c.agent)
			}
		})
	}
}

// In an issue of two links, both within a second is every link of it.
func TestClassifyTwoLinkIssue(t *testing.T) {
	e := click(2, time.Hour, uaFirefox)
	e.IssueLinks = 2
	recent := []Recent{{at(time.Hour - 300*time.Millisecond), 1}}
	if v := DefaultRules().Classify(&e, recent); v.Reason != ReasonBurst {
		t.Errorf("both links of two within a second: %+v", v)
	}
	e.IssueLinks = 1
	e.Link = 1
	if v := DefaultRules().Classify(&e, []Recent{{at(time.Hour - 300*time.Millisecond), 1}}); v.Automatic {
		t.Errorf("a double click on the only link: %+v", v)
	}
}
