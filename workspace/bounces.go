package workspace

import (
	"context"

	"masthead/bounces"
)

// ApplyBounceReports applies reports a mail provider posted to the webhook
// (bounces.ParseWebhook) under the installation's bounce policy, through the
// same bounces.Apply as the mailbox poller's reports. An error is the
// store's: the provider posts again, and what was applied is not applied
// twice.
func (s *Service) ApplyBounceReports(ctx context.Context, reports []*bounces.Report) (bounces.Result, error) {
	var total bounces.Result
	for _, rep := range reports {
		res, err := bounces.Apply(ctx, s.st, rep, s.bounces, s.log)
		total.Add(res)
		if err != nil {
			return total, err
		}
	}
	return total, nil
}
