package luaapi

import (
	"errors"
	"net"
	"net/netip"
	"strconv"
	"strings"

	lua "github.com/yuin/gopher-lua"

	"github.com/omapish/omapish/internal/policy"
	"github.com/omapish/omapish/omapi"
	"github.com/omapish/omapish/omapi/pypure"
)

// pypureOp makes the method of pypureomapi's operation op: its arguments
// checked as op.Params say, the values it creates or sets vetted by the
// write policy, its result pushed as pypureomapi returns it (text for an
// address, a table for a host, true for a change).
func (m *module) pypureOp(op *pypure.Op) lua.LGFunction {
	return func(L *lua.LState) int {
		lc, c := connSelf(L, op.Name)
		args := make([]string, len(op.Params))
		for i, p := range op.Params {
			args[i] = pypureArg(c, i+2, p)
		}
		req, err := op.Request(args...)
		if err != nil {
			return fail(L, err)
		}
		if err := m.vetPypure(c, req); err != nil {
			return fail(L, err)
		}
		res, err := req.Do(stateContext(L), lc.c)
		if err != nil {
			return attrFail(L, err, op.Name, args...)
		}
		L.Push(pypureResult(L, op, res))
		return 1
	}
}

// pypureArg checks argument n, parameter p of an operation.
func pypureArg(c call, n int, p pypure.Param) string {
	switch p.Kind {
	case pypure.IP:
		return c.checkIP(n)
	case pypure.MAC:
		return c.checkMAC(n)
	case pypure.Text:
		return c.checkName(n, p.Desc)
	case pypure.OptIP:
		if c.L.Get(n) == lua.LNil {
			return ""
		}
		return c.checkIP(n)
	}
	return c.optString(n, p.Desc)
}

// vetPypure applies the write policy to what an operation creates or
// sets that it takes as text: its MAC and IP arguments were checked as
// such already. Lookups and deletes send nothing to vet.
func (m *module) vetPypure(c call, req *pypure.Request) error {
	op := omapi.OpOpen
	opts := policy.Options{Create: true}
	switch req.Op.Action {
	case pypure.Update:
		op, opts = omapi.OpUpdate, policy.Options{}
	case pypure.Lookup, pypure.Delete:
		return nil
	}
	var vs omapi.Values
	for _, v := range req.Values {
		switch v.Name {
		case "hardware-address", "hardware-type", "ip-address":
		default:
			vs = append(vs, v)
		}
	}
	if len(vs) == 0 {
		return nil
	}
	return m.vet(c, req.Op.Type, op, vs, opts, false)
}

// pypureResult is the Lua value of an operation's result.
func pypureResult(L *lua.LState, op *pypure.Op, res any) lua.LValue {
	switch r := res.(type) {
	case netip.Addr:
		return lua.LString(r.String())
	case net.HardwareAddr:
		return lua.LString(r.String())
	case string:
		return lua.LString(r)
	case pypure.Host:
		return hostTable(L, r, op.NameKey)
	}
	return lua.LTrue
}

// hostTable makes {ip=, mac=, <nameKey>=} of a host.
func hostTable(L *lua.LState, h pypure.Host, nameKey string) *lua.LTable {
	t := L.CreateTable(0, 3)
	if h.IP.IsValid() {
		t.RawSetString("ip", lua.LString(h.IP.String()))
	}
	if len(h.MAC) > 0 {
		t.RawSetString("mac", lua.LString(h.MAC.String()))
	}
	if h.Name != "" {
		t.RawSetString(nameKey, lua.LString(h.Name))
	}
	return t
}

// attrFail reports a failure of a pypureomapi operation; a missing
// attribute gets the operation and arguments as context (the server's
// errors name the object and keys already).
func attrFail(L *lua.LState, err error, op string, args ...string) int {
	var ae *omapi.AttrError
	if errors.As(err, &ae) {
		var q []string
		for _, a := range args {
			if a != "" {
				q = append(q, strconv.Quote(a))
			}
		}
		return failf(L, err, op+"("+strings.Join(q, ", ")+")")
	}
	return fail(L, err)
}
