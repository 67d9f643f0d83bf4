// Package pypure has the operations of pypureomapi 0.8, the Python OMAPI
// client, under its names ("lookup_ip", "add_host", ...), sending what it
// sends (omapi-protocol.md §11) and working where it is broken (its group
// operations). One table describes them all; the Lua module makes each a
// method of omapi.conn.
//
// IPs are dotted text, MACs aa:bb:cc:dd:ee:ff, as pypureomapi takes them.
package pypure

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"strings"

	"github.com/omapish/omapish/omapi"
)

// Kind is what an argument is.
type Kind uint8

// Kinds of arguments.
const (
	IP      Kind = iota // a dotted IPv4 address
	MAC                 // a hardware address
	Text                // non-empty text
	OptText             // text, "" for none
	OptIP               // an IPv4 address, "" for none
)

// Param is an argument of an operation.
type Param struct {
	Kind Kind
	// Attr is the attribute the argument is: a lookup key or a value the
	// operation sets; "" for an argument that is only an option.
	Attr string
	// Option is the DHCP option the argument supersedes on a host
	// (pypureomapi's add_host_supersede*), "" for none.
	Option string
	// Desc says what it is, for messages: "host name".
	Desc string
}

// Action is what an operation does with its object.
type Action uint8

// Actions.
const (
	Lookup Action = iota // open by the keys, return the result
	Create               // create with the values (exclusive: fails if it exists)
	Upsert               // create with the values, or update the one they find
	Update               // open by the first argument, set the others
	Delete               // open by the keys, delete
)

// Result is what a lookup returns.
type Result uint8

// Results.
const (
	None     Result = iota // nothing: success alone
	IPAddr                 // the object's ip-address, a netip.Addr
	HWAddr                 // its hardware-address, a net.HardwareAddr
	Hostname               // the lease's client-hostname, a string
	HostInfo               // the host, a Host
)

// Op is one of pypureomapi's operations.
type Op struct {
	Name   string // pypureomapi's name
	Type   string // the type of the object it opens
	Action Action
	Params []Param
	Result Result
	// NameKey is the key pypureomapi gives a host's name in the dict a
	// HostInfo lookup returns: "hostname" or "name".
	NameKey string
}

// Host is what pypureomapi's host lookups return.
type Host struct {
	IP   netip.Addr // invalid when the host has no fixed address
	MAC  net.HardwareAddr
	Name string
}

var (
	ip       = Param{Kind: IP, Attr: "ip-address", Desc: "IPv4 address"}
	mac      = Param{Kind: MAC, Attr: "hardware-address", Desc: "MAC address"}
	hostName = Param{Kind: Text, Attr: "name", Desc: "host name"}
	group    = Param{Kind: Text, Attr: "group", Desc: "group name"}
)

// ops are pypureomapi's operations, in its order. The lookups by any keys
// (lookup_by_host, lookup_by_lease, lookup_by_failoverstate) and
// lookup_failoverstate are omapi.Conn.Open and the schema's decoding.
var ops = []*Op{
	{Name: "lookup_ip", Type: "lease", Params: []Param{mac}, Result: IPAddr},
	{Name: "lookup_mac", Type: "lease", Params: []Param{ip}, Result: HWAddr},
	{Name: "lookup_ip_host", Type: "host", Params: []Param{mac}, Result: IPAddr},
	{Name: "lookup_hostname", Type: "lease", Params: []Param{ip}, Result: Hostname},
	{Name: "lookup_host", Type: "host", Params: []Param{hostName}, Result: HostInfo, NameKey: "hostname"},
	{Name: "lookup_host_by_ip", Type: "host", Params: []Param{ip}, Result: HostInfo, NameKey: "hostname"},
	{Name: "lookup_host_host", Type: "host", Params: []Param{mac}, Result: HostInfo, NameKey: "name"},
	{Name: "add_host", Type: "host", Action: Create, Params: []Param{ip, mac}},
	{Name: "add_host_supersede_name", Type: "host", Action: Create, Params: []Param{ip, mac,
		{Kind: Text, Attr: "name", Option: "host-name", Desc: "host name"}}},
	{Name: "add_host_without_ip", Type: "host", Action: Create, Params: []Param{mac}},
	// Without exclusive, as pypureomapi sends it.
	{Name: "add_host_supersede", Type: "host", Action: Upsert, Params: []Param{ip, mac, hostName,
		{Kind: OptText, Option: "host-name", Desc: "host-name option"},
		{Kind: OptIP, Option: "routers", Desc: "routers option"},
		{Kind: OptText, Option: "domain-name", Desc: "domain-name option"}}},
	// dhcpd refuses a group without statements.
	{Name: "add_group", Type: "group", Action: Create, Params: []Param{{Kind: Text, Attr: "name", Desc: "group name"},
		{Kind: Text, Attr: "statements", Desc: "statements"}}},
	{Name: "add_host_with_group", Type: "host", Action: Create, Params: []Param{ip, mac, group}},
	{Name: "change_group", Type: "host", Action: Update, Params: []Param{hostName, group}},
	{Name: "del_host", Type: "host", Action: Delete, Params: []Param{mac}},
}

