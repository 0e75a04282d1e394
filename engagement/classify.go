package engagement

import "time"

// Reason says why a click or open was taken as automatic.
type Reason uint8

const (
	Human         Reason = iota // none of the rules matched
	ReasonHEAD                  // a HEAD request: browsers GET
	ReasonNoAgent               // no User-Agent header
	ReasonAgent                 // a known scanner, preview fetcher or script
	ReasonEarly                 // within DeliveryWindow of the message's sending
	ReasonBurst                 // BurstLinks links of one message within BurstWindow
	reasons
)

func (r Reason) String() string {
	switch r {
	case Human:
		return "human"
	case ReasonHEAD:
		return "HEAD request"
	case ReasonNoAgent:
		return "no user agent"
	case ReasonAgent:
		return "known automatic user agent"
	case ReasonEarly:
		return "seconds after sending"
	case ReasonBurst:
		return "many links at once"
	}
	return "unknown"
}

// Verdict is the classifier's answer.
type Verdict struct {
	Automatic bool
	Reason    Reason
	Agent     string // the matched Agent's name, for ReasonAgent
}

// Recent is an earlier click from the same source (the same message's
// recipient, or the same address and user agent) on the same issue.
type Recent struct {
	At   time.Time
	Link int
}

// Rules are the classifier's thresholds; the zero value of a field takes
// its default (DefaultRules).
type Rules struct {
	// DeliveryWindow: a click or open sooner than this after the message was
	// made for sending is a scanner's (10 s: a reader has not yet seen the
	// notification, let alone read as far as a link).
	DeliveryWindow time.Duration
	// BurstWindow and BurstLinks: BurstLinks different links from one source
	// within BurstWindow are a scanner following every link (1 s, 3 links;
	// 2 links for an issue of two).
	BurstWindow time.Duration
	BurstLinks  int
	// Agents are the user agents that are not readers (DefaultAgents).
	Agents []Agent
}

// DefaultRules are the rules the recorder uses unless told otherwise.
func DefaultRules() Rules { return Rules{}.withDefaults() }

// withDefaults fills in zero fields.
func (r Rules) withDefaults() Rules {
	if r.DeliveryWindow == 0 {
		r.DeliveryWindow = 10 * time.Second
	}
	if r.BurstWindow == 0 {
		r.BurstWindow = time.Second
	}
	if r.BurstLinks == 0 {
		r.BurstLinks = 3
	}
	if r.Agents == nil {
		r.Agents = DefaultAgents()
	}
	return r
}

// Classify decides whether an event is a reader's or automatic, from the
// event alone and, for the burst rule, the source's recent clicks on the
// same issue (any order; older ones than BurstWindow are ignored). The
// rules are tried in the order of the Reason constants; the first that
// matches gives the reason.
func (r Rules) Classify(e *Event, recent []Recent) Verdict {
	r = r.withDefaults()
	return r.classify(e, recent, func(ua string) (Agent, bool) { return matchAgent(r.Agents, ua) })
}

// classify is Classify with rules that have their defaults, and a way to
// find a user agent's Agent (the recorder remembers the answers).
func (r *Rules) classify(e *Event, recent []Recent, agent func(string) (Agent, bool)) Verdict {
	if e.Method == "HEAD" { // http.MethodHead; engagement imports no net/http
		return Verdict{Automatic: true, Reason: ReasonHEAD}
	}
	if e.UserAgent == "" {
		return Verdict{Automatic: true, Reason: ReasonNoAgent}
	}
	if a, ok := agent(e.UserAgent); ok && !(e.Kind == Open && a.ReaderOpens) {
		return Verdict{Automatic: true, Reason: ReasonAgent, Agent: a.Name}
	}
	if !e.SentAt.IsZero() && e.At.Sub(e.SentAt) < r.DeliveryWindow {
		return Verdict{Automatic: true, Reason: ReasonEarly}
	}
	if e.Kind == Click && r.burst(e, recent) {
		return Verdict{Automatic: true, Reason: ReasonBurst}
	}
	return Verdict{Reason: Human}
}

// burst reports whether e and the recent clicks make BurstLinks different
// links (or every link of an issue of two) within BurstWindow.
func (r *Rules) burst(e *Event, recent []Recent) bool {
	need := r.BurstLinks
	if e.IssueLinks >= 2 && e.IssueLinks < need {
		need = e.IssueLinks
	}
	if need < 2 {
		return false
	}
	seen := [8]int{e.Link} // need is small: no map
	n := 1
	links := seen[:1]
	for _, c := range recent {
		d := e.At.Sub(c.At)
		if d < 0 {
			d = -d
		}
		if d > r.BurstWindow || contains(links, c.Link) {
			continue
		}
		links = append(links, c.Link)
		if n++; n >= need {
			return true
		}
	}
	return false
}

func contains(s []int, v int) bool {
	for _, x := range s {
		if x == v {
			return true
		}
	}
	return false
}
