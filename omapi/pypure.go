package omapi

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"strings"
)

// This file has pypureomapi's operations under Go names, sending what
// pypureomapi 0.8 sends (omapi-protocol.md §11) and working where it is
// broken (its group operations). IPs are dotted text, MACs aa:bb:cc:dd:ee:ff.

// ErrBadValue is matched by errors for an argument that is not a valid
// IPv4 address, MAC or other value.
var ErrBadValue = errors.New("omapi: bad value")

// HostInfo is what pypureomapi's host lookups return.
type HostInfo struct {
	IP   netip.Addr // invalid when the host has no fixed address
	MAC  net.HardwareAddr
	Name string
}

// ParseIP parses a dotted IPv4 address into its 4 wire bytes.
func ParseIP(s string) ([]byte, error) {
	ip, err := netip.ParseAddr(s)
	if err != nil || !ip.Is4() {
		return nil, fmt.Errorf("%w: %q is not an IPv4 address", ErrBadValue, s)
	}
	a := ip.As4()
	return a[:], nil
}

// ParseMAC parses a hardware address such as 00:11:22:33:44:55 (also
// 00-11-.., 0011.2233.4455) into its bytes.
func ParseMAC(s string) ([]byte, error) {
	hw, err := net.ParseMAC(s)
	if err != nil {
		return nil, fmt.Errorf("%w: %q is not a MAC address like 00:11:22:33:44:55", ErrBadValue, s)
	}
	return hw, nil
}

func macKey(mac string) (Values, error) {
	b, err := ParseMAC(mac)
	if err != nil {
		return nil, err
	}
	return AddKey(nil, "hardware-address", b), nil
}

func ipKey(ip string) (Values, error) {
	b, err := ParseIP(ip)
	if err != nil {
		return nil, err
	}
	return Values{{"ip-address", b}}, nil
}

func (c *Conn) lookup(ctx context.Context, typ string, keys Values, keyErr error) (*Object, error) {
	if keyErr != nil {
		return nil, keyErr
	}
	return c.Open(ctx, typ, keys)
}

// LookupIP returns the IP address of the lease held by mac.
func (c *Conn) LookupIP(ctx context.Context, mac string) (netip.Addr, error) {
	keys, err := macKey(mac)
	o, err := c.lookup(ctx, "lease", keys, err)
	if err != nil {
		return netip.Addr{}, err
	}
	return attrIP(o, "ip-address")
}

// LookupMAC returns the hardware address of the lease on ip.
func (c *Conn) LookupMAC(ctx context.Context, ip string) (net.HardwareAddr, error) {
	keys, err := ipKey(ip)
	o, err := c.lookup(ctx, "lease", keys, err)
	if err != nil {
		return nil, err
	}
	return attrMAC(o)
}

// LookupIPHost returns the fixed address of the host with mac.
func (c *Conn) LookupIPHost(ctx context.Context, mac string) (netip.Addr, error) {
	keys, err := macKey(mac)
	o, err := c.lookup(ctx, "host", keys, err)
	if err != nil {
		return netip.Addr{}, err
	}
	return attrIP(o, "ip-address")
}

// LookupHostname returns the client-hostname of the lease on ip.
func (c *Conn) LookupHostname(ctx context.Context, ip string) (string, error) {
	keys, err := ipKey(ip)
	o, err := c.lookup(ctx, "lease", keys, err)
	if err != nil {
		return "", err
	}
	b, ok := o.Values.Get("client-hostname")
	if !ok {
		return "", &AttrError{Type: "lease", Name: "client-hostname"}
	}
	return string(b), nil
}

// LookupHost returns the host called name.
func (c *Conn) LookupHost(ctx context.Context, name string) (HostInfo, error) {
	o, err := c.Open(ctx, "host", Values{{"name", []byte(name)}})
	if err != nil {
		return HostInfo{}, err
	}
	return hostInfo(o)
}

// LookupHostByIP returns the host whose lease is on ip (dhcpd finds a
// host by IP through the lease table, not its fixed address).
// Not found, the error says why as far as dhcpd can tell (ExplainHostByIP).
func (c *Conn) LookupHostByIP(ctx context.Context, ip string) (HostInfo, error) {
	keys, err := ipKey(ip)
	o, err := c.lookup(ctx, "host", keys, err)
	if err != nil {
		return HostInfo{}, c.ExplainHostByIP(ctx, keys, err)
	}
	return hostInfo(o)
}

