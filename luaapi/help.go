package luaapi

import (
	"fmt"
	"strings"

	lua "github.com/yuin/gopher-lua"
)

// Doc documents one function, method, field or constant of the module.
// Name is how a script reaches it: "omapi.connect", "omapi.message.new",
// "conn:lookup_ip" (a method of a connection), "obj:update", "m:bytes",
// "conn.address" (a field).
type Doc struct {
	Name      string
	Signature string // e.g. "conn:lookup_ip(mac) -> ip"
	Summary   string // one line
	Detail    string // more lines, may be ""
}

// docs is the module's documentation, in the order help lists it.
var docs = []Doc{
	// Connections.
	{"omapi.connect", `omapi.connect([profile | "host:port" | {address=, key_name=, secret=, algorithm=, timeout=, profile=}]) -> conn`,
		"Connect to an OMAPI server and open the key.",
		`With no argument: the default profile. A string with ":", an IP address or a dotted host
name is an address (unsigned, unless given in a table with key_name and secret), any other
string a profile name. In a table, fields override the profile named by profile= (or the
default profile when no address is given); secret is base64, timeout is seconds or "5s".
Fails with nil, message, code ("io", "auth", "timeout", ...).`},
	{"conn:close", "conn:close() -> true", "Close the connection; later calls on it raise an error.", ""},
	{"conn.address", "conn.address", "The server address, host:port.", ""},
	{"conn.key_name", "conn.key_name", "The key's name; nil when the connection is unsigned.", ""},
	{"conn.algorithm", "conn.algorithm", `The key's algorithm, e.g. "hmac-md5"; nil when unsigned.`, ""},
	{"conn.profile", "conn.profile", "The profile the connection came from, or nil.", ""},
	{"conn.timeout", "conn.timeout", "The timeout of each request, in seconds.", ""},
	{"conn.closed", "conn.closed", "Whether the connection was closed.", ""},

	// pypureomapi's operations.
	{"conn:lookup_ip", "conn:lookup_ip(mac) -> ip", "The IP address of the lease held by a MAC address.", ""},
	{"conn:lookup_mac", "conn:lookup_mac(ip) -> mac", "The MAC address of the lease on an IP address.", ""},
	{"conn:lookup_ip_host", "conn:lookup_ip_host(mac) -> ip", "The fixed address of the host with a MAC address.", ""},
	{"conn:lookup_hostname", "conn:lookup_hostname(ip) -> name", "The client-hostname of the lease on an IP address.", ""},
	{"conn:lookup_host", "conn:lookup_host(name) -> {ip=, mac=, hostname=}", "A host by name.", ""},
	{"conn:lookup_host_by_ip", "conn:lookup_host_by_ip(ip) -> {ip=, mac=, hostname=}",
		"The host whose lease is on an IP address.", "dhcpd finds a host by IP through the lease table, not its fixed address."},
	{"conn:lookup_host_host", "conn:lookup_host_host(mac) -> {ip=, mac=, name=}", "A host by MAC address.", ""},
	{"conn:lookup_by_host", "conn:lookup_by_host{mac=, ip=, name=, <attribute>=, raw=} -> table",
		"Every attribute of a host found by any keys, decoded.",
		`Keys: mac (hardware-address, sent with hardware-type 1), ip (ip-address), name, or any
attribute name ("_" becomes "-"). The result is keyed by wire names ("ip-address"). raw=true
gives undecoded byte strings.`},
	{"conn:lookup_by_lease", "conn:lookup_by_lease{mac=, ip=, <attribute>=, raw=} -> table",
		"Every attribute of a lease found by any keys, decoded.", "As lookup_by_host; lease times are epoch seconds."},
	{"conn:lookup_by_failoverstate", "conn:lookup_by_failoverstate{name=, raw=} -> table",
		"Every attribute of a failover peer's state, decoded.",
		"partner-address and local-address come as raw bytes: dhcpd 4.4.3 sends garbage there."},
	{"conn:lookup_failoverstate", "conn:lookup_failoverstate(name, attribute) -> value",
		"One decoded attribute of a failover peer's state.", ""},
	{"conn:add_host", "conn:add_host(ip, mac) -> true", "Create a host with a fixed address.", ""},
	{"conn:add_host_supersede_name", "conn:add_host_supersede_name(ip, mac, name) -> true",
		"Create a host called name whose host-name option is name.", ""},
	{"conn:add_host_without_ip", "conn:add_host_without_ip(mac) -> true", "Create a host with no fixed address.", ""},
	{"conn:add_host_supersede", "conn:add_host_supersede(ip, mac, name [, hostname, router, domain]) -> true",
		"Create a host with supersede statements for the options given.", "Sent without exclusive, as pypureomapi does."},
	{"conn:add_group", "conn:add_group(name, statements) -> true", "Create a group with dhcpd.conf statements.", ""},
	{"conn:add_host_with_group", "conn:add_host_with_group(ip, mac, group) -> true", "Create a host in a named group.", ""},
	{"conn:change_group", "conn:change_group(name, group) -> true", "Move the host called name into a named group.", ""},
	{"conn:del_host", "conn:del_host(mac) -> true", "Delete the host with a MAC address.", ""},

	// Objects.
	{"conn:open", "conn:open(type, keys [, {create=, exclusive=, update=, force=}]) -> obj",
		"Look up (or create) an object of any type by keys.",
		`keys is a map {name=value} (sent in name order) or an array of {name, value} pairs (sent in
that order); mac, ip and "_" for "-" work as in lookup_by_host. Values convert by the
attribute's wire type. Types: lease, host, group, class, subclass, failover-state, control,
interface, authenticator, ... (omapi.types).`},
	{"conn:create", "conn:create(type, values [, {force=}]) -> obj", "Create an object (open with create and exclusive).", ""},
	{"conn:refresh", "conn:refresh(handle [, type]) -> obj",
		"Read an object by handle, e.g. the pool handle of a lease.", "type decides how values decode; by default the type last seen for that handle."},
	{"obj.type", "obj.type", "The object's type.", ""},
	{"obj.handle", "obj.handle", "The server's handle of the object.", ""},
	{"obj[name]", "obj[name]", `An attribute, decoded (obj["ip-address"], obj.ip_address, obj.ip); nil when absent.`, ""},
	{"obj:attrs", "obj:attrs([raw]) -> table", "All attributes as a plain table (raw: undecoded byte strings).", ""},
	{"obj:update", "obj:update(values [, {force=}]) -> true",
		"Change attributes of the object (UPDATE by handle).",
		`The local copy then holds the values sent (dhcpd sends nothing back; obj:refresh() re-reads).
Setting control state 2 (shutdown) asks first; a script must pass {force=true}.`},
	{"obj:refresh", "obj:refresh() -> obj", "Re-read the object from the server.", ""},
	{"obj:delete", "obj:delete([{force=}]) -> true",
		"Delete the object.", "Deleting an interface asks first; a script must pass {force=true}."},

	// Raw messages.
	{"omapi.message.open", "omapi.message.open(type) -> m", "A new OPEN message for an object type (add keys with m:update_object).", ""},
	{"omapi.message.update", "omapi.message.update(handle) -> m", "A new UPDATE message for a handle.", ""},
	{"omapi.message.delete", "omapi.message.delete(handle) -> m", "A new DELETE message for a handle.", ""},
	{"omapi.message.refresh", "omapi.message.refresh(handle) -> m", "A new REFRESH message for a handle.", ""},
	{"omapi.message.new", "omapi.message.new{op=, handle=, tid=, rid=, authid=, message={}, object={}, signature=, type=} -> m",
		"A message with any fields; a missing tid gets a fresh random one.",
		`op is a number (omapi.OPEN, ...) or a name ("open"). Value lists are maps (sent in name
order) or arrays of {name, value} pairs (sent in that order). Raw messages keep names exactly
as written. type= only says how object values decode.`},
	{"omapi.message.parse", "omapi.message.parse(bytes) -> m", "Decode one whole message from its wire bytes (e.g. from a capture).", ""},
	{"m.op", "m.op", "The opcode (settable: number or name).", ""},
	{"m.handle", "m.handle", "The handle (settable).", ""},
	{"m.tid", "m.tid", "The transaction id (settable).",
		"conn:query gives the message the connection's next id and leaves it in m.tid."},
	{"m.rid", "m.rid", "The id of the request a reply answers (settable).", ""},
	{"m.authid", "m.authid", "The key's handle the message is signed with (settable).", ""},
	{"m.message", "m.message", "The message values, decoded (settable with a value list).", ""},
	{"m.object", "m.object", "The object values, decoded (settable with a value list).", ""},
	{"m.signature", "m.signature", "The signature bytes, or nil.", ""},
	{"m:update_object", "m:update_object(values) -> m", "Set object values (replacing those of the same name).", ""},
	{"m:update_message", "m:update_message(values) -> m", "Set message values (replacing those of the same name).", ""},
	{"m:bytes", "m:bytes([secret [, algorithm]]) -> bytes",
		"The message's wire bytes, signed when a base64 secret is given (authid as set on m).", ""},
	{"m:items", `m:items("message"|"object" [, raw]) -> {{name, value}, ...}`, "The values of a list in wire order.", ""},
	{"conn:query", "conn:query(m [, {force=}]) -> reply",
		"Send a raw message and return the reply, whatever its op.",
		`A STATUS reply is data here, not a failure: check reply.op == omapi.STATUS and
reply.message.result. The connection signs the message and gives it its own id (left in m.tid).`},

	// Bulk operations.
	{"conn:lookup_many", "conn:lookup_many(type, {keys, ...} [, {raw=, fields=}]) -> {result, ...}",
		"Look up many objects at once, pipelined.",
		`Each entry is a key table as for lookup_by_host. The results come in the same order: the
attribute table of the object found, or {error=message, code=code} for a request that failed.
A transport failure fails the whole call with nil, message, code. A large batch is spread
over up to eight connections to the server (opened on first use, closed with conn).
Options: raw=true gives undecoded bytes; fields={"state", "mac", ...} keeps only those
attributes in each table (much cheaper for many results).`},
	{"conn:lookup_each", "conn:lookup_each(type, {keys, ...}, function(i, result) ... end [, {raw=, fields=}]) -> count",
		"Look up many objects, pipelined, handing each result to a function as it arrives.",
		`As lookup_many (with its options), but the function is called with each result (i counts from 1, in the order
of the keys) while later lookups are still in flight, so the script's own work overlaps with
the server's, and the results are not all held at once. The function returning false stops
the lookups. Returns how many results the function had. A transport failure returns nil,
message, code, the message saying how many results came before it. Inside the function
this connection is busy: use another one (omapi.connect) for other requests.`},
	{"conn:open_many", "conn:open_many(type, {keys, ...} [, {create=, exclusive=, update=, force=}]) -> {obj | {error=, code=}, ...}",
		"Open many objects at once, pipelined.", ""},
	{"conn:create_many", "conn:create_many(type, {values, ...} [, {force=}]) -> {obj | {error=, code=}, ...}",
		"Create many objects at once, pipelined.", ""},
	{"conn:delete_many", "conn:delete_many({obj | handle, ...} [, {force=}]) -> {true | {error=, code=}, ...}",
		"Delete many objects at once, pipelined.", ""},
	{"conn:query_many", "conn:query_many({m, ...} [, {force=}]) -> {reply, ...}",
		"Send many raw messages at once, pipelined, and return the replies in order.", ""},

	// Values and helpers.
	{"omapi.u32", "omapi.u32(n) -> value", "Force a 4-byte big-endian integer.", ""},
	{"omapi.ip", "omapi.ip(s | {s, ...}) -> value", "Force an IPv4 address (4 bytes; several for a list).", ""},
	{"omapi.mac", "omapi.mac(s) -> value", "Force a hardware address.", ""},
	{"omapi.raw", "omapi.raw(s) -> value", "Force raw bytes, sent as they are.", ""},
	{"omapi.pack_ip", "omapi.pack_ip(ip) -> bytes", "The 4 bytes of a dotted IPv4 address.", ""},
	{"omapi.unpack_ip", "omapi.unpack_ip(bytes) -> ip", "Dotted text of 4 bytes.", ""},
	{"omapi.pack_mac", "omapi.pack_mac(mac) -> bytes", "The bytes of a MAC address.", ""},
	{"omapi.unpack_mac", "omapi.unpack_mac(bytes) -> mac", "aa:bb:cc:dd:ee:ff text of bytes.", ""},
	{"omapi.hexdump", "omapi.hexdump(s) -> text", "A hexdump -C style dump of a byte string.", ""},
	{"omapi.unhex", "omapi.unhex(text) -> bytes", "Bytes of hex text, with or without separators, or of a pasted hexdump -C dump.", ""},
	{"omapi.json", "omapi.json(v [, indent]) -> text",
		"JSON of a value: objects as name -> value, strings that are not text as hex.", "indent is true (two spaces) or a string."},
	{"omapi.time", "omapi.time(epoch) -> text", `ISO 8601 UTC of epoch seconds; "never" for 0x7fffffff.`, ""},
	{"omapi.attributes", "omapi.attributes([type]) -> {name, ...}", "The attribute names the schema knows for a type (all types without one).", ""},
	{"omapi.help", "omapi.help([name])", "Print this help, or the help of one function.", ""},
	{"omapi.lease_states", "omapi.lease_states[n]", "Lease state names by number (1 free, 2 active, ...).", ""},
	{"omapi.failover_states", "omapi.failover_states[n]", "Failover state names by number.", ""},
	{"omapi.control_states", "omapi.control_states[n]", "Control object state names by number.", ""},
	{"omapi.types", "omapi.types", "The object types dhcpd exports.", ""},
	{"omapi.OPEN", "omapi.OPEN, REFRESH, UPDATE, NOTIFY, STATUS, DELETE", "Opcodes 1 to 6.", ""},
	{"omapi.NEVER", "omapi.NEVER", `The time dhcpd sends for "never" (0x7fffffff).`, ""},

	// dhcpd's own files.
	{"omapi.read_conf", "omapi.read_conf(path) -> {hosts=, groups=, subnets=, pools=, classes=, peers=, ...}",
		"The declarations of a dhcpd.conf (and the files it includes), read as dhcpd reads them.",
		`Each list is in file order; every record has file and line. Fields: omapi_port, omapi_key,
keys {name, algorithm} (never the secret), hosts {name, mac, hardware_type, client_id (bytes),
client_id_text (as written), addresses, ip (the first), group, statements, origin="conf"},
groups {name, statements}, shared_networks {name}, subnets {network ("192.0.2.0/24"),
address, netmask, shared_network, ranges {first, last, dynamic_bootp}, statements},
pools {subnet, shared_network, failover_peer, ranges, statements}, classes {name,
statements}, subclasses {class, data, statements}, peers {name, role, address, port,
peer_address, peer_port, statements}. Statements the reader does not model are kept as
text ("option routers 192.0.2.1;"). Includes are opened as dhcpd opens them, relative to
the current directory. Fails with nil, message, "io" when a file cannot be read, and
nil, message, "syntax", partial on a syntax error: message is "FILE line N, column C:
dhcpd's complaint", partial holds what came before, and partial.error {message, file,
line, column}.`},
	{"omapi.read_leases", "omapi.read_leases(path) -> {leases=, hosts=, groups=, peers=, ...}",
		"The current record of each lease and host of a dhcpd.leases, as dhcpd computes it on start-up.",
		`dhcpd appends a record for each change; the last record of an address or a name wins.
leases, in order of first appearance: {ip, state, next_state, rewind_state, starts, ends,
tstp, tsfp, atsfp, cltt (epoch seconds; ends is omapi.NEVER for never), mac, hardware_type,
client_id (bytes), client_id_text, hostname, vars (set NAME = VALUE), reserved, bootp,
statements, file, line}. hosts: the hosts created (dynamic=true) or deleted (deleted=true)
over OMAPI, fields as in read_conf, origin="omapi". groups {name, statements, dynamic,
deleted}; peers {name, my_state, my_time, partner_state, partner_time}; classes;
subclasses; server_duid; byte_order; records (how many records, history included).
A record without a binding state is active until its end, then free, as dhcpd makes
one up. Errors as read_conf; after a syntax error, partial holds the records before it,
which is what dhcpd keeps.`},
}

