// Command smtpsink runs internal/smtptest's server in a process of its own, so
// that tests measuring several masthead processes keep the race detector (and
// the test's CPU) out of the server. It prints its address on the first line
// of stdout; on SIGTERM or SIGINT it stops and writes one line per accepted
// message, "UNIXNANO RECIPIENT", to the file named by -out.
package main

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"masthead/internal/smtptest"
)

func main() {
	latency := flag.Duration("latency", 0, "added before every reply to MAIL, RCPT and DATA")
	out := flag.String("out", "", "file for the accepted messages")
	flag.Parse()
	srv, err := smtptest.Start(smtptest.Options{Discard: true, Latency: *latency})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	fmt.Println(srv.Addr)
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, os.Interrupt)
	defer stop()
	<-ctx.Done()
	srv.Close()
	f, err := os.Create(*out)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	w := bufio.NewWriter(f)
	for _, m := range srv.Messages() {
		for _, to := range m.To {
			fmt.Fprintf(w, "%d %s\n", m.Received.UnixNano(), to)
		}
	}
	if err := w.Flush(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	if err := f.Close(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
