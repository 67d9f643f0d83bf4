package lab

import (
	"errors"
	"fmt"
	"io"
	"net/netip"
	"strings"
	"time"

	"github.com/omapish/omapish/internal/dhcpconf"
)

// This file takes what the lab needs from dhcpd.conf and dhcpd.leases:
// the OMAPI port and keys, the first subnet (to address the veth), and the
// names a summary shows. internal/dhcpconf reads the files, as dhcpd
// does; dhcpd itself remains the validator.

// keyInfo is a `key NAME { algorithm A; secret S; }` declaration.
type keyInfo struct {
	name      string
	algorithm string // normalised: lower case, without ".SIG-ALG.REG.INT."
	secret    string // base64 as written
}

// hostInfo is a host declaration (from dhcpd.conf or the leases file).
type hostInfo struct {
	name     string
	mac      string
	ips      []string
	clientID string
	group    string
}

// confInfo is what the lab needs to know about a dhcpd.conf.
type confInfo struct {
	port     int // omapi-port; 0 when absent
	keys     []keyInfo
	omapiKey string         // name in the omapi-key statement, "" when absent
	subnet   netip.Prefix   // first IPv4 subnet declared; invalid when none
	hosts    []hostInfo     // in file order
	groups   []string       // named groups, in file order
	peers    []string       // failover peer names
	ranges   []string       // "A B" of every range statement
	pools    int            // pool declarations
	subnets  []netip.Prefix // every IPv4 subnet

	includeErr error // the first include that could not be read
}

// key returns the key declared under name (case-insensitive, as in dhcpd).
func (c *confInfo) key(name string) (keyInfo, bool) {
	for _, k := range c.keys {
		if strings.EqualFold(k.name, name) {
			return k, true
		}
	}
	return keyInfo{}, false
}

// parseConf reads the parts of a dhcpd.conf the lab needs. The returned
// error is a *dhcpconf.Error when the file could not be read completely;
// the info then holds what came before the problem.
func parseConf(src string) (*confInfo, error) {
	return parseConfFiles(src, nil)
}

// parseConfFiles is parseConf following include statements, whose files
// read returns (nil: includes are not followed). An include that cannot be
// read is c.includeErr.
func parseConfFiles(src string, read func(path string) (string, error)) (*confInfo, error) {
	opts := &dhcpconf.Options{NoIncludes: read == nil}
	if read != nil {
		opts.Open = func(path string) (io.ReadCloser, error) {
			s, err := read(path)
			if err != nil {
				return nil, err
			}
			return io.NopCloser(strings.NewReader(s)), nil
		}
	}
	conf, err := dhcpconf.ParseConf(strings.NewReader(src), confName, opts)
	c := confFrom(conf)
	if errors.Is(err, dhcpconf.ErrInclude) || errors.Is(err, dhcpconf.ErrIncludeDepth) {
		c.includeErr = err
	}
	return c, err
}

// confFrom takes what the lab needs from a read conf.
func confFrom(conf *dhcpconf.Conf) *confInfo {
	c := &confInfo{port: conf.OmapiPort, omapiKey: conf.OmapiKey, pools: len(conf.Pools)}
	for _, k := range conf.Keys {
		c.keys = append(c.keys, keyInfo{name: k.Name, algorithm: k.Algorithm, secret: k.Secret})
	}
	for _, s := range conf.Subnets {
		if s.Prefix.IsValid() {
			if !c.subnet.IsValid() {
				c.subnet = s.Prefix
			}
			c.subnets = append(c.subnets, s.Prefix)
		}
		for _, r := range s.Ranges {
			c.ranges = append(c.ranges, rangeText(r))
		}
	}
	for _, p := range conf.Pools {
		for _, r := range p.Ranges {
			c.ranges = append(c.ranges, rangeText(r))
		}
	}
	for _, h := range conf.Hosts {
		c.hosts = append(c.hosts, hostFrom(h))
	}
	for _, g := range conf.Groups {
		c.groups = append(c.groups, g.Name)
	}
	for _, p := range conf.Peers {
		c.peers = append(c.peers, p.Name)
	}
	return c
}

func rangeText(r dhcpconf.Range) string {
	if r.End == r.Start {
		return r.Start
	}
	return r.Start + " " + r.End
}

func hostFrom(h dhcpconf.Host) hostInfo {
	return hostInfo{name: h.Name, mac: h.MAC, ips: h.Addresses, clientID: unquote(h.ClientID), group: h.Group}
}

// unquote shows a client id written as a string without its quotes.
func unquote(s string) string {
	if len(s) >= 2 && s[0] == '"' && s[len(s)-1] == '"' {
		return s[1 : len(s)-1]
	}
	return s
}

// normalizeAlgorithm turns "HMAC-MD5.SIG-ALG.REG.INT." into "hmac-md5".
func normalizeAlgorithm(a string) string { return dhcpconf.NormalizeAlgorithm(a) }

// decodeSecret decodes a base64 key secret as dhcpd accepts it.
func decodeSecret(s string) ([]byte, error) { return dhcpconf.DecodeSecret(s) }

// subnetPrefix turns "192.0.2.0", "255.255.255.0" into 192.0.2.0/24.
func subnetPrefix(addr, mask string) (netip.Prefix, bool) { return dhcpconf.SubnetPrefix(addr, mask) }

// leaseInfo is the last record of one lease in a leases file.
type leaseInfo struct {
	ip       string
	state    string // binding state as written, e.g. "active"
	mac      string
	hostname string
}

// leasesInfo is what a summary shows of a dhcpd.leases file.
type leasesInfo struct {
	leases        []leaseInfo // in order of first appearance; later records win
	hosts         []hostInfo  // dynamic hosts not deleted
	groups        []string    // dynamic groups not deleted
	deletedHosts  []string    // hosts (also from dhcpd.conf) deleted over OMAPI
	deletedGroups []string
	err           error // dhcpd's complaint about the file, if any
}

// parseLeases reads a dhcpd.leases file: the current record of each
// lease, host and group, up to a syntax error (li.err) as dhcpd would.
func parseLeases(src string) *leasesInfo {
	ls, err := dhcpconf.ParseLeases(strings.NewReader(src), leasesName, time.Now())
	li := &leasesInfo{err: err}
	for _, l := range ls.Leases {
		li.leases = append(li.leases, leaseInfo{ip: l.Address, state: l.State, mac: l.MAC, hostname: l.Hostname})
	}
	for _, h := range ls.Hosts {
		if h.Deleted {
			li.deletedHosts = append(li.deletedHosts, h.Name)
		} else {
			li.hosts = append(li.hosts, hostFrom(h))
		}
	}
	for _, g := range ls.Groups {
		if g.Deleted {
			li.deletedGroups = append(li.deletedGroups, g.Name)
		} else {
			li.groups = append(li.groups, g.Name)
		}
	}
	return li
}

// checkLeasesSyntax reads a given leases file as dhcpd will at its
// start and returns dhcpd's complaint about it ("FILE line N: ..."), or
// "". dhcpd starts all the same, without the records from the error on.
func checkLeasesSyntax(path string, src []byte) string {
	_, err := dhcpconf.ParseLeases(strings.NewReader(string(src)), path, time.Now())
	var e *dhcpconf.Error
	if errors.As(err, &e) {
		return fmt.Sprintf("%s line %d: %s (column %d); dhcpd drops the records from there on", e.File, e.Line, e.Msg, e.Col)
	}
	return ""
}
