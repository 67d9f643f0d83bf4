package luaapi

// omapi.read_conf and omapi.read_leases: dhcpd's own files as tables,
// read by internal/dhcpconf as dhcpd reads them. OMAPI cannot list
// anything; these can (every host, every lease), and the saved scripts
// hosts and leases check what they say against the live server.

import (
	"errors"
	"time"

	lua "github.com/yuin/gopher-lua"

	"github.com/omapish/omapish/internal/dhcpconf"
)

// codeSyntax is the code of a file dhcpd would not read whole.
const codeSyntax = "syntax"

// readConf is omapi.read_conf(path).
func readConf(L *lua.LState) int {
	return readFile(L, call{L: L, name: "read_conf"}, "path of a dhcpd.conf", dhcpconf.ReadConf, confTable)
}

// readLeases is omapi.read_leases(path).
func readLeases(L *lua.LState) int {
	return readFile(L, call{L: L, name: "read_leases"}, "path of a dhcpd.leases", dhcpconf.ReadLeases, leasesTable)
}

// readFile reads the file at argument 1 with read and returns its table,
// or fails as failFile says.
func readFile[T any](L *lua.LState, c call, what string, read func(string) (*T, error), table func(*lua.LState, *T) *lua.LTable) int {
	v, err := read(c.checkString(1, what))
	if v == nil {
		return failFile(L, err, nil)
	}
	t := table(L, v)
	if err != nil {
		return failFile(L, err, t)
	}
	L.Push(t)
	return 1
}

// failFile pushes nil, message, code and, after a syntax error, the
// records read before it.
func failFile(L *lua.LState, err error, partial *lua.LTable) int {
	L.Push(lua.LNil)
	L.Push(lua.LString(err.Error()))
	if !errors.Is(err, dhcpconf.ErrSyntax) {
		L.Push(lua.LString("io"))
		return 3
	}
	L.Push(lua.LString(codeSyntax))
	if partial == nil {
		return 3
	}
	var e *dhcpconf.Error
	if errors.As(err, &e) {
		partial.RawSetString("error", errorTable(L, e))
	}
	L.Push(partial)
	return 4
}

func errorTable(L *lua.LState, e *dhcpconf.Error) *lua.LTable {
	t := L.NewTable()
	t.RawSetString("message", lua.LString(e.Msg))
	t.RawSetString("file", lua.LString(e.File))
	t.RawSetString("line", lua.LNumber(e.Line))
	t.RawSetString("column", lua.LNumber(e.Col))
	return t
}

// setPos sets file and line.
func setPos(t *lua.LTable, p dhcpconf.Pos) {
	t.RawSetString("file", lua.LString(p.File))
	t.RawSetString("line", lua.LNumber(p.Line))
}

// setStr sets a string field unless it is empty.
func setStr(t *lua.LTable, k, v string) {
	if v != "" {
		t.RawSetString(k, lua.LString(v))
	}
}

// setTime sets a time field as epoch seconds (omapi.NEVER for never)
// unless it is absent.
func setTime(t *lua.LTable, k string, v time.Time) {
	if !v.IsZero() {
		t.RawSetString(k, lua.LNumber(v.Unix()))
	}
}

func setBool(t *lua.LTable, k string, v bool) {
	if v {
		t.RawSetString(k, lua.LTrue)
	}
}

func strList(L *lua.LState, items []string) *lua.LTable {
	t := L.CreateTable(len(items), 0)
	for _, s := range items {
		t.Append(lua.LString(s))
	}
	return t
}

// setData sets a client id: its bytes (as OMAPI gives them), and the form
// written in the file.
func setData(t *lua.LTable, k, written string) {
	if written == "" {
		return
	}
	if b, ok := dhcpconf.Data(written); ok {
		t.RawSetString(k, lua.LString(b))
	}
	t.RawSetString(k+"_text", lua.LString(written))
}

func fileHostTable(L *lua.LState, h dhcpconf.Host, origin string) *lua.LTable {
	t := L.NewTable()
	t.RawSetString("name", lua.LString(h.Name))
	setStr(t, "mac", h.MAC)
	setStr(t, "hardware_type", h.HardwareType)
	setData(t, "client_id", h.ClientID)
	t.RawSetString("addresses", strList(L, h.Addresses))
	if len(h.Addresses) > 0 {
		t.RawSetString("ip", lua.LString(h.Addresses[0]))
	}
	setStr(t, "group", h.Group)
	t.RawSetString("statements", strList(L, h.Statements))
	setBool(t, "dynamic", h.Dynamic)
	setBool(t, "deleted", h.Deleted)
	t.RawSetString("origin", lua.LString(origin))
	setPos(t, h.Pos)
	return t
}

