package web

import (
	"context"
	"log/slog"
	"net"
	"testing"

	"masthead/assembly"
	"masthead/delivery"
	"masthead/internal/smtptest"
	"masthead/store"
	"masthead/subscribers"
	"masthead/subscribers/confirm"
	"masthead/workspace"
)

// signupSite is masthead's public pages on a real port with the
// confirmation queue running as serve runs it, its mail going to an
// in-process SMTP server: what the browser signup tests drive.
type signupSite struct {
	logs   *syncBuffer
	log    *slog.Logger
	mail   *smtptest.Server
	sender *delivery.SMTP // to mail, for an engine of the test's own
	signer *subscribers.Signer
	base   string
	work   *workspace.Service
}

func startSignupSite(t *testing.T, ctx context.Context, st *store.Store, secret string) *signupSite {
	t.Helper()
	logs := &syncBuffer{}
	log := slog.New(slog.NewTextHandler(logs, nil))
	mailSrv, err := smtptest.Start(smtptest.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { mailSrv.Close() })
	smtpCfg, err := delivery.ParseSMTPURL("smtp://" + mailSrv.Addr + "?tls=none")
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	base := "http://" + ln.Addr().String()
	signer := subscribers.NewSigner([]byte(secret))
	asm := assembly.New(st, base)
	sender := delivery.NewSMTP(smtpCfg, log)
	queue, err := confirm.New(confirm.Config{Store: st, Mailer: delivery.NewMailer(sender),
		Assembler: asm, Signer: signer, BaseURL: base, Log: log})
	if err != nil {
		t.Fatal(err)
	}
	work, err := workspace.New(workspace.Config{Store: st, Assembler: asm, Confirmations: queue, BaseURL: base, Log: log})
	if err != nil {
		t.Fatal(err)
	}
	srv, err := New(Deps{Work: work, Log: log, BaseURL: base, Signer: signer})
	if err != nil {
		t.Fatal(err)
	}
	httpSrv := srv.HTTPServer("")
	go httpSrv.Serve(ln)
	t.Cleanup(func() { httpSrv.Close() })
	loopCtx, stopLoop := context.WithCancel(ctx)
	loopDone := make(chan struct{})
	go func() { queue.Run(loopCtx); close(loopDone) }()
	t.Cleanup(func() { stopLoop(); <-loopDone })
	return &signupSite{logs: logs, log: log, mail: mailSrv, sender: sender, signer: signer, base: base, work: work}
}
