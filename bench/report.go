package bench

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"
)

// WriteText writes the report as tables for people.
func (r *Report) WriteText(w io.Writer) error {
	s := r.Settings
	var b strings.Builder
	fmt.Fprintf(&b, "masthead bench: %d subscribers, an issue of %d articles (%.1f KB HTML, %.1f KB text; %.1f KB on the wire), SMTP round trip %s\n",
		s.Subscribers, s.Articles, float64(r.Fixture.HTMLBytes)/1024, float64(r.Fixture.TextBytes)/1024,
		float64(r.Fixture.MessageBytes)/1024, s.Latency)
	m := r.Machine
	fmt.Fprintf(&b, "machine: %d CPUs (%s), %s %s; load average %s at the start, %s at the end\n",
		m.CPUs, m.CPUModel, m.GoVersion, m.OS, m.LoadStart, m.LoadEnd)
	fmt.Fprintf(&b, "database: %s before sending; %d subscribers imported in %.1f s; issues assembled in %.2f s\n",
		mib(r.Fixture.DBBytes), r.Fixture.Subscribers, r.Fixture.ImportSeconds, r.Fixture.AssembleSeconds)
	where := "each measurement in a child process of its own"
	if !s.ChildProcesses {
		where = "all measurements in one process: CPU and peak RSS include the SMTP server"
	}
	fmt.Fprintf(&b, "settings: run limit %s, claim batch %s, record batch %s; %s\n\n",
		s.RunLimit, orDefault(s.ClaimBatch), orDefault(s.RecordBatch), where)

	if len(r.Runs) > 0 {
		tw := tabwriter.NewWriter(&b, 0, 0, 2, ' ', tabwriter.AlignRight)
		fmt.Fprintln(tw, "sender\tconns\tmessages\tmsg/s\tvs raw\tvs go-mail\tCPU µs/msg\tCPU vs raw\tGC\tpeak RSS\tsnapshot\tp50\tp99\tlast\tdb after\t")
		for _, x := range r.Runs {
			name := map[string]string{WhatCeiling: "go-mail ceiling", WhatRaw: "raw bytes"}[x.Kind]
			vsRaw, vsGoMail, cpuVsRaw, snap, db := "", "", "", "", ""
			if x.Kind == WhatSend {
				name = "masthead"
				if x.DKIM != "" {
					name += " DKIM " + x.DKIM
				}
				vsRaw, vsGoMail, cpuVsRaw = percent(x.RawRatio), percent(x.Ratio), percent(x.RawCPURatio)
				snap, db = fmt.Sprintf("%.2fs", x.SnapshotSeconds), mib(x.DBBytes)
			}
			msgs := fmt.Sprint(x.Messages)
			if x.Stopped {
				msgs += " (limit)"
			}
			fmt.Fprintf(tw, "%s\t%d\t%s\t%.0f\t%s\t%s\t%.0f\t%s\t%.1f%%\t%s\t%s\t%s\t%s\t%s\t%s\t\n",
				name, x.Connections, msgs, x.PerSecond, vsRaw, vsGoMail, x.CPUPer1000*1000, cpuVsRaw, x.GCPercent,
				mib(x.PeakRSS), snap, dur(x.P50), dur(x.P99), dur(x.Last), db)
		}
		tw.Flush()
		b.WriteString("\n")
	}
	if o := r.Overhead; o != nil {
		fmt.Fprintf(&b, "masthead without SMTP (a sender that accepts at once; %d connections): %d messages in %.2fs, %.0f msg/s, "+
			"%.1f µs CPU per recipient (snapshot %.1f, then claim, compose, record %.1f), peak RSS %s, snapshot %.2fs\n\n",
			o.Connections, o.Messages, o.Seconds, o.PerSecond, o.CPUPer1000*1000,
			perMessage(o.SnapshotCPUSeconds, o.Messages), perMessage(o.CPUSeconds-o.SnapshotCPUSeconds, o.Messages),
			mib(o.PeakRSS), o.SnapshotSeconds)
	}
	for _, web := range []struct {
		name string
		m    *Measurement
	}{{"web", r.Web}, {"redirect", r.Redirect}} {
		if web.m == nil {
			continue
		}
		fmt.Fprintf(&b, "%s: %d clients, %s per phase; during \"sending\" the issue goes out over %d connections (%d messages sent meanwhile); peak RSS %s\n",
			web.name, s.WebClients, s.WebDuration, web.m.Connections, web.m.Sending, mib(web.m.PeakRSS))
		tw := tabwriter.NewWriter(&b, 0, 0, 2, ' ', tabwriter.AlignRight)
		fmt.Fprintln(tw, "phase\tendpoint\trequests\treq/s\tp50\tp99\terrors\tlogged errors\t")
		for _, e := range web.m.Web {
			fmt.Fprintf(tw, "%s\t%s\t%d\t%.0f\t%s\t%s\t%d\t%d\t\n", e.Phase, e.Endpoint, e.Requests, e.PerSecond,
				dur(e.P50), dur(e.P99), e.Errors, e.LoggedErrors)
		}
		tw.Flush()
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// percent is a ratio as a percentage, "-" when not measured.
func percent(r float64) string {
	if r <= 0 {
		return "-"
	}
	return fmt.Sprintf("%.0f%%", 100*r)
}

func mib(n int64) string {
	if n <= 0 {
		return "-"
	}
	return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
}

func dur(d time.Duration) string {
	switch {
	case d <= 0:
		return "0"
	case d < time.Millisecond:
		return d.Round(time.Microsecond).String()
	case d < time.Second:
		return d.Round(100 * time.Microsecond).String()
	default:
		return d.Round(10 * time.Millisecond).String()
	}
}

func orDefault(n int) string {
	if n <= 0 {
		return "default"
	}
	return fmt.Sprint(n)
}

// perMessage is seconds spread over n messages, in microseconds.
func perMessage(seconds float64, n int) float64 {
	if n == 0 {
		return 0
	}
	return seconds * 1e6 / float64(n)
}
