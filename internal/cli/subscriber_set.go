package cli

import (
	"context"
	"flag"
	"fmt"

	"masthead/subscribers"
)

// runSubscriberSet is an editor changing an existing subscriber: for now
// their time zone (--timezone "" gives them the publication's again).
func runSubscriberSet(ctx context.Context, a *app, args []string) error {
	fs := a.flags()
	var zone string
	fs.StringVar(&zone, "timezone", "", "the subscriber's IANA time zone, such as Europe/London (\"\": the publication's)")
	email, err := a.parseOne(fs, args, "EMAIL")
	if err != nil {
		return err
	}
	given := false
	fs.Visit(func(f *flag.Flag) { given = given || f.Name == "timezone" })
	if !given {
		return usageErr("nothing to change: give --timezone ZONE")
	}
	sub, _, err := a.subscriberArg(ctx, email)
	if err != nil {
		return err
	}
	work, err := a.workspace(ctx, nil)
	if err != nil {
		return err
	}
	if sub, err = work.SetSubscriberTimeZone(ctx, sub.ID, zone, subscribers.ViaEditor); err != nil {
		return err
	}
	zone = sub.TimeZone
	if zone == "" {
		zone = "the publication's time zone"
	}
	fmt.Fprintf(a.env.Stdout, "%s reads in %s\n", sub.Email, zone)
	return nil
}
