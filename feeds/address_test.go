package feeds

import (
	"errors"
	"net/netip"
	"testing"
)

func TestCheckAddr(t *testing.T) {
	tests := []struct {
		ip                     string
		refused, refusedAlways bool
	}{
		{"93.184.216.34", false, false},
		{"2606:2800:220:1:248:1893:25c8:1946", false, false},
		{"127.0.0.1", true, false},
		{"::1", true, false},
		{"10.1.2.3", true, false},
		{"172.16.0.9", true, false},
		{"192.168.1.10", true, false},
		{"100.64.3.4", true, false},
		{"fd00::1", true, false},
		{"::ffff:127.0.0.1", true, false},
		{"169.254.169.254", true, true},
		{"fe80::1", true, true},
		{"0.0.0.0", true, true},
		{"::", true, true},
		{"224.0.0.1", true, true},
		{"255.255.255.255", true, true},
	}
	for _, tt := range tests {
		ip := netip.MustParseAddr(tt.ip)
		if err := checkAddr(ip, false); (err != nil) != tt.refused || (err != nil && !errors.Is(err, ErrAddress)) {
			t.Errorf("checkAddr(%s) = %v, want refused %v", ip, err, tt.refused)
		}
		if err := checkAddr(ip, true); (err != nil) != tt.refusedAlways {
			t.Errorf("checkAddr(%s, allowPrivate) = %v, want refused %v", ip, err, tt.refusedAlways)
		}
	}
}
