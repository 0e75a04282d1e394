package cli

import (
	"context"

	"masthead/assembly"
	"masthead/workspace"
)

// workspace is the operations layer over the command's database: every change
// a command makes for its user goes through it. sends starts, controls and
// test-sends issues (the command's delivery engine); nil for the commands
// that send nothing.
func (a *app) workspace(ctx context.Context, sends workspace.Sends) (*workspace.Service, error) {
	st, err := a.store(ctx)
	if err != nil {
		return nil, err
	}
	return workspace.New(workspace.Config{Store: st, Sends: sends, Assembler: assembly.New(st, a.cfg.BaseURL),
		BaseURL: a.cfg.BaseURL, Log: a.log, Now: a.now})
}
