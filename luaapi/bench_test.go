package luaapi

import (
	"testing"

	lua "github.com/yuin/gopher-lua"
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
