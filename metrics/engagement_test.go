package metrics_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"masthead/engagement"
	"masthead/metrics"
)

// The click and open counters move by publication once a batch is written,
// and not when the write fails (the recorder writes it again).
func TestEngagementCounters(t *testing.T) {
	m := metrics.New(metrics.Options{})
	fail := true
	sink := m.WrapSink(engagement.SinkFunc(func(context.Context, engagement.Batch) error {
		if fail {
			return errors.New("database down")
		}
		return nil
	}), func(_ context.Context, id int64) (string, error) { return "planet", nil })
	hour := time.Now().UTC().Truncate(time.Hour)
	b := engagement.Batch{Counts: []engagement.Count{
		{PublicationID: 1, IssueID: 1, Kind: engagement.Click, Link: 1, Hour: hour, Events: 3},
		{PublicationID: 1, IssueID: 1, Kind: engagement.Click, Link: 1, Hour: hour, Automatic: true, Events: 2},
		{PublicationID: 1, IssueID: 1, Kind: engagement.Open, Link: engagement.OpenLink, Hour: hour, Events: 5},
	}}
	if err := sink.Write(context.Background(), b); err == nil {
		t.Fatal("the failed write was not reported")
	}
	fail = false
	if err := sink.Write(context.Background(), b); err != nil {
		t.Fatal(err)
	}
	got := map[string]float64{}
	families, err := m.Registry().Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range families {
		if !strings.HasPrefix(f.GetName(), "masthead_link_clicks") && !strings.HasPrefix(f.GetName(), "masthead_opens") {
			continue
		}
		for _, mt := range f.GetMetric() {
			key := f.GetName()
			for _, l := range mt.GetLabel() {
				key += "," + l.GetName() + "=" + l.GetValue()
			}
			got[key] = mt.GetCounter().GetValue()
		}
	}
	want := map[string]float64{
		"masthead_link_clicks_total,automatic=false,publication=planet": 3,
		"masthead_link_clicks_total,automatic=true,publication=planet":  2,
		"masthead_opens_total,automatic=false,publication=planet":       5,
	}
	if len(got) != len(want) {
		t.Fatalf("counters %v, want %v", got, want)
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s = %v, want %v", k, got[k], v)
		}
	}
}
