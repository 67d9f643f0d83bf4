-- Value conversion, the typed wrappers and the helper functions.

function TestWrappers(t)
  local v = omapi.u32(258)
  eq(t, v.bytes, "\0\0\1\2", "u32 bytes")
  eq(t, v.kind, "uint32", "u32 kind")
  eq(t, tostring(v), "omapi.u32(258)", "tostring")
  eq(t, omapi.u32(0xffffffff).bytes, "\255\255\255\255", "max u32")
  eq(t, omapi.ip("192.0.2.1").bytes, "\192\0\2\1", "ip")
  eq(t, tostring(omapi.ip("192.0.2.1")), 'omapi.ip("192.0.2.1")', "tostring ip")
  eq(t, omapi.ip{"192.0.2.1", "192.0.2.2"}.bytes, "\192\0\2\1\192\0\2\2", "ip list")
  eq(t, omapi.mac("00:11:22:aa:bb:cc").bytes, "\0\17\34\170\187\204", "mac")
  eq(t, omapi.mac("0011.22aa.bbcc").bytes, "\0\17\34\170\187\204", "mac, dotted")
  eq(t, tostring(omapi.mac("00:11:22:aa:bb:cc")), 'omapi.mac("00:11:22:aa:bb:cc")', "tostring mac")
  eq(t, omapi.raw("\0x").bytes, "\0x", "raw")
  eq(t, omapi.u32(5), omapi.u32(5), "== compares values")
  ok(t, omapi.u32(5) ~= omapi.u32(6), "~=")
  ok(t, omapi.raw("\0\0\0\5") ~= omapi.u32(5), "different kinds differ")
  raises(t, "read-only", function() v.bytes = "x" end)
  raises(t, {"bad argument #1 to 'u32'", "integer"}, omapi.u32, -1)
  raises(t, {"bad argument #1 to 'u32'", "integer"}, omapi.u32, 2^32)
  raises(t, {"bad argument #1 to 'u32'", "integer"}, omapi.u32, 1.5)
  raises(t, {"bad argument #1 to 'u32'", "number expected, got string"}, omapi.u32, "5")
  raises(t, {"bad argument #1 to 'ip'", "IPv4"}, omapi.ip, "10.0.0")
  raises(t, {"bad argument #1 to 'ip'", "IPv4"}, omapi.ip, "::1")
  raises(t, {"bad argument #1 to 'ip'", "entry 2"}, omapi.ip, {"10.0.0.1", 5})
  raises(t, {"bad argument #1 to 'mac'", "MAC"}, omapi.mac, "zz:11")
  raises(t, {"bad argument #1 to 'raw'", "string expected, got nil"}, omapi.raw)
end

