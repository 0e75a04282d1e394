// Command masthead is a self-hosted daily email newsletter system: it assembles each
// day's issue of a publication from stored articles and sends it to the subscriber
// list. See README.md; `masthead help` lists the commands.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"
	// The IANA zone database in the binary, for a machine without
	// /usr/share/zoneinfo (a slim container): publications' and readers'
	// zones are then still known (the system's copy is used when present).
	_ "time/tzdata"

	"masthead/internal/cli"
)

func main() {
	// The first SIGINT or SIGTERM asks the command to stop cleanly (serve
	// finishes and records the messages in flight); a second one ends the
	// process at once, which the ledger is built to survive.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	go func() {
		<-ctx.Done()
		stop()
	}()
	code := cli.Run(ctx, os.Args[1:], cli.Env{Getenv: os.Getenv, Stdin: os.Stdin, Stdout: os.Stdout, Stderr: os.Stderr})
	stop()
	os.Exit(code)
}
