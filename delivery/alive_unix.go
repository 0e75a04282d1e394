//go:build unix

package delivery

import (
	"errors"
	"syscall"
)

// processAlive reports whether this host has a process with the pid (signal 0
// checks without signalling). When unsure it says yes: the caller then waits
// for leases to expire instead of risking a duplicate.
func processAlive(pid int) bool {
	err := syscall.Kill(pid, 0)
	return !errors.Is(err, syscall.ESRCH)
}