// Ops returns the operations, in pypureomapi's order.
func Ops() []*Op { return ops }

// Find returns the operation called name, or nil.
func Find(name string) *Op {
	for _, op := range ops {
		if op.Name == name {
			return op
		}
	}
	return nil
}

// Request is an operation with its arguments made into attributes.
type Request struct {
	Op     *Op
	Keys   omapi.Values // what finds the object (Lookup, Update, Delete)
	Values omapi.Values // what it sets (Create, Upsert, Update)
}

// Request checks args against the parameters (one each, "" for an
// optional one left out) and makes the attributes to send. A bad address
// matches omapi.ErrBadValue.
func (op *Op) Request(args ...string) (*Request, error) {
	if len(args) != len(op.Params) {
		return nil, fmt.Errorf("%s takes %d arguments, got %d", op.Name, len(op.Params), len(args))
	}
	var vs omapi.Values
	var st []string
	for i, p := range op.Params {
		b, err := p.parse(args[i])
		if err != nil {
			return nil, err
		}
		if p.Attr != "" {
			vs = append(vs, omapi.Value{Name: p.Attr, Data: b})
			if p.Kind == MAC {
				// dhcpd needs the type to find or make a MAC.
				vs = append(vs, omapi.Value{Name: "hardware-type", Data: []byte{0, 0, 0, 1}})
			}
		}
		if p.Option != "" && args[i] != "" {
			st = append(st, supersede(p, args[i]))
		}
	}
	if len(st) > 0 {
		vs = append(vs, omapi.Value{Name: "statements", Data: []byte(strings.Join(st, " "))})
	}
	r := &Request{Op: op}
	switch op.Action {
	case Lookup, Delete:
		r.Keys = vs
	case Update:
		r.Keys, r.Values = vs[:1], vs[1:]
	default:
		r.Values = vs
	}
	return r, nil
}

// parse makes the wire bytes of argument s.
func (p Param) parse(s string) ([]byte, error) {
	switch {
	case p.Kind == IP || p.Kind == OptIP && s != "":
		return omapi.ParseIP(s)
	case p.Kind == MAC:
		return omapi.ParseMAC(s)
	case p.Kind == Text && s == "":
		return nil, fmt.Errorf("%w: empty %s", omapi.ErrBadValue, p.Desc)
	}
	return []byte(s), nil
}

// supersede is the dhcpd.conf statement of an option argument, as
// pypureomapi writes it.
func supersede(p Param, s string) string {
	if p.Kind != OptIP {
		s = quote(s)
	}
	return "supersede " + p.Option + " " + s + ";"
}

// quote makes a dhcpd.conf string literal.
func quote(s string) string {
	return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(s) + `"`
}

