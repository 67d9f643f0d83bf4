-- Raw messages: building, byte-exact encoding and signing, parsing, and
-- conn:query against the lab. Vectors are from omapi-transcript.txt
-- (dhcpd 4.4.3-P1 and omshell, key omapi_key, secret below).

local SECRET = "c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0"

-- C->S 74 bytes: open host probe1, signed.
local OPEN_PROBE1 = [[
00000000  00 00 00 01 00 00 00 10  00 00 00 01 00 00 00 00  |................|
00000010  6b 8b 45 6b 00 00 00 00  00 04 74 79 70 65 00 00  |k.Ek......type..|
00000020  00 04 68 6f 73 74 00 00  00 04 6e 61 6d 65 00 00  |..host....name..|
00000030  00 06 70 72 6f 62 65 31  00 00 cb 40 96 97 82 31  |..probe1...@...1|
00000040  2f af f6 e4 e7 85 c3 87  b6 73                    |/........s|
]]

-- C->S 180 bytes: create host probe1 (omshell's value order).
local CREATE_PROBE1 = [[
00 00 00 01 00 00 00 10  00 00 00 01 00 00 00 00
6b 8b 45 68 00 00 00 00  00 06 63 72 65 61 74 65
00 00 00 04 00 00 00 01  00 09 65 78 63 6c 75 73
69 76 65 00 00 00 04 00  00 00 01 00 04 74 79 70
65 00 00 00 04 68 6f 73  74 00 00 00 04 6e 61 6d
65 00 00 00 06 70 72 6f  62 65 31 00 10 68 61 72
64 77 61 72 65 2d 61 64  64 72 65 73 73 00 00 00
06 00 11 22 33 44 55 00  0d 68 61 72 64 77 61 72
65 2d 74 79 70 65 00 00  00 04 00 00 00 01 00 0a
69 70 2d 61 64 64 72 65  73 73 00 00 00 04 0a 63
00 05 00 00 12 bb d4 3e  2a 96 01 77 04 2c 36 ad
b0 fc 56 ea
]]

-- S->C 131 bytes: the server's UPDATE carrying host probe1.
local UPDATE_PROBE1 = [[
00 00 00 01 00 00 00 10 00 00 00 03 00 00 00 02
7d dc 9d 7e 6b 8b 45 6b 00 00 00 0a 69 70 2d 61
64 64 72 65 73 73 00 00 00 04 0a 63 00 05 00 04
6e 61 6d 65 00 00 00 06 70 72 6f 62 65 31 00 10
68 61 72 64 77 61 72 65 2d 61 64 64 72 65 73 73
00 00 00 06 00 11 22 33 44 55 00 0d 68 61 72 64
77 61 72 65 2d 74 79 70 65 00 00 00 04 00 00 00
01 00 00 c0 5d fd e2 61 11 06 f1 45 32 89 0c 40
14 bf fe
]]

-- S->C 104 bytes: STATUS 18, already exists.
local STATUS_EXISTS = "00000001000000100000000500000000" ..
  "7ddc9d7c6b8b45690006726573756c74000000040000001200076d657373616765" ..
  "0000001f737065636966696564206f626a65637420616c726561647920657869737473" ..
  "0000" .. "0000" .. "d9e9eaa3633c7106a7c5a3fc67d03123"

function TestBytesOpenVector(t)
  local want = omapi.unhex(OPEN_PROBE1)
  eq(t, #want, 74, "vector length")
  local m = omapi.message.new{op = omapi.OPEN, tid = 0x6b8b456b, authid = 1,
    message = {type = "host"}, object = {name = "probe1"}}
  eq(t, m:bytes(SECRET), want, "signed bytes of open host probe1")
  eq(t, m:bytes(SECRET, "hmac-md5"), want, "with the algorithm named")
  -- the same with the builder
  local m2 = omapi.message.open("host")
  m2.tid, m2.authid = 0x6b8b456b, 1
  m2:update_object{name = "probe1"}
  eq(t, m2:bytes(SECRET), want, "omapi.message.open + update_object")
  -- unsigned: no signature, authlen 0
  local unsigned = m:bytes()
  eq(t, #unsigned, 74 - 16, "unsigned length")
  eq(t, unsigned:sub(5, 8), "\0\0\0\0", "authlen 0")
  -- bytes() does not store the signature on m
  eq(t, m.signature, nil, "m.signature after bytes(secret)")
end

function TestBytesCreateVector(t)
  local want = omapi.unhex(CREATE_PROBE1)
  eq(t, #want, 180, "vector length")
  -- pairs arrays keep omshell's order
  local m = omapi.message.new{op = "open", tid = 0x6b8b4568, authid = 1,
    message = {{"create", true}, {"exclusive", true}, {"type", "host"}},
    object = {{"name", "probe1"}, {"hardware-address", "00:11:22:33:44:55"},
      {"hardware-type", 1}, {"ip-address", "10.99.0.5"}}}
  eq(t, m:bytes(SECRET), want, "signed bytes of create host probe1")
  -- typed wrappers give the same bytes
  m.object = {{"name", omapi.raw("probe1")}, {"hardware-address", omapi.mac("00:11:22:33:44:55")},
    {"hardware-type", omapi.u32(1)}, {"ip-address", omapi.ip("10.99.0.5")}}
  eq(t, m:bytes(SECRET), want, "with typed values")
  -- a map is sent in name order, so the bytes differ
  m.object = {name = "probe1", ["hardware-address"] = "00:11:22:33:44:55",
    ["hardware-type"] = 1, ["ip-address"] = "10.99.0.5"}
  local items = m:items("object")
  eq(t, items[1][1], "hardware-address", "map order 1")
  eq(t, items[2][1], "hardware-type", "map order 2")
  eq(t, items[3][1], "ip-address", "map order 3")
  eq(t, items[4][1], "name", "map order 4")
  ok(t, m:bytes(SECRET) ~= want, "map order differs from omshell's")
  eq(t, #m:bytes(SECRET), 180, "same length")
end

function TestParseReply(t)
  local raw = omapi.unhex(UPDATE_PROBE1)
  eq(t, #raw, 131, "vector length")
  local m = must(t, omapi.message.parse(raw))
  eq(t, m.op, omapi.UPDATE, "op")
  eq(t, m.handle, 2, "handle")
  eq(t, m.tid, 0x7ddc9d7e, "tid")
  eq(t, m.rid, 0x6b8b456b, "rid")
  eq(t, m.authid, 1, "authid")
  eq(t, #m.signature, 16, "signature")
  local o = m.object
  eq(t, o["ip-address"], "10.99.0.5", "ip-address")
  eq(t, o.name, "probe1", "name")
  eq(t, o["hardware-address"], "00:11:22:33:44:55", "hardware-address")
  eq(t, o["hardware-type"], 1, "hardware-type")
  eq(t, count(m.message), 0, "no message values")
  -- wire order, raw
  local items = m:items("object", true)
  eq(t, items[1][1], "ip-address", "first value")
  eq(t, items[1][2], "\10\99\0\5", "raw first value")
  -- bytes() gives back exactly what was parsed, and re-signing agrees
  eq(t, m:bytes(), raw, "bytes() of a parsed message")
  eq(t, m:bytes(SECRET), raw, "re-signed")
  local s = tostring(m)
  contains(t, s, "update", "tostring")
  contains(t, s, 'name="probe1"', "tostring")
  contains(t, s, "rid=" .. 0x6b8b456b, "tostring")
  -- with an explicit decoding type
  local j = omapi.json(m)
  contains(t, j, '"ip-address":"10.99.0.5"', "json")
  contains(t, j, '"op":"update"', "json")
end

function TestParseStatus(t)
  local m = must(t, omapi.message.parse(omapi.unhex(STATUS_EXISTS)))
  eq(t, m.op, omapi.STATUS, "op")
  eq(t, m.message.result, 18, "result")
  eq(t, m.message.message, "specified object already exists", "message")
  contains(t, tostring(m), "already exists (18)", "tostring")
end

function TestParseBad(t)
  local raw = omapi.unhex(UPDATE_PROBE1)
  fails(t, "protocol", omapi.message.parse(raw:sub(1, 50)))
  fails(t, "protocol", omapi.message.parse(raw .. "x"))
  fails(t, "protocol", omapi.message.parse(""))
  -- a value length over the whole message
  fails(t, "protocol", omapi.message.parse(raw:sub(1, 28) .. "\255\255\255\255"))
  raises(t, "bad argument #1 to 'message.parse'", omapi.message.parse, 5)
end

function TestMessageFields(t)
  local m = omapi.message.new{op = omapi.REFRESH, handle = 7}
  eq(t, m.op, omapi.REFRESH, "op")
  eq(t, m.handle, 7, "handle")
  ok(t, m.tid > 0, "a fresh tid")
  ok(t, omapi.message.new{op = 1}.tid ~= m.tid, "tids differ")
  eq(t, omapi.message.new{op = 1, tid = 0}.tid, 0, "tid 0 when asked")
  eq(t, m.rid, 0, "rid")
  eq(t, m.authid, 0, "authid")
  m.op = "delete"
  eq(t, m.op, omapi.DELETE, "op by name")
  m.handle, m.tid, m.rid, m.authid = 1, 2, 3, 4
  eq(t, m.handle + m.tid + m.rid + m.authid, 10, "set header fields")
  m.message = {type = "lease"}
  eq(t, m.message.type, "lease", "m.message")
  eq(t, m.type, "lease", "m.type")
  m.object = {["ip-address"] = "192.0.2.1", state = 2, flag = true, other = "x"}
  eq(t, m.object["ip-address"], "192.0.2.1", "ip decodes by lease schema")
  eq(t, m.object.state, 2, "u32")
  eq(t, m.object.flag, "\0\0\0\1", "unknown boolean is 4 bytes, decoded raw")
  eq(t, m.object.other, "x", "unknown string")
  m:update_object{state = 3}
  eq(t, m.object.state, 3, "update_object replaces")
  eq(t, #m:items("object"), 4, "still four values")
  m:update_message{create = true}
  eq(t, m.message.create, true, "update_message: booleans decode as booleans")
  eq(t, m:update_object{x = 1}, m, "update_object returns m")
  m.object = nil
  eq(t, count(m.object), 0, "cleared")
  for _, name in ipairs{"open", "update", "delete", "refresh"} do
    local mm = name == "open" and omapi.message.open("host") or omapi.message[name](3)
    eq(t, mm.op, omapi[string.upper(name)], "omapi.message." .. name)
  end
  eq(t, omapi.message.open("host").message.type, "host", "open's type")
  eq(t, omapi.message.update(9).handle, 9, "update's handle")
  eq(t, omapi.OPEN + omapi.REFRESH + omapi.UPDATE + omapi.NOTIFY + omapi.STATUS + omapi.DELETE, 21, "opcodes")
end

function TestMessageMisuse(t)
  local m = omapi.message.open("host")
  raises(t, "cannot set field", function() m.bogus = 1 end)
  raises(t, {"op", "unknown opcode"}, function() m.op = "launch" end)
  raises(t, {"handle", "integer"}, function() m.handle = -1 end)
  raises(t, {"handle", "integer"}, function() m.handle = 1.5 end)
  raises(t, "object", function() m.object = 5 end)
  raises(t, {"bad argument #1 to 'message.new'", "op"}, omapi.message.new, {handle = 1})
  raises(t, {"bad argument #1 to 'message.new'", "unknown field"}, omapi.message.new, {op = 1, bogus = 1})
  raises(t, "bad argument #1 to 'message.update'", omapi.message.update, "x")
  raises(t, "bad argument #1 to 'message.open'", omapi.message.open, nil)
  raises(t, {"bad argument #1 to 'bytes'", "secret"}, m.bytes, m, "%%%")
  raises(t, {"bad argument #2 to 'bytes'", "algorithm"}, m.bytes, m, SECRET, "rot13")
  raises(t, "bad self", m.bytes, "x")
  raises(t, {"bad argument #1 to 'items'"}, m.items, m, "header")
  raises(t, {"bad argument #1 to 'update_object'", "ip-address"}, m.update_object, m, {["ip-address"] = "nope"})
end

function TestQuerySeedSequence(t)
  -- the seed's custom integration: open a host by name, take the handle,
  -- build an UPDATE by hand, send it, read the STATUS
  local conn = connect(t)
  local name, mac = "msg-h1", "00:00:5e:00:53:c1"
  must(t, conn:create("host", {name = name, mac = mac}))
  local h = must(t, conn:open("host", {name = name}))
  local m = omapi.message.update(h.handle)
  m:update_object{group = LAB.group}
  local before = m.tid
  local reply = must(t, conn:query(m))
  eq(t, reply.op, omapi.STATUS, "reply op")
  eq(t, reply.message.result, 0, "result")
  eq(t, reply.rid, m.tid, "reply answers the id the connection gave m")
  ok(t, m.tid ~= 0, "m.tid set")
  t:log("tid before " .. before .. ", sent as " .. m.tid)
  -- a failing STATUS is data here
  m = omapi.message.update(h.handle)
  m:update_object{group = "no-such-group"}
  reply = must(t, conn:query(m))
  eq(t, reply.op, omapi.STATUS, "reply op")
  eq(t, reply.message.result, 23, "result")
  -- an OPEN by hand
  m = omapi.message.open("host")
  m:update_object{name = name}
  reply = must(t, conn:query(m))
  eq(t, reply.op, omapi.UPDATE, "open reply")
  eq(t, reply.handle, h.handle, "handle")
  eq(t, reply.object.name, name, "decoded as a host")
  eq(t, reply.object["hardware-address"], mac, "mac decoded")
  eq(t, reply.type, "host", "reply.type")
  -- a REFRESH reply is typed from what the connection knows of the handle
  reply = must(t, conn:query(omapi.message.refresh(h.handle)))
  eq(t, reply.object["hardware-address"], mac, "refresh reply decoded")
  -- not found
  m = omapi.message.open("host")
  m:update_object{name = "no-such-host"}
  reply = must(t, conn:query(m))
  eq(t, reply.op, omapi.STATUS, "status")
  eq(t, reply.message.result, 23, "not found")
  eq(t, reply.message.message, "no object matches specification", "server text")
  -- NOTIFY is refused by dhcpd with a status
  reply = must(t, conn:query(omapi.message.new{op = omapi.NOTIFY}))
  eq(t, reply.op, omapi.STATUS, "notify status")
  eq(t, reply.message.result, 27, "not implemented")
  -- DELETE by hand
  reply = must(t, conn:query(omapi.message.delete(h.handle)))
  eq(t, reply.message.result, 0, "delete")
  fails(t, "not-found", conn:open("host", {name = name}))
  -- requests dhcpd would drop the connection for are refused
  raises(t, {"bad argument #1 to 'query'", "rid"}, conn.query, conn, omapi.message.new{op = 1, rid = 5})
  raises(t, {"bad argument #1 to 'query'", "status"}, conn.query, conn, omapi.message.new{op = omapi.STATUS})
  raises(t, {"bad argument #1 to 'query'", "op(9)"}, conn.query, conn, omapi.message.new{op = 9})
  -- what would crash dhcpd is the write policy's: refused, nothing sent
  local msg = fails(t, "refused", conn:query(omapi.message.new{op = omapi.UPDATE, handle = h.handle, object = {name = ""}}))
  assert(msg:find("zero%-length") and msg:find("force=true"), msg)
  raises(t, {"bad argument #1 to 'query'", "omapi.message expected"}, conn.query, conn, {})
  -- the connection still works
  eq(t, must(t, conn:lookup_ip(LAB.active.mac)), LAB.active.ip, "still usable")
  conn:close()
end