// ExplainHostByIP adds the reason to err, the failure of a host lookup
// by the keys {ip-address} alone, when it is "not found": dhcpd finds a
// host by IP only through the lease of that address, as the host whose
// MAC holds the lease (server/omapi.c:1498 dhcp_host_lookup), never by a
// host's fixed address. It asks dhcpd for that lease to say which link
// is missing. Other errors and other keys are returned as they are; the
// result still matches ResultNotFound.
func (c *Conn) ExplainHostByIP(ctx context.Context, keys Values, err error) error {
	ip, ok := keys.Get("ip-address")
	if !errors.Is(err, ResultNotFound) || !ok || len(keys) != 1 || len(ip) != 4 {
		return err
	}
	addr := netip.AddrFrom4([4]byte(ip)).String()
	var why string
	lease, lerr := c.Open(ctx, "lease", keys)
	switch {
	case errors.Is(lerr, ResultNotFound):
		why = "no lease has " + addr + " (a host's fixed address has a lease only once its client took it)"
	case lerr != nil:
		why = "the lease of " + addr + " could not be read: " + bare(lerr)
	default:
		if mac, ok := lease.Values.Get("hardware-address"); ok && len(mac) > 0 {
			why = "the lease of " + addr + " holds MAC " + net.HardwareAddr(mac).String() + ", and no host has that MAC"
		} else {
			why = "the lease of " + addr + " has no MAC"
		}
	}
	return fmt.Errorf("%w: dhcpd finds a host by IP only through the lease of that address (the host with the lease's MAC; server/omapi.c:1498), never by its fixed address: %s; look the host up by name or MAC", err, why)
}

// LookupHostHost returns the host with mac.
func (c *Conn) LookupHostHost(ctx context.Context, mac string) (HostInfo, error) {
	keys, err := macKey(mac)
	o, err := c.lookup(ctx, "host", keys, err)
	if err != nil {
		return HostInfo{}, err
	}
	return hostInfo(o)
}

// LookupByHost opens a host by any keys (see AddKey for "mac", "ip").
func (c *Conn) LookupByHost(ctx context.Context, keys Values) (*Object, error) {
	return c.Open(ctx, "host", keys)
}

// LookupByLease opens a lease by any keys.
func (c *Conn) LookupByLease(ctx context.Context, keys Values) (*Object, error) {
	return c.Open(ctx, "lease", keys)
}

// LookupByFailoverState opens a failover-state object by any keys.
func (c *Conn) LookupByFailoverState(ctx context.Context, keys Values) (*Object, error) {
	return c.Open(ctx, "failover-state", keys)
}

// LookupFailoverState returns one decoded attribute of the failover peer
// called name. An attribute whose bytes do not fit the schema — dhcpd
// 4.4.3 sends 8 bytes of a pointer as partner-address and local-address —
// comes back as its raw []byte.
func (c *Conn) LookupFailoverState(ctx context.Context, name, attr string) (any, error) {
	o, err := c.Open(ctx, "failover-state", Values{{"name", []byte(name)}})
	if err != nil {
		return nil, err
	}
	v, err := o.Get(attr)
	var ae *AttrError
	if errors.As(err, &ae) && ae.Msg != "" {
		b, _ := o.Values.Get(attr)
		return append([]byte(nil), b...), nil
	}
	return v, err
}

func hostValues(ip, mac string) (Values, error) {
	vs, err := macKey(mac)
	if err != nil {
		return nil, err
	}
	if ip != "" {
		b, err := ParseIP(ip)
		if err != nil {
			return nil, err
		}
		vs = append(vs, Value{"ip-address", b})
	}
	return vs, nil
}

// AddHost creates a host with a fixed address.
func (c *Conn) AddHost(ctx context.Context, ip, mac string) error {
	vs, err := hostValues(ip, mac)
	if err != nil {
		return err
	}
	_, err = c.Create(ctx, "host", vs)
	return err
}

// AddHostWithoutIP creates a host with no fixed address.
func (c *Conn) AddHostWithoutIP(ctx context.Context, mac string) error {
	return c.AddHost(ctx, "", mac)
}

