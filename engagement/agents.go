package engagement

import "strings"

// Agent is a user agent that is not a reader: a mail security scanner, a
// link-preview fetcher, a headless browser or a script.
type Agent struct {
	Name  string // what it is, in reports and logs
	Match string // lower-case substring of the User-Agent header
	// ReaderOpens: an image request through it is a reader's open (a mail
	// provider's image proxy fetches when the reader opens the message),
	// while a click through it is not a reader's.
	ReaderOpens bool
}

// DefaultAgents is the list of Rules.Agents, with where each comes from.
// Scanners that send a browser's user agent (Microsoft's detonation
// sandbox, Barracuda's Email Security Service, Apple Mail Privacy
// Protection's image prefetch) cannot be recognised here; the timing rules
// catch what they can of them.
func DefaultAgents() []Agent {
	return []Agent{
		// Microsoft Defender for Office 365 Safe Links checks links at delivery
		// and at the time of click (learn.microsoft.com, "Safe Links in
		// Microsoft Defender for Office 365"); the checks and Office's own link
		// probes come with "ms-office"/"MSOffice", Outlook.com's previews with
		// "BingPreview" (sender reports, e.g. check.live-direct-marketing.online
		// "Microsoft Defender link click pattern"). Outlook's own image loads say
		// "Microsoft Outlook": a reader's open.
		{Name: "Microsoft Office link check", Match: "ms-office"},
		{Name: "Microsoft Office link check", Match: "msoffice"},
		{Name: "Microsoft Outlook", Match: "microsoft outlook", ReaderOpens: true},
		{Name: "Bing preview", Match: "bingpreview"},
		// Secure mail gateways that rewrite and fetch links and name themselves
		// (check.live-direct-marketing.online, "Bot clicks from security
		// scanners: a field guide"; Act-On, "Identifying False Positives in
		// Email Clicks").
		{Name: "Barracuda", Match: "barracuda"},
		{Name: "Proofpoint", Match: "proofpoint"},
		{Name: "Mimecast", Match: "mimecast"},
		{Name: "Cisco IronPort", Match: "ironport"},
		{Name: "Trend Micro", Match: "trendmicro"},
		{Name: "FortiMail", Match: "fortimail"},
		// Mail providers' image proxies: "(via ggpht.com GoogleImageProxy)"
		// (Gmail, support.google.com "Set up an image URL proxy allowlist";
		// scientiamobile.com "What is Google Image Proxy?") and
		// "YahooMailProxy; https://help.yahoo.com/kb/yahoo-mail-proxy-SLN28749.html".
		{Name: "Gmail image proxy", Match: "googleimageproxy", ReaderOpens: true},
		{Name: "Yahoo Mail proxy", Match: "yahoomailproxy", ReaderOpens: true},
		// Link previews of chat and social sites, when a reader shares a link
		// (each names itself in its user agent, as its own documentation says).
		{Name: "Slack preview", Match: "slackbot"},
		{Name: "Facebook preview", Match: "facebookexternalhit"},
		{Name: "WhatsApp preview", Match: "whatsapp/"},
		{Name: "Skype preview", Match: "skypeuripreview"},
		{Name: "Embedly", Match: "embedly"},
		// Headless browsers and HTTP libraries: no reader clicks with them.
		{Name: "headless browser", Match: "headlesschrome"},
		{Name: "headless browser", Match: "phantomjs"},
		{Name: "script", Match: "curl/"},
		{Name: "script", Match: "wget/"},
		{Name: "script", Match: "python-requests"},
		{Name: "script", Match: "python-urllib"},
		{Name: "script", Match: "aiohttp"},
		{Name: "script", Match: "go-http-client"},
		{Name: "script", Match: "java/"},
		{Name: "script", Match: "apache-httpclient"},
		{Name: "script", Match: "libwww-perl"},
		{Name: "script", Match: "node-fetch"},
		{Name: "script", Match: "axios/"},
	}
}

// matchAgent returns the agent a user agent belongs to: one of agents by
// substring, or else a generic robot (a product token ending in "bot", or
// "crawler", "spider": Googlebot, Twitterbot, LinkedInBot, Discordbot,
// TelegramBot...).
func matchAgent(agents []Agent, ua string) (Agent, bool) {
	lower := strings.ToLower(ua)
	for _, a := range agents {
		if strings.Contains(lower, a.Match) {
			return a, true
		}
	}
	if strings.Contains(lower, "crawler") || strings.Contains(lower, "spider") {
		return Agent{Name: "robot"}, true
	}
	for _, word := range strings.FieldsFunc(lower, uaSeparator) {
		if strings.HasSuffix(word, "bot") && !deviceWord(word) {
			return Agent{Name: "robot"}, true
		}
	}
	return Agent{}, false
}

// deviceWord reports a word ending in "bot" that names a real device (the
// phone maker Cubot).
func deviceWord(w string) bool { return w == "cubot" }

// uaSeparator splits a user agent into product names and comments.
func uaSeparator(r rune) bool {
	switch r {
	case ' ', '/', ';', '(', ')', ',', '+', ':':
		return true
	}
	return false
}