function TestConversionByKind(t)
  -- schema-known names convert by kind; look at the bytes through m:items
  local m = omapi.message.open("lease")
  m:update_object{{"ip-address", "192.0.2.9"}, {"state", 2}, {"hardware-address", "aa:bb:cc:dd:ee:ff"},
    {"ends", "2026-01-01T00:00:00Z"}, {"client-hostname", "h"}, {"flags", 4}, {"hardware-type", true}}
  local raw = m:items("object", true)
  eq(t, raw[1][2], "\192\0\2\9", "ip -> 4 bytes")
  eq(t, raw[2][2], "\0\0\0\2", "number -> u32")
  eq(t, raw[3][2], "\170\187\204\221\238\255", "mac -> bytes")
  eq(t, raw[4][2], omapi.u32(1767225600).bytes, "RFC 3339 time -> epoch u32")
  eq(t, raw[5][2], "h", "string")
  eq(t, raw[6][2], "\0\0\0\4", "flags")
  eq(t, raw[7][2], "\0\0\0\1", "boolean -> u32 1")
  local dec = m:items("object")
  eq(t, dec[1][2], "192.0.2.9", "ip decodes")
  eq(t, dec[3][2], "aa:bb:cc:dd:ee:ff", "mac decodes")
  eq(t, dec[4][2], 1767225600, "time decodes to epoch seconds")
  -- unknown names
  m = omapi.message.open("host")
  m:update_object{{"x-num", 7}, {"x-bool", false}, {"x-str", "192.0.2.1"}}
  raw = m:items("object", true)
  eq(t, raw[1][2], "\0\0\0\7", "unknown number -> u32")
  eq(t, raw[2][2], "\0\0\0\0", "unknown boolean -> u32")
  eq(t, raw[3][2], "192.0.2.1", "unknown string -> raw bytes")
  eq(t, m.object["x-num"], "\0\0\0\7", "unknown names decode raw")
  -- wrappers win over the schema
  m:update_object{name = omapi.u32(1)}
  eq(t, m:items("object", true)[4][2], "\0\0\0\1", "u32 wrapper for a string attribute")
  -- bytes that do not fit the kind decode raw, never crash
  local bad = omapi.message.new{op = 3, type = "lease",
    object = {{"ip-address", omapi.raw("\1\2\3")}, {"ends", omapi.raw("xy")}, {"state", omapi.raw("")}}}
  local o = bad.object
  eq(t, o["ip-address"], "\1\2\3", "short ip raw")
  eq(t, o.ends, "xy", "short time raw")
  eq(t, o.state, "", "empty raw")
  -- errors name the attribute
  raises(t, {"ip-address", "IPv4 address expected"}, m.update_object, omapi.message.open("lease"), {["ip-address"] = "1.2.3"})
  raises(t, {"state", "not a 32-bit unsigned number"}, m.update_object, omapi.message.open("lease"), {state = "activ"})
  -- a state by name is its number
  eq(t, omapi.message.open("lease"):update_object{state = "active"}:items("object", true)[1][2], "\0\0\0\2", "lease state by name")
  eq(t, omapi.message.open("failover-state"):update_object{["local-state"] = "partner-down"}:items("object", true)[1][2], "\0\0\0\4", "failover state by name")
  eq(t, omapi.failover_states["partner-down"], 4, "failover_states by name")
  eq(t, omapi.failover_states[4], "partner-down", "failover_states by number")
  raises(t, {"hardware-address", "MAC"}, m.update_object, omapi.message.open("host"), {["hardware-address"] = 5})
  raises(t, {"name", "string expected, got table"}, m.update_object, omapi.message.open("host"), {name = {}})
  raises(t, {"x", "got function"}, m.update_object, m, {x = print})
  raises(t, {"names must be strings"}, m.update_object, m, {[true] = 1})
  raises(t, {"entry 1", "pair"}, m.update_object, m, {{"only-a-name"}})
end

function TestPackUnpack(t)
  eq(t, omapi.pack_ip("192.0.2.1"), "\192\0\2\1", "pack_ip")
  eq(t, omapi.unpack_ip("\192\0\2\1"), "192.0.2.1", "unpack_ip")
  eq(t, omapi.pack_mac("00:11:22:33:44:55"), "\0\17\34\51\68\85", "pack_mac")
  eq(t, omapi.unpack_mac("\0\17\34\51\68\85"), "00:11:22:33:44:55", "unpack_mac")
  eq(t, omapi.unpack_mac(omapi.pack_mac("AA-BB-CC-DD-EE-FF")), "aa:bb:cc:dd:ee:ff", "round trip")
  raises(t, {"bad argument #1 to 'pack_ip'", "IPv4 address expected"}, omapi.pack_ip, "300.1.1.1")
  raises(t, {"bad argument #1 to 'pack_ip'", "IPv4 address expected, got number"}, omapi.pack_ip, 5)
  raises(t, {"bad argument #1 to 'unpack_ip'", "4-byte"}, omapi.unpack_ip, "abc")
  raises(t, {"bad argument #1 to 'pack_mac'", "MAC"}, omapi.pack_mac, "nope")
  raises(t, {"bad argument #1 to 'unpack_mac'"}, omapi.unpack_mac, "")
end

