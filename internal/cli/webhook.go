package cli

import (
	"context"
	"fmt"
	"strings"

	"masthead/web"
)

// runWebhookSecret prints the secret that authenticates POST
// /webhooks/bounces (MASTHEAD_WEBHOOK_SECRET, or the one derived from the
// server secret) and the URLs to give a provider.
func runWebhookSecret(ctx context.Context, a *app, args []string) error {
	fs := a.flags()
	pos, err := a.parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 0 {
		return usageErr("no arguments expected, got %d", len(pos))
	}
	secret, err := a.secret(ctx)
	if err != nil {
		return err
	}
	hook := web.WebhookSecret(a.env.Getenv("MASTHEAD_WEBHOOK_SECRET"), secret)
	base := strings.TrimSuffix(a.cfg.BaseURL, "/")
	if base == "" {
		base = "http://" + a.cfg.Addr
	}
	fmt.Fprintln(a.env.Stdout, hook)
	fmt.Fprintf(a.env.Stderr, "POST %s/webhooks/bounces with \"Authorization: Bearer %s\";\n", base, hook)
	if i := strings.Index(base, "://"); i > 0 {
		fmt.Fprintf(a.env.Stderr, "for an Amazon SNS subscription: %s://masthead:%s@%s/webhooks/bounces\n", base[:i], hook, base[i+3:])
	}
	return nil
}
