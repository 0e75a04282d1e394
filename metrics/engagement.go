package metrics

import (
	"context"
	"strconv"
	"sync"

	"github.com/prometheus/client_golang/prometheus"

	"masthead/engagement"
)

// PublicationName names a publication by id (its slug).
type PublicationName func(ctx context.Context, publicationID int64) (string, error)

// engagementCounters count what the recorder wrote, by publication: readers'
// clicks and opens, and the automatic ones apart.
type engagementCounters struct {
	clicks, opens *prometheus.CounterVec // by publication and "automatic"
}

func newEngagementCounters(reg *prometheus.Registry) *engagementCounters {
	labels := []string{"publication", "automatic"}
	c := &engagementCounters{
		clicks: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "masthead_link_clicks_total",
			Help: "Clicks on issues' counted links, recorded; automatic=\"true\" are those taken as scanners'."}, labels),
		opens: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "masthead_opens_total",
			Help: "Loads of the tracking image (inflated by Apple Mail Privacy Protection), recorded; automatic apart."}, labels),
	}
	reg.MustRegister(c.clicks, c.opens)
	return c
}

// WrapSink returns an engagement.Sink that writes through next and, once a
// batch is written, adds its clicks and opens to the counters.
func (m *Metrics) WrapSink(next engagement.Sink, name PublicationName) engagement.Sink {
	if m == nil {
		return next
	}
	var (
		mu    sync.Mutex
		names = map[int64]string{}
	)
	slug := func(ctx context.Context, id int64) string {
		mu.Lock()
		defer mu.Unlock()
		if s, ok := names[id]; ok {
			return s
		}
		s, err := name(ctx, id)
		if err != nil {
			return strconv.FormatInt(id, 10) // not cached: the next batch asks again
		}
		names[id] = s
		return s
	}
	return engagement.SinkFunc(func(ctx context.Context, b engagement.Batch) error {
		if err := next.Write(ctx, b); err != nil {
			return err
		}
		for _, c := range b.Counts {
			v := m.engagement.clicks
			if c.Kind == engagement.Open {
				v = m.engagement.opens
			}
			v.WithLabelValues(slug(ctx, c.PublicationID), strconv.FormatBool(c.Automatic)).Add(float64(c.Events))
		}
		return nil
	})
}
