package newsletter

import (
	"slices"
	"testing"
)

// Each lifecycle set, spelled out once: the store's conditional changes, the
// scheduler's fires, the web archive and the API all take theirs from here.
func TestIssueStatusSets(t *testing.T) {
	for _, tt := range []struct {
		name string
		in   func(IssueStatus) bool
		want []IssueStatus
	}{
		{"Frozen", IssueStatus.Frozen, []IssueStatus{Sending, Paused, Sent, Cancelled}},
		{"Editable", IssueStatus.Editable, []IssueStatus{Assembled, Scheduled, Held, Skipped, Missed}},
		{"CanStart", IssueStatus.CanStart, []IssueStatus{Assembled, Scheduled, Held, Missed}},
		{"EditorCanStart", IssueStatus.EditorCanStart, []IssueStatus{Assembled, Scheduled, Held, Missed, Sending, Paused}},
		{"FireStarts", IssueStatus.FireStarts, []IssueStatus{Assembled, Scheduled}},
		{"Public", IssueStatus.Public, []IssueStatus{Sending, Paused, Sent}},
		{"Valid", IssueStatus.Valid, IssueStatuses()},
	} {
		if got := Statuses(tt.in); !slices.Equal(got, tt.want) {
			t.Errorf("%s: %v, want %v", tt.name, got, tt.want)
		}
	}
	if IssueStatus("shipped").Valid() || IssueStatus("").Editable() {
		t.Error("a status that does not exist counts as one")
	}
	if len(IssueStatuses()) != 9 {
		t.Errorf("%d statuses, want the 9 of the lifecycle", len(IssueStatuses()))
	}
}
