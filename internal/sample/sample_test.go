package sample_test

import (
	"context"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"masthead/assembly"
	"masthead/internal/sample"
	"masthead/newsletter"
	"masthead/store"
	"masthead/workspace"
)

// Seeding fills an empty database once, even when two processes start on it
// together, and the sample date assembles into Volume 1, Number 1.
func TestSeedOnce(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "masthead.db")
	now := time.Date(2009, 7, 9, 12, 0, 0, 0, time.UTC)
	var stores []*store.Store
	var works []*workspace.Service
	for range 2 {
		st, err := store.Open(ctx, path, nil)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { st.Close() })
		w, err := workspace.New(workspace.Config{Store: st, BaseURL: "http://127.0.0.1:8080"})
		if err != nil {
			t.Fatal(err)
		}
		stores, works = append(stores, st), append(works, w)
	}
	var mu sync.Mutex
	created := 0
	var wg sync.WaitGroup
	for _, w := range works {
		wg.Go(func() {
			_, ok, err := sample.Seed(ctx, w, now)
			if err != nil {
				t.Error(err)
			}
			if ok {
				mu.Lock()
				created++
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	pubs, err := stores[0].Publications(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if created != 1 || len(pubs) != 1 || pubs[0].Slug != sample.Slug {
		t.Fatalf("created %d times, %d publications; want one sample", created, len(pubs))
	}
	if _, ok, err := sample.Seed(ctx, works[0], now); ok || err != nil {
		t.Errorf("a second seed: %v, %v", ok, err)
	}
	iss, err := assembly.New(stores[0], "http://127.0.0.1:8080").Assemble(ctx, pubs[0], newsletter.Date{Year: 2009, Month: 7, Day: 9})
	if err != nil {
		t.Fatal(err)
	}
	if iss.Volume != 1 || iss.Number != 1 || len(iss.Articles) != 3 || iss.Articles[0].Title != "Welcome to masthead" {
		t.Errorf("sample issue: %s with %d articles", iss.Label(), len(iss.Articles))
	}
	counts, err := stores[0].SubscriberCounts(ctx, pubs[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	if n := counts["active"]; n != len(sample.Subscribers) {
		t.Errorf("%d active sample subscribers; want %d", n, len(sample.Subscribers))
	}
}