func rangesTable(L *lua.LState, rs []dhcpconf.Range) *lua.LTable {
	t := L.CreateTable(len(rs), 0)
	for _, r := range rs {
		rt := L.NewTable()
		rt.RawSetString("first", lua.LString(r.Start))
		rt.RawSetString("last", lua.LString(r.End))
		setBool(rt, "dynamic_bootp", r.DynamicBootp)
		t.Append(rt)
	}
	return t
}

func confTable(L *lua.LState, c *dhcpconf.Conf) *lua.LTable {
	t := L.NewTable()
	t.RawSetString("file", lua.LString(c.File))
	if c.OmapiPort != 0 {
		t.RawSetString("omapi_port", lua.LNumber(c.OmapiPort))
	}
	setStr(t, "omapi_key", c.OmapiKey)
	t.RawSetString("keys", listTable(L, c.Keys, confKeyTable))
	t.RawSetString("hosts", listTable(L, c.Hosts, func(L *lua.LState, h dhcpconf.Host) *lua.LTable {
		return fileHostTable(L, h, "conf")
	}))
	t.RawSetString("groups", listTable(L, c.Groups, groupTable))
	t.RawSetString("shared_networks", listTable(L, c.SharedNetworks, sharedNetworkTable))
	t.RawSetString("subnets", listTable(L, c.Subnets, subnetTable))
	t.RawSetString("pools", listTable(L, c.Pools, poolTable))
	t.RawSetString("classes", listTable(L, c.Classes, classTable))
	t.RawSetString("subclasses", listTable(L, c.Subclasses, subclassTable))
	t.RawSetString("peers", listTable(L, c.Peers, peerTable))
	return t
}

// listTable is the array of f's table of each item.
func listTable[T any](L *lua.LState, items []T, f func(*lua.LState, T) *lua.LTable) *lua.LTable {
	t := L.CreateTable(len(items), 0)
	for _, it := range items {
		t.Append(f(L, it))
	}
	return t
}

// confKeyTable is a key declaration: its name and algorithm, never the
// secret.
func confKeyTable(L *lua.LState, k dhcpconf.Key) *lua.LTable {
	kt := L.NewTable()
	kt.RawSetString("name", lua.LString(k.Name))
	setStr(kt, "algorithm", k.Algorithm)
	setPos(kt, k.Pos)
	return kt
}

func sharedNetworkTable(L *lua.LState, n dhcpconf.SharedNetwork) *lua.LTable {
	nt := L.NewTable()
	nt.RawSetString("name", lua.LString(n.Name))
	setPos(nt, n.Pos)
	return nt
}

func subnetTable(L *lua.LState, s dhcpconf.Subnet) *lua.LTable {
	st := L.NewTable()
	if s.Prefix.IsValid() {
		st.RawSetString("network", lua.LString(s.Prefix.String()))
	}
	st.RawSetString("address", lua.LString(s.Address))
	st.RawSetString("netmask", lua.LString(s.Mask))
	setStr(st, "shared_network", s.SharedNetwork)
	st.RawSetString("ranges", rangesTable(L, s.Ranges))
	st.RawSetString("statements", strList(L, s.Statements))
	setPos(st, s.Pos)
	return st
}

func poolTable(L *lua.LState, p dhcpconf.Pool) *lua.LTable {
	pt := L.NewTable()
	setStr(pt, "subnet", p.Subnet)
	setStr(pt, "shared_network", p.SharedNetwork)
	setStr(pt, "failover_peer", p.FailoverPeer)
	pt.RawSetString("ranges", rangesTable(L, p.Ranges))
	pt.RawSetString("statements", strList(L, p.Statements))
	setPos(pt, p.Pos)
	return pt
}

