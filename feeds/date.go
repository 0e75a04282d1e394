package feeds

import (
	"time"

	"masthead/newsletter"
)

// Date is the calendar date of the item in loc, a publication's time zone:
// the date of the issue it belongs to. It is taken from Published, else
// Updated; ok is false when the item has neither, and the caller chooses
// (the date it first saw the item, say).
func (it Item) Date(loc *time.Location) (d newsletter.Date, ok bool) {
	t := it.Published
	if t.IsZero() {
		t = it.Updated
	}
	if t.IsZero() {
		return newsletter.Date{}, false
	}
	return newsletter.DateIn(t, loc), true
}
