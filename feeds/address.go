package feeds

import (
	"fmt"
	"net"
	"net/netip"
	"syscall"
)

// checkAddr says whether the fetcher may connect to ip. Loopback, private
// (RFC 1918, RFC 4193) and shared (RFC 6598) addresses reach the machine or
// its network, not a newsroom's public site: they are refused unless
// allowPrivate. Link-local addresses (169.254.0.0/16 holds cloud metadata
// services), multicast and unspecified ones are refused always.
func checkAddr(ip netip.Addr, allowPrivate bool) error {
	ip = ip.Unmap()
	// 100.64.0.0/10 (RFC 6598, carrier-grade NAT) is inside a provider's
	// network like the RFC 1918 ranges.
	shared := netip.PrefixFrom(netip.AddrFrom4([4]byte{100, 64, 0, 0}), 10)
	switch {
	case !ip.IsValid():
		return fmt.Errorf("%w: %q is not an IP address", ErrAddress, ip)
	case ip.IsUnspecified(), ip.IsMulticast(), ip.IsLinkLocalUnicast(),
		ip.IsLinkLocalMulticast(), ip.IsInterfaceLocalMulticast(),
		ip == netip.AddrFrom4([4]byte{255, 255, 255, 255}):
		return fmt.Errorf("%w: %s is a link-local, multicast or unspecified address", ErrAddress, ip)
	case allowPrivate:
		return nil
	case ip.IsLoopback():
		return privateAddrError{fmt.Sprintf("%v: %s is a loopback address (this machine), polled only where private addresses are allowed", ErrAddress, ip)}
	case ip.IsPrivate(), shared.Contains(ip):
		return privateAddrError{fmt.Sprintf("%v: %s is a private address, polled only where private addresses are allowed (an intranet feed)", ErrAddress, ip)}
	}
	return nil
}

// privateAddrError is ErrAddress and ErrPrivateAddress: a refusal that
// Options.AllowPrivate would lift.
type privateAddrError struct{ msg string }

func (e privateAddrError) Error() string { return e.msg }

func (privateAddrError) Is(target error) bool {
	return target == ErrAddress || target == ErrPrivateAddress
}

// dialControl checks the address a connection is about to be made to, after
// name resolution and before any packet is sent, so that a name that
// resolves (or is re-pointed) to a refused address is caught too.
func dialControl(allowPrivate bool) func(network, address string, _ syscall.RawConn) error {
	return func(network, address string, _ syscall.RawConn) error {
		host, _, err := net.SplitHostPort(address)
		if err != nil {
			return fmt.Errorf("%w: %s: %v", ErrAddress, address, err)
		}
		ip, err := netip.ParseAddr(host)
		if err != nil {
			return fmt.Errorf("%w: %s is not an IP address", ErrAddress, host)
		}
		return checkAddr(ip, allowPrivate)
	}
}