// AddHostSupersedeName creates a host called name whose host-name option
// is name.
func (c *Conn) AddHostSupersedeName(ctx context.Context, ip, mac, name string) error {
	vs, err := hostValues(ip, mac)
	if err != nil {
		return err
	}
	vs = append(vs, Value{"name", []byte(name)},
		Value{"statements", []byte(SupersedeStatements(name, "", ""))})
	_, err = c.Create(ctx, "host", vs)
	return err
}

// AddHostSupersede creates (without exclusive, as pypureomapi does) a host
// called name with supersede statements for the options given non-empty.
func (c *Conn) AddHostSupersede(ctx context.Context, ip, mac, name, hostname, router, domain string) error {
	vs := Values{{"name", []byte(name)}}
	hv, err := hostValues(ip, mac)
	if err != nil {
		return err
	}
	vs = append(vs, hv...)
	if router != "" {
		if _, err := ParseIP(router); err != nil {
			return err
		}
	}
	if st := SupersedeStatements(hostname, router, domain); st != "" {
		vs = append(vs, Value{"statements", []byte(st)})
	}
	_, err = c.Open(ctx, "host", vs, Create)
	return err
}

// SupersedeStatements returns the statements AddHostSupersede sends for
// the options given non-empty, as pypureomapi writes them; "" for none.
func SupersedeStatements(hostname, router, domain string) string {
	var st []string
	if hostname != "" {
		st = append(st, "supersede host-name "+quote(hostname)+";")
	}
	if router != "" {
		st = append(st, "supersede routers "+router+";")
	}
	if domain != "" {
		st = append(st, "supersede domain-name "+quote(domain)+";")
	}
	return strings.Join(st, " ")
}

// AddGroup creates a group with dhcpd.conf statements (dhcpd refuses a
// group without statements).
func (c *Conn) AddGroup(ctx context.Context, name, statements string) error {
	_, err := c.Create(ctx, "group", Values{{"name", []byte(name)}, {"statements", []byte(statements)}})
	return err
}

// AddHostWithGroup creates a host with a fixed address in a named group.
func (c *Conn) AddHostWithGroup(ctx context.Context, ip, mac, group string) error {
	vs, err := hostValues(ip, mac)
	if err != nil {
		return err
	}
	vs = append(vs, Value{"group", []byte(group)})
	_, err = c.Create(ctx, "host", vs)
	return err
}

// ChangeGroup moves the host called name into a named group.
func (c *Conn) ChangeGroup(ctx context.Context, name, group string) error {
	o, err := c.Open(ctx, "host", Values{{"name", []byte(name)}})
	if err != nil {
		return err
	}
	return c.Update(ctx, o.Handle, Values{{"group", []byte(group)}})
}

// DelHost deletes the host with mac.
func (c *Conn) DelHost(ctx context.Context, mac string) error {
	keys, err := macKey(mac)
	o, err := c.lookup(ctx, "host", keys, err)
	if err != nil {
		return err
	}
	return c.Delete(ctx, o.Handle)
}

func hostInfo(o *Object) (HostInfo, error) {
	var h HostInfo
	if b, ok := o.Values.Get("ip-address"); ok && len(b) >= 4 {
		h.IP = netip.AddrFrom4([4]byte(b[:4]))
	}
	if b, ok := o.Values.Get("hardware-address"); ok {
		h.MAC = net.HardwareAddr(b)
	}
	if b, ok := o.Values.Get("name"); ok {
		h.Name = string(b)
	}
	return h, nil
}

func attrIP(o *Object, name string) (netip.Addr, error) {
	b, ok := o.Values.Get(name)
	if !ok {
		return netip.Addr{}, &AttrError{Type: o.Type, Name: name}
	}
	if len(b) < 4 || len(b)%4 != 0 {
		return netip.Addr{}, &AttrError{Type: o.Type, Name: name, Msg: fmt.Sprintf("%d bytes, want 4", len(b))}
	}
	return netip.AddrFrom4([4]byte(b[:4])), nil
}

func attrMAC(o *Object) (net.HardwareAddr, error) {
	b, ok := o.Values.Get("hardware-address")
	if !ok {
		return nil, &AttrError{Type: o.Type, Name: "hardware-address"}
	}
	return net.HardwareAddr(b), nil
}

// quote makes a dhcpd.conf string literal.
func quote(s string) string {
	return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(s) + `"`
}
