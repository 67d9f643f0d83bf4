-- omapi.connect, the connection's fields, close, and connection failures.

function TestConnectDefaultProfile(t)
  local conn = connect(t)
  eq(t, conn.address, LAB.address, "conn.address")
  eq(t, conn.key_name, LAB.key_name, "conn.key_name")
  eq(t, conn.algorithm, LAB.algorithm, "conn.algorithm")
  eq(t, conn.profile, "lab", "conn.profile")
  eq(t, conn.timeout, 5, "conn.timeout")
  eq(t, conn.closed, false, "conn.closed")
  local s = tostring(conn)
  contains(t, s, LAB.address, "tostring(conn)")
  contains(t, s, LAB.key_name, "tostring(conn)")
  ok(t, not string.find(s, LAB.secret, 1, true), "tostring(conn) shows the secret")
  eq(t, conn:lookup_ip(LAB.active.mac), LAB.active.ip, "lookup_ip")
  eq(t, conn:close(), true, "close")
  eq(t, conn.closed, true, "conn.closed after close")
  eq(t, conn:close(), true, "second close")
end

function TestConnectByName(t)
  local conn = must(t, omapi.connect("lab"))
  eq(t, conn.profile, "lab", "conn.profile")
  eq(t, must(t, conn:lookup_mac(LAB.active.ip)), LAB.active.mac, "lookup_mac")
  conn:close()
  -- require gives the same module
  local m = require("omapi")
  eq(t, m, omapi, "require('omapi')")
end

function TestConnectTable(t)
  local conn = must(t, omapi.connect{address = LAB.address, key_name = LAB.key_name,
    secret = LAB.secret, algorithm = LAB.algorithm, timeout = "3s"})
  eq(t, conn.profile, nil, "conn.profile")
  eq(t, conn.timeout, 3, "conn.timeout")
  eq(t, conn.key_name, LAB.key_name, "conn.key_name")
  eq(t, must(t, conn:lookup_ip(LAB.active.mac)), LAB.active.ip, "lookup_ip")
  conn:close()
  -- fields override the profile
  conn = must(t, omapi.connect{profile = "lab", timeout = 2.5})
  eq(t, conn.timeout, 2.5, "conn.timeout")
  eq(t, conn.profile, "lab", "conn.profile")
  conn:close()
  -- a table without address starts from the default profile
  conn = must(t, omapi.connect{timeout = 1})
  eq(t, conn.address, LAB.address, "conn.address")
  conn:close()
end

function TestConnectWrongSecret(t)
  -- a valid base64 secret that is not the key's
  local msg = fails(t, "auth", omapi.connect{address = LAB.address, key_name = LAB.key_name,
    secret = "c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0"})
  ok(t, not string.find(msg, "c2VjcmV0", 1, true), "the message shows the secret: " .. msg)
  t:log("wrong secret: " .. msg)
end

function TestConnectUnknownKey(t)
  local msg = fails(t, "auth", omapi.connect{address = LAB.address, key_name = "no-such-key",
    secret = LAB.secret})
  contains(t, msg, "no-such-key", "message")
end

function TestConnectNotOMAPIKey(t)
  -- a key dhcpd.conf defines but that is not the omapi-key
  local msg = fails(t, "auth", omapi.connect{address = LAB.address, key_name = LAB.other_key_name,
    secret = LAB.other_secret})
  contains(t, msg, LAB.other_key_name, "message")
end

function TestConnectUnsigned(t)
  -- dhcpd requires the key: an unsigned connection opens, and the first
  -- request fails with "auth"
  local conn = must(t, omapi.connect(LAB.address))
  eq(t, conn.key_name, nil, "conn.key_name")
  contains(t, tostring(conn), "unsigned", "tostring(conn)")
  fails(t, "auth", conn:lookup_ip(LAB.active.mac))
  conn:close()
end

function TestConnectRefused(t)
  local msg = fails(t, "io", omapi.connect("127.0.0.1:1"))
  contains(t, msg, "127.0.0.1:1", "message")
  msg = fails(t, "io", omapi.connect{address = "127.0.0.1:1", key_name = LAB.key_name, secret = LAB.secret})
  ok(t, not string.find(msg, LAB.secret, 1, true), "the message shows the secret")
end

function TestConnectMisuse(t)
  raises(t, {"bad argument #1 to 'connect'", "number"}, omapi.connect, 7911)
  raises(t, {"bad argument #1 to 'connect'", "boolean"}, omapi.connect, true)
  raises(t, {"no profile", "nosuchprofile"}, omapi.connect, "nosuchprofile")
  raises(t, {"unknown field", "bogus"}, omapi.connect, {bogus = 1})
  raises(t, "timeout", omapi.connect, {address = LAB.address, timeout = -1})
  raises(t, "timeout", omapi.connect, {address = LAB.address, timeout = "soon"})
  raises(t, "algorithm", omapi.connect, {address = LAB.address, key_name = "k", secret = LAB.secret, algorithm = "rot13"})
  raises(t, "needs a secret", omapi.connect, {address = LAB.address, key_name = "k"})
  raises(t, "without key_name", omapi.connect, {address = LAB.address, secret = LAB.secret})
  raises(t, "invalid address", omapi.connect, "10.0.0.1:http")
  raises(t, {"secret and secret_env", "only one"}, omapi.connect,
    {address = LAB.address, key_name = "k", secret = LAB.secret, secret_env = "HOME"})
  raises(t, {"secret_env", "OMAPISH_NO_SUCH_VARIABLE is not set"}, omapi.connect,
    {address = LAB.address, key_name = "k", secret_env = "OMAPISH_NO_SUCH_VARIABLE"})
  raises(t, {"secret_file", "/nonexistent/omapish-secret"}, omapi.connect,
    {address = LAB.address, key_name = "k", secret_file = "/nonexistent/omapish-secret"})
  -- an address with a port is not a profile, and the error says how to write it
  raises(t, {"no profile", 'omapi.connect("192.0.2.9:7911")'}, omapi.connect, {profile = "192.0.2.9:7911"})
  local err = raises(t, "secret", omapi.connect, {address = LAB.address, key_name = "k", secret = "!!not base64 at all!!"})
  ok(t, not string.find(err, "not base64 at all", 1, true), "the error shows the secret: " .. err)
end

function TestClosedConnection(t)
  local conn = connect(t)
  conn:close()
  raises(t, {"lookup_ip", "closed"}, conn.lookup_ip, conn, LAB.active.mac)
  raises(t, {"open", "closed"}, conn.open, conn, "host", {name = "x"})
  raises(t, {"query", "closed"}, conn.query, conn, omapi.message.open("host"))
  raises(t, {"lookup_many", "closed"}, conn.lookup_many, conn, "lease", {})
end

function TestConnFieldsReadOnly(t)
  local conn = connect(t)
  raises(t, "read-only", function() conn.address = "x" end)
  eq(t, conn.nonexistent, nil, "unknown field")
  conn:close()
end