func peerTable(L *lua.LState, p dhcpconf.Peer) *lua.LTable {
	pt := L.NewTable()
	pt.RawSetString("name", lua.LString(p.Name))
	setStr(pt, "role", p.Role)
	setStr(pt, "address", p.Address)
	if p.Port != 0 {
		pt.RawSetString("port", lua.LNumber(p.Port))
	}
	setStr(pt, "peer_address", p.PeerAddress)
	if p.PeerPort != 0 {
		pt.RawSetString("peer_port", lua.LNumber(p.PeerPort))
	}
	pt.RawSetString("statements", strList(L, p.Statements))
	setPos(pt, p.Pos)
	return pt
}

func groupTable(L *lua.LState, g dhcpconf.Group) *lua.LTable {
	t := L.NewTable()
	t.RawSetString("name", lua.LString(g.Name))
	t.RawSetString("statements", strList(L, g.Statements))
	setBool(t, "dynamic", g.Dynamic)
	setBool(t, "deleted", g.Deleted)
	setPos(t, g.Pos)
	return t
}

func classTable(L *lua.LState, c dhcpconf.Class) *lua.LTable {
	ct := L.NewTable()
	ct.RawSetString("name", lua.LString(c.Name))
	ct.RawSetString("statements", strList(L, c.Statements))
	setPos(ct, c.Pos)
	return ct
}

func subclassTable(L *lua.LState, c dhcpconf.Subclass) *lua.LTable {
	ct := L.NewTable()
	ct.RawSetString("class", lua.LString(c.Class))
	ct.RawSetString("data", lua.LString(c.Data))
	ct.RawSetString("statements", strList(L, c.Statements))
	setPos(ct, c.Pos)
	return ct
}

func leasesTable(L *lua.LState, ls *dhcpconf.Leases) *lua.LTable {
	t := L.NewTable()
	t.RawSetString("file", lua.LString(ls.File))
	t.RawSetString("records", lua.LNumber(ls.Records))
	setStr(t, "server_duid", ls.ServerDUID)
	setStr(t, "byte_order", ls.ByteOrder)
	t.RawSetString("leases", listTable(L, ls.Leases, leaseTable))
	t.RawSetString("hosts", listTable(L, ls.Hosts, func(L *lua.LState, h dhcpconf.Host) *lua.LTable {
		return fileHostTable(L, h, "omapi")
	}))
	t.RawSetString("groups", listTable(L, ls.Groups, groupTable))
	t.RawSetString("peers", listTable(L, ls.Peers, peerStateTable))
	t.RawSetString("classes", listTable(L, ls.Classes, classTable))
	t.RawSetString("subclasses", listTable(L, ls.Subclasses, subclassTable))
	return t
}

// leaseTable is the current record of a lease.
func leaseTable(L *lua.LState, l dhcpconf.Lease) *lua.LTable {
	lt := L.NewTable()
	lt.RawSetString("ip", lua.LString(l.Address))
	lt.RawSetString("state", lua.LString(l.State))
	setStr(lt, "next_state", l.NextState)
	setStr(lt, "rewind_state", l.RewindState)
	setTime(lt, "starts", l.Starts)
	setTime(lt, "ends", l.Ends)
	setTime(lt, "tstp", l.Tstp)
	setTime(lt, "tsfp", l.Tsfp)
	setTime(lt, "atsfp", l.Atsfp)
	setTime(lt, "cltt", l.Cltt)
	setStr(lt, "mac", l.MAC)
	setStr(lt, "hardware_type", l.HardwareType)
	setData(lt, "client_id", l.ClientID)
	setStr(lt, "hostname", l.Hostname)
	vars := L.NewTable()
	for _, v := range l.Vars {
		vars.RawSetString(v.Name, lua.LString(v.Value))
	}
	lt.RawSetString("vars", vars)
	setBool(lt, "reserved", l.Reserved)
	setBool(lt, "bootp", l.Bootp)
	lt.RawSetString("statements", strList(L, l.Statements))
	setPos(lt, l.Pos)
	return lt
}

// peerStateTable is a failover peer's states as the leases file has them.
func peerStateTable(L *lua.LState, p dhcpconf.PeerState) *lua.LTable {
	pt := L.NewTable()
	pt.RawSetString("name", lua.LString(p.Name))
	setStr(pt, "my_state", p.MyState)
	setTime(pt, "my_time", p.MyTime)
	setStr(pt, "partner_state", p.PartnerState)
	setTime(pt, "partner_time", p.PartnerTime)
	setPos(pt, p.Pos)
	return pt
}
