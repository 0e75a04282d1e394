package delivery_test

import (
	"context"
	"testing"
	"time"

	"masthead/internal/smtptest"
)

func TestTmpSpeed(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, 0)
	f.addSubscribers(t, 0, 1000, nil)
	srv := startServer(t, smtptest.Options{})
	e := f.engine(t, smtpTo(t, srv, time.Second), f.fastConfig(4))
	e.Start(ctx, f.issue.ID)
	start := time.Now()
	sum, err := e.Run(ctx, f.issue.ID)
	t.Log(sum, err, time.Since(start))
}