// Functions returns the documentation of every function, method, field
// and constant of the module, for the shell's help and completion.
func Functions() []Doc {
	return append([]Doc(nil), docs...)
}

func findDoc(name string) (Doc, bool) {
	for _, d := range docs {
		if d.Name == name {
			return d, true
		}
	}
	// Accept omapi.x for x, conn.lookup_ip for conn:lookup_ip, ...
	for _, d := range docs {
		short := d.Name[strings.LastIndexAny(d.Name, ".:")+1:]
		if short == name || strings.ReplaceAll(d.Name, ":", ".") == name {
			return d, true
		}
	}
	return Doc{}, false
}

func (m *module) help(L *lua.LState) int {
	c := call{L: L, name: "help"}
	w := m.stdout()
	if L.Get(1) == lua.LNil {
		fmt.Fprintln(w, `The omapi module. Failures return nil, message, code; misuse raises an error.`)
		for _, d := range docs {
			fmt.Fprintf(w, "  %-32s %s\n", d.Name, d.Summary)
		}
		fmt.Fprintln(w, `omapi.help("name") shows one entry.`)
		return 0
	}
	name := c.checkString(1, "function name")
	d, ok := findDoc(name)
	if !ok {
		c.argError(1, fmt.Sprintf("no help for %q", name))
	}
	fmt.Fprintf(w, "%s\n  %s\n", d.Signature, d.Summary)
	if d.Detail != "" {
		for _, line := range strings.Split(d.Detail, "\n") {
			fmt.Fprintf(w, "  %s\n", line)
		}
	}
	return 0
}
