package store

import (
	"net/url"
	"path/filepath"
	"testing"

	"masthead/internal/testenv"
	"masthead/newsletter"
)

// eachBackend runs fn on a fresh SQLite file and on a fresh PostgreSQL
// database, as storetest.Each does for the external tests (this package's own
// tests cannot import storetest, which imports store).
func eachBackend(t *testing.T, fn func(t *testing.T, dsn string)) {
	t.Helper()
	t.Run("sqlite", func(t *testing.T) { fn(t, filepath.Join(t.TempDir(), "m.db")) })
	t.Run("postgres", func(t *testing.T) {
		u, err := url.Parse(testenv.Postgres(t))
		if err != nil {
			t.Fatal(err)
		}
		q := u.Query()
		q.Set("synchronous_commit", "off") // tests need no durability
		u.RawQuery = q.Encode()
		fn(t, u.String())
	})
}

// TestLedgerOnEveryBackend runs the delivery ledger's tests
// (deliveries_test.go) on both databases.
func TestLedgerOnEveryBackend(t *testing.T) {
	for _, c := range []struct {
		name string
		fn   func(t *testing.T, dsn string)
	}{
		{"StartSendSnapshotsEligibleAudience", testStartSendSnapshotsEligibleAudience},
		{"StartSendOnlyFrom", testStartSendOnlyFrom},
		{"ClaimRecordFinish", testClaimRecordFinish},
		{"ClaimSkipsLeaversAndCancelKeepsTruth", testClaimSkipsLeaversAndCancelKeepsTruth},
		{"ReleaseExpireAndSearch", testReleaseExpireAndSearch},
		{"Outbox", testOutbox},
		{"RecordCutsRepliesAtARune", testRecordCutsRepliesAtARune},
		{"BouncesShareOnePath", testBouncesShareOnePath},
		{"OldBounceReasonMigrated", testOldBounceReasonMigrated},
		{"PauseReasonAndSendLift", testPauseReasonAndSendLift},
		{"LocalDeliverySnapshot", testLocalDeliverySnapshot},
		{"ReaderZones", testReaderZones},
		{"LocalClaimsSeveralWorkers", testLocalClaimsSeveralWorkers},
		{"LocalDeliveryExtraGoesAtOnce", testLocalDeliveryExtraGoesAtOnce},
	} {
		t.Run(c.name, func(t *testing.T) { eachBackend(t, c.fn) })
	}
}

// editorStart are the statuses an editor's "send now" starts from.
var editorStart = newsletter.Statuses(newsletter.IssueStatus.EditorCanStart)