function TestHex(t)
  local dump = omapi.hexdump("\0\0\0\100\0\0\0\24")
  eq(t, dump, "00000000  00 00 00 64 00 00 00 18                           |...d....|\n", "hexdump")
  local all = ""
  for i = 0, 255 do all = all .. string.char(i) end
  eq(t, omapi.unhex(omapi.hexdump(all)), all, "unhex(hexdump(x)) == x")
  eq(t, omapi.unhex("00:11:22"), "\0\17\34", "colons")
  eq(t, omapi.unhex("00 11 22"), "\0\17\34", "spaces")
  eq(t, omapi.unhex("001122"), "\0\17\34", "plain")
  eq(t, omapi.unhex("0x0011"), "\0\17", "0x prefix")
  eq(t, omapi.unhex(""), "", "empty")
  -- a transcript-style dump with a title line
  eq(t, omapi.unhex("S->C 8 bytes\n00000000  00 00 00 64 00 00 00 18                           |...d....|\n"),
    "\0\0\0\100\0\0\0\24", "transcript dump")
  raises(t, {"bad argument #1 to 'unhex'", "hex"}, omapi.unhex, "xyz")
  raises(t, {"bad argument #1 to 'unhex'"}, omapi.unhex, 5)
end

function TestJSON(t)
  eq(t, omapi.json({b = 1, a = "x", c = true}), '{"a":"x","b":1,"c":true}', "object, sorted keys")
  eq(t, omapi.json({1, 2, "three"}), '[1,2,"three"]', "array")
  eq(t, omapi.json({}), "{}", "empty table")
  eq(t, omapi.json(nil), "null", "nil")
  eq(t, omapi.json(1.5), "1.5", "float")
  eq(t, omapi.json(4294967295), "4294967295", "big integer")
  eq(t, omapi.json("a\"b\n"), '"a\\"b\\n"', "escapes")
  eq(t, omapi.json("\1\0\255"), '"01:00:ff"', "binary as hex")
  eq(t, omapi.json("caf\195\169"), '"caf\195\169"', "UTF-8 text kept")
  eq(t, omapi.json(omapi.ip("192.0.2.1")), '"192.0.2.1"', "typed value")
  eq(t, omapi.json({a = {1}}, true), '{\n  "a": [\n    1\n  ]\n}', "indented")
  local cyc = {}
  cyc.self = cyc
  raises(t, {"bad argument #1 to 'json'", "contains itself"}, omapi.json, cyc)
  raises(t, {"bad argument #1 to 'json'", "function"}, omapi.json, {f = print})
  raises(t, {"bad argument #2 to 'json'"}, omapi.json, {}, 5)
  local conn = connect(t)
  local l = must(t, conn:open("lease", {ip = LAB.active.ip}))
  local j = omapi.json(l)
  contains(t, j, '"ip-address":"' .. LAB.active.ip .. '"', "object json")
  contains(t, j, '"dhcp-client-identifier":"01:00:00:5e:00:53:50"', "binary attribute as hex")
  contains(t, omapi.json(conn), '"address":"' .. LAB.address .. '"', "conn json")
  ok(t, not string.find(omapi.json(conn), LAB.secret, 1, true), "no secret in conn json")
  conn:close()
end

function TestTimeAndStates(t)
  eq(t, omapi.time(0), "1970-01-01T00:00:00Z", "epoch")
  eq(t, omapi.time(1767225600), "2026-01-01T00:00:00Z", "2026")
  eq(t, omapi.time(0x7fffffff), "never", "never")
  eq(t, omapi.time(omapi.NEVER), "never", "omapi.NEVER")
  raises(t, {"bad argument #1 to 'time'", "number"}, omapi.time, "now")
  raises(t, {"bad argument #1 to 'time'", "whole number"}, omapi.time, 1.5)
  eq(t, omapi.lease_states[1], "free", "lease state 1")
  eq(t, omapi.lease_states[2], "active", "lease state 2")
  eq(t, omapi.lease_states[5], "abandoned", "lease state 5")
  eq(t, omapi.lease_states[7], "backup", "lease state 7")
  eq(t, omapi.failover_states[2], "normal", "failover state 2")
  eq(t, omapi.failover_states[4], "partner-down", "failover state 4")
  eq(t, omapi.control_states[2], "shutdown", "control state 2")
  local types = table.concat(omapi.types, ",")
  contains(t, types, "lease", "types")
  contains(t, types, "failover-state", "types")
  local attrs = table.concat(omapi.attributes("lease"), ",")
  contains(t, attrs, "client-hostname", "attributes(lease)")
  ok(t, #omapi.attributes() > #omapi.attributes("lease"), "attributes() of all types")
end
