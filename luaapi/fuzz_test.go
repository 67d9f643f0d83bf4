package luaapi

import (
	"encoding/hex"
	"strings"
	"testing"

	lua "github.com/yuin/gopher-lua"

	"github.com/omapish/omapish/omapi"
)

// The messages of omapi-transcript.txt (startup messages left out), as seeds.
var seedMessages = []string{
	"000000000000000000000001000000006b8b4567000000000004747970650000000d61757468656e74696361746f7200" +
		"0000046e616d65000000096f6d6170695f6b65790009616c676f726974686d00000019686d61632d6d64352e5349472d" +
		"414c472e5245472e494e542e0000",
	"000000000000000000000003000000017ddc9d7a6b8b4567000000046e616d65000000096f6d6170695f6b6579000961" +
		"6c676f726974686d00000019686d61632d6d64352e5349472d414c472e5245472e494e542e0000",
	"000000010000001000000001000000006b8b4568000000000006637265617465000000040000000100096578636c7573" +
		"697665000000040000000100047479706500000004686f7374000000046e616d650000000670726f6265310010686172" +
		"64776172652d6164647265737300000006001122334455000d68617264776172652d747970650000000400000001000a" +
		"69702d61646472657373000000040a630005000012bbd43e2a960177042c36adb0fc56ea",
	"000000010000001000000003000000027ddc9d7b6b8b45680000000a69702d61646472657373000000040a6300050004" +
		"6e616d650000000670726f626531001068617264776172652d6164647265737300000006001122334455000d68617264" +
		"776172652d747970650000000400000001000021f2fe510ee3fcfb8fb4c0eddef6d336",
	"000000010000001000000001000000006b8b4569000000000006637265617465000000040000000100096578636c7573" +
		"697665000000040000000100047479706500000004686f7374000000046e616d650000000670726f6265310000181e8b" +
		"86605aeb9bc0a69b07d3db2ceb",
	"000000010000001000000005000000007ddc9d7c6b8b45690006726573756c74000000040000001200076d6573736167" +
		"650000001f737065636966696564206f626a65637420616c72656164792065786973747300000000d9e9eaa3633c7106" +
		"a7c5a3fc67d03123",
	"000000010000001000000001000000006b8b456a00000000000474797065000000056c656173650000000a69702d6164" +
		"6472657373000000040a63004d0000eb2fa55eb97f98bc45b73b05dfbd0e67",
	"000000010000001000000005000000007ddc9d7d6b8b456a0006726573756c74000000040000001700076d6573736167" +
		"650000001f6e6f206f626a656374206d6174636865732073706563696669636174696f6e000000002c2f2b747777639f" +
		"7180b806e191aabc",
	"000000010000001000000001000000006b8b456b0000000000047479706500000004686f7374000000046e616d650000" +
		"000670726f6265310000cb40969782312faff6e4e785c387b673",
	"000000010000001000000003000000027ddc9d7e6b8b456b0000000a69702d61646472657373000000040a6300050004" +
		"6e616d650000000670726f626531001068617264776172652d6164647265737300000006001122334455000d68617264" +
		"776172652d7479706500000004000000010000c05dfde2611106f14532890c4014bffe",
	"000000010000001000000006000000026b8b456c00000000000000009b289c6d8db1ddf9c859f90d814f8cc8",
	"000000010000001000000005000000007ddc9d7f6b8b456c0006726573756c740000000400000000000000005219b172" +
		"c63ea7f50d2feedd02a6613c",
}

// FuzzMessage feeds arbitrary bytes to omapi.message.parse and everything
// a script does with the result: no input may crash or leak a Go panic.
func FuzzMessage(f *testing.F) {
	for _, s := range seedMessages {
		b, _ := hex.DecodeString(s)
		f.Add(b, "lease")
	}
	f.Fuzz(func(t *testing.T, b []byte, typ string) {
		L := lua.NewState()
		defer L.Close()
		Preload(L, Options{})
		L.SetGlobal("input", lua.LString(b))
		L.SetGlobal("typ", lua.LString(typ))
		err := L.DoString(`
			local m = omapi.message.parse(input)
			if m then
				local _ = tostring(m), omapi.json(m), m:items("object"), m:items("message", true),
					m.object, m.message, m:bytes()
				assert(m:bytes() == input, "bytes() differs from the parsed input")
				m.message = {type = typ}
				local _ = tostring(m), omapi.json(m), m.object
			end
			local _ = omapi.hexdump(input), omapi.json(input), omapi.unhex(omapi.hexdump(input))`)
		if err != nil {
			t.Fatalf("%v", err)
		}
	})
}

// FuzzValue converts arbitrary text by every kind and decodes arbitrary
// bytes by every kind: errors are fine, panics are not.
func FuzzValue(f *testing.F) {
	for _, s := range []string{"192.0.2.1", "00:11:22:33:44:55", "12", "true", "2026-01-01T00:00:00Z", "1.2.3.4,5.6.7.8", "", "\xff"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		L := lua.NewState()
		defer L.Close()
		for k := omapi.KindBytes; k <= omapi.KindFlags; k++ {
			b, err := toWire(lua.LString(s), k, true)
			if err == nil && k != omapi.KindString && k != omapi.KindBytes {
				if v := decode(L, k, b); v == nil {
					t.Fatalf("kind %v: decode of %x is nil", k, b)
				}
			}
			_ = decode(L, k, []byte(s))
			_ = formatValue(k, []byte(s))
		}
		if _, err := unhexString(s); err != nil && strings.Contains(err.Error(), "panic") {
			t.Fatal(err)
		}
	})
}

// TestSeedMessages checks that the transcript's messages parse and encode
// back to the same bytes through the Lua module.
func TestSeedMessages(t *testing.T) {
	L := newState(t, Options{})
	for i, s := range seedMessages {
		b, err := hex.DecodeString(s)
		if err != nil {
			t.Fatalf("seed %d: %v", i, err)
		}
		L.SetGlobal("input", lua.LString(b))
		doString(t, L, `local m = assert(omapi.message.parse(input)); assert(m:bytes() == input)
			assert(m:bytes("c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0") == input or m.authid == 0)`)
	}
}
