package luaapi

import (
	"testing"

	lua "github.com/yuin/gopher-lua"

	"github.com/omapish/omapish/omapi"
)

// BenchmarkLookupLease is one lease lookup at a time from Lua.
func BenchmarkLookupLease(b *testing.B) {
	L, _ := labState(b)
	doString(b, L, `
		conn = assert(omapi.connect())
		function bench(n)
			for i = 1, n do assert(conn:lookup_by_lease{ip = LAB.active.ip}) end
		end`)
	b.ResetTimer()
	if err := L.CallByParam(lua.P{Fn: L.GetGlobal("bench"), Protect: true}, lua.LNumber(b.N)); err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "lookups/s")
}

// BenchmarkLookupMany is lease lookups pipelined by conn:lookup_many, in
// batches of 1000.
func BenchmarkLookupMany(b *testing.B) {
	L, _ := labState(b)
	doString(b, L, `
		conn = assert(omapi.connect())
		keys = {}
		for i = 1, 1000 do keys[i] = {ip = "192.0.2." .. (100 + i % 150)} end
		function bench(n)
			local done = 0
			while done < n do
				local rs = assert(conn:lookup_many("lease", keys))
				assert(#rs == #keys)
				done = done + #keys
			end
		end`)
	b.ResetTimer()
	if err := L.CallByParam(lua.P{Fn: L.GetGlobal("bench"), Protect: true}, lua.LNumber(b.N)); err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "lookups/s")
}

// BenchmarkLeaseTable is the Lua table of a typical lease reply, as
// lookup_by_lease and lookup_many build it (no network).
func BenchmarkLeaseTable(b *testing.B) {
	var vs omapi.Values
	vs.SetUint32("state", 2)
	vs.Set("ip-address", []byte{192, 0, 2, 150})
	vs.Set("dhcp-client-identifier", []byte{1, 0, 0, 0x5e, 0, 0x53, 0x50})
	vs.SetString("client-hostname", "client150")
	vs.SetUint32("subnet", 3)
	vs.SetUint32("pool", 4)
	vs.Set("hardware-address", []byte{0, 0, 0x5e, 0, 0x53, 0x50})
	vs.SetUint32("hardware-type", 1)
	for _, n := range []string{"ends", "starts", "tstp", "tsfp", "atsfp", "cltt"} {
		vs.SetUint32(n, 0x6b086f91)
	}
	vs.Set("flags", []byte{0})
	L := lua.NewState()
	defer L.Close()
	b.ReportAllocs()
	for b.Loop() {
		attrsTable(L, "lease", vs, false)
	}
}
