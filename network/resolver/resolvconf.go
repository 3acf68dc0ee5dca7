package resolver

import (
	"bufio"
	"bytes"
	"net"
	"net/netip"
	"os"
	"slices"
	"strings"
)

// UpstreamsFromResolvConf returns the nameservers of a resolv.conf as "ip:53"
// ("[ip]:53" for IPv6), in file order. A missing file returns the *fs.PathError
// unwrapped, so os.IsNotExist works on it; a file without nameservers returns none.
func UpstreamsFromResolvConf(path string) ([]string, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var out []string
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) < 2 || f[0] != "nameserver" {
			continue // comments start with # or ;, so they never match
		}
		a, err := netip.ParseAddr(f[1]) // accepts a zone: fe80::1%eth0
		if err != nil {
			continue
		}
		hp := net.JoinHostPort(a.String(), "53")
		if !slices.Contains(out, hp) {
			out = append(out, hp)
		}
	}
	return out, sc.Err()
}
