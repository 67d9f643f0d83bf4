package luaapi

import (
	"math/rand/v2"
	"testing"

	lua "github.com/yuin/gopher-lua"

	"github.com/omapish/omapish/omapi"
)

// TestDecodeFastPath checks that decode's direct cases give exactly what
// Kind.Decode gives (decodeValue), for every kind and bytes of every
// length up to 24, random and edge values alike.
func TestDecodeFastPath(t *testing.T) {
	L := lua.NewState()
	defer L.Close()
	kinds := []omapi.Kind{
		omapi.KindBytes, omapi.KindString, omapi.KindUint32, omapi.KindBool, omapi.KindIP,
		omapi.KindIPs, omapi.KindMAC, omapi.KindTime, omapi.KindHandle, omapi.KindFlags,
	}
	rng := rand.New(rand.NewPCG(1, 2))
	for _, k := range kinds {
		for n := 0; n <= 24; n++ {
			for trial := range 50 {
				b := make([]byte, n)
				switch trial {
				case 0: // all zero
				case 1:
					for i := range b {
						b[i] = 0xff
					}
				default:
					for i := range b {
						b[i] = byte(rng.Uint32())
					}
				}
				got, want := decode(L, k, b), decodeValue(L, k, b)
				if !sameValue(got, want) {
					t.Fatalf("decode(%v, %x) = %#v, Kind.Decode gives %#v", k, b, got, want)
				}
			}
		}
	}
}

// sameValue compares Lua values, arrays element by element.
func sameValue(a, b lua.LValue) bool {
	ta, ok1 := a.(*lua.LTable)
	tb, ok2 := b.(*lua.LTable)
	if ok1 != ok2 {
		return false
	}
	if !ok1 {
		return a.Type() == b.Type() && a.String() == b.String()
	}
	if ta.Len() != tb.Len() {
		return false
	}
	for i := 1; i <= ta.Len(); i++ {
		if !sameValue(ta.RawGetInt(i), tb.RawGetInt(i)) {
			return false
		}
	}
	return true
}