// Do runs the operation called name with args on c (see Op.Request) and
// returns its result: a netip.Addr, net.HardwareAddr, string or Host as
// the operation's Result says, nil for None.
func Do(ctx context.Context, c *omapi.Conn, name string, args ...string) (any, error) {
	op := Find(name)
	if op == nil {
		return nil, fmt.Errorf("pypureomapi has no operation %q", name)
	}
	r, err := op.Request(args...)
	if err != nil {
		return nil, err
	}
	return r.Do(ctx, c)
}

// Do sends the request on c and returns its result (see the package's Do).
func (r *Request) Do(ctx context.Context, c *omapi.Conn) (any, error) {
	op := r.Op
	switch op.Action {
	case Create:
		_, err := c.Create(ctx, op.Type, r.Values)
		return nil, err
	case Upsert:
		_, err := c.Open(ctx, op.Type, r.Values, omapi.Create)
		return nil, err
	}
	o, err := c.Open(ctx, op.Type, r.Keys)
	if err != nil {
		if op.Type == "host" {
			err = ExplainHostByIP(ctx, c, r.Keys, err)
		}
		return nil, err
	}
	switch op.Action {
	case Update:
		return nil, c.Update(ctx, o.Handle, r.Values)
	case Delete:
		return nil, c.Delete(ctx, o.Handle)
	}
	return result(op.Result, o)
}

// result is what a lookup returns of the object it found.
func result(res Result, o *omapi.Object) (any, error) {
	switch res {
	case IPAddr:
		b, ok := o.Values.Get("ip-address")
		if !ok {
			return nil, &omapi.AttrError{Type: o.Type, Name: "ip-address"}
		}
		if len(b) < 4 || len(b)%4 != 0 {
			return nil, &omapi.AttrError{Type: o.Type, Name: "ip-address", Msg: fmt.Sprintf("%d bytes, want 4", len(b))}
		}
		return netip.AddrFrom4([4]byte(b[:4])), nil
	case HWAddr:
		b, ok := o.Values.Get("hardware-address")
		if !ok {
			return nil, &omapi.AttrError{Type: o.Type, Name: "hardware-address"}
		}
		return net.HardwareAddr(b), nil
	case Hostname:
		b, ok := o.Values.Get("client-hostname")
		if !ok {
			return nil, &omapi.AttrError{Type: o.Type, Name: "client-hostname"}
		}
		return string(b), nil
	case HostInfo:
		var h Host
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
	return nil, nil
}

// ExplainHostByIP adds the reason to err, the failure of a host lookup
// by the keys {ip-address} alone, when it is "not found": dhcpd finds a
// host by IP only through the lease of that address, as the host whose
// MAC holds the lease (server/omapi.c:1498 dhcp_host_lookup), never by a
// host's fixed address. It asks dhcpd for that lease to say which link
// is missing. Other errors and other keys are returned as they are; the
// result still matches omapi.ResultNotFound.
func ExplainHostByIP(ctx context.Context, c *omapi.Conn, keys omapi.Values, err error) error {
	ip, ok := keys.Get("ip-address")
	if !errors.Is(err, omapi.ResultNotFound) || !ok || len(keys) != 1 || len(ip) != 4 {
		return err
	}
	addr := netip.AddrFrom4([4]byte(ip)).String()
	var why string
	lease, lerr := c.Open(ctx, "lease", keys)
	switch {
	case errors.Is(lerr, omapi.ResultNotFound):
		why = "no lease has " + addr + " (a host's fixed address has a lease only once its client took it)"
	case lerr != nil:
		why = "the lease of " + addr + " could not be read: " + strings.TrimPrefix(lerr.Error(), "omapi: ")
	default:
		if mac, ok := lease.Values.Get("hardware-address"); ok && len(mac) > 0 {
			why = "the lease of " + addr + " holds MAC " + net.HardwareAddr(mac).String() + ", and no host has that MAC"
		} else {
			why = "the lease of " + addr + " has no MAC"
		}
	}
	return fmt.Errorf("%w: dhcpd finds a host by IP only through the lease of that address (the host with the lease's MAC; server/omapi.c:1498), never by its fixed address: %s; look the host up by name or MAC", err, why)
}
