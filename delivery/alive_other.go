//go:build !unix

package delivery

// processAlive cannot tell here: leases of earlier runs expire by themselves.
func processAlive(pid int) bool { return true }
