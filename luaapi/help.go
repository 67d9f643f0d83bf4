package luaapi

import (
	"fmt"
	"io"
	"strings"

	lua "github.com/yuin/gopher-lua"

	"github.com/omapish/omapish/internal/policy"
	"github.com/omapish/omapish/omapi"
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

// Label is the text a help index shows for d: its signature, or its name.
func (d Doc) Label() string {
	if d.Signature != "" {
		return d.Signature
	}
	return d.Name
}

// WriteDoc writes d in full, as help("name") shows it: signature,
// summary, details.
func WriteDoc(w io.Writer, d Doc) {
	var b strings.Builder
	b.WriteString(d.Label() + "\n")
	if d.Summary != "" {
		b.WriteString("  " + d.Summary + "\n")
	}
	if d := strings.TrimSpace(d.Detail); d != "" {
		b.WriteString("\n")
		for _, l := range strings.Split(d, "\n") {
			if l == "" {
				b.WriteString("\n")
				continue
			}
			b.WriteString("  " + l + "\n")
		}
	}
	io.WriteString(w, b.String())
}

// WriteIndex writes one line per Doc, as help() lists them: the label,
// padded, and the summary.
func WriteIndex(w io.Writer, docs []Doc) {
	width := 0
	for _, d := range docs {
		width = max(width, len(d.Label()))
	}
	width = min(width, 40)
	var b strings.Builder
	for _, d := range docs {
		l := d.Label()
		if d.Summary == "" {
			b.WriteString("  " + l + "\n")
			continue
		}
		b.WriteString("  " + l + strings.Repeat(" ", max(width-len(l), 0)) + "  " + d.Summary + "\n")
	}
	io.WriteString(w, b.String())
}

// docs is the module's documentation, in the order help lists it.
var docs = []Doc{
	// Connections.
	{"omapi.connect", `omapi.connect([profile | "host:port" | {address=, key_name=, secret=, secret_file=, secret_env=, algorithm=, timeout=, profile=}]) -> conn`,
		"Connect to an OMAPI server and open the key.",
		`With no argument: the default profile (the first --server). A string with ":", an IP
address or a dotted host name is an address, any other string a profile name. An address
gets the command line's key (--key-name with --secret-file or $OMAPISH_SECRET), or none.
In a table, fields override the profile named by profile= (or the default profile when
no address is given; with an address alone, the command line's key); the secret is one
of secret (base64), secret_file (a path, mode 0600) or secret_env (a variable holding
the base64); timeout is seconds or "5s". Fails with nil, message, code ("io", "auth",
"timeout", ...).`},
	{"omapi.servers", "omapi.servers() -> {name, ...}",
		"The servers the command line (--server, repeated) or the configuration names, in order.",
		`Each name is a profile name or an address that omapi.connect takes: --server values in the
order given, else the configuration file's profiles in the order of the file. Empty when
there are neither. For example:
  for _, s in ipairs(omapi.servers()) do local c = assert(omapi.connect(s)) ... end`},
	{"conn:close", "conn:close() -> true", "Close the connection; later calls on it raise an error.", ""},
	{"conn.address", "conn.address", "The server address, host:port.", ""},
	{"conn.key_name", "conn.key_name", "The key's name; nil when the connection is unsigned.", ""},
	{"conn.algorithm", "conn.algorithm", `The key's algorithm, e.g. "hmac-md5"; nil when unsigned.`, ""},
	{"conn.profile", "conn.profile", "The profile the connection came from, or nil.", ""},
	{"conn.timeout", "conn.timeout", "The timeout of each request, in seconds.", ""},
	{"conn.closed", "conn.closed", "Whether the connection was closed.", ""},
	{"conn.state", "conn.state", `"open", "closed", "busy" (inside a lookup_each callback), "out-of-step" or "broken".`,
		`A request interrupted (Ctrl-C, a deadline) leaves the connection open: the reply still due
is read and dropped before the next request. Only when that cannot be (a request half
written, the reply due not coming within the timeout) is it "out-of-step": the next request
opens a new connection first (conn.reconnects counts them); object handles stay valid, as
they are dhcpd's. "broken" is a failure of the server (closed, silent, garbage): connect anew.`},
	{"conn.reconnects", "conn.reconnects", "How many times a new connection replaced one out of step (0: still the one opened).", ""},

	// pypureomapi's operations.
	{"conn:lookup_ip", "conn:lookup_ip(mac) -> ip", "The IP address of the lease held by a MAC address.", ""},
	{"conn:lookup_mac", "conn:lookup_mac(ip) -> mac", "The MAC address of the lease on an IP address.", ""},
	{"conn:lookup_ip_host", "conn:lookup_ip_host(mac) -> ip", "The fixed address of the host with a MAC address.", ""},
	{"conn:lookup_hostname", "conn:lookup_hostname(ip) -> name", "The client-hostname of the lease on an IP address.", ""},
	{"conn:lookup_host", "conn:lookup_host(name) -> {ip=, mac=, hostname=}", "A host by name.", ""},
	{"conn:lookup_host_by_ip", "conn:lookup_host_by_ip(ip) -> {ip=, mac=, hostname=}",
		"The host whose lease is on an IP address.",
		`dhcpd finds a host by IP only through the lease of that address (the host with the lease's
MAC), never by a fixed address. Not found, the message says which link is missing: no lease
has the address (a fixed address without a lease), or no host has the lease's MAC.`},
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
	{"conn:open", "conn:open(type, keys [, {create=, exclusive=, update=, force=, raw=}]) -> obj",
		"Look up (or create) an object of any type by keys.",
		`keys is a map {name=value} (sent in name order) or an array of {name, value} pairs (sent in
that order); mac, ip and "_" for "-" work as in lookup_by_host. Values convert by the
attribute's wire type (bytes by the rule of help("bytes")). Types: lease, host, group, class,
subclass, failover-state, control, interface, authenticator, ... (omapi.types). Checked by the
write policy (see omapi.check): unknown attribute names and keys dhcpd ignores are refused
unless raw=true or omapi.raw; a lookup without a key dhcpd finds the type by is refused,
naming those keys (help("keys")): dhcpd would answer with a new, empty object as if found.`},
	{"conn:create", "conn:create(type, values [, {force=, raw=}]) -> obj", "Create an object (open with create and exclusive).",
		"Checked by the write policy first (see omapi.check)."},
	{"conn:refresh", "conn:refresh(handle [, type]) -> obj",
		"Read an object by handle, e.g. the pool handle of a lease.",
		`type decides how values decode; by default the type this connection last saw for that
handle, else the type learned from the attributes dhcpd sends (handles are server-wide: one
from another connection or a trace works). When they fit several types it asks dhcpd (an OPEN
of each candidate by handle, which changes nothing); when the type still cannot be known
(a class or subclass, a subnet or shared-network) obj.type is nil and a second result says
why: local obj, note = conn:refresh(h).`},
	{"obj.type", "obj.type", "The object's type; nil when it cannot be known (see conn:refresh).", ""},
	{"obj.handle", "obj.handle", "The server's handle of the object.", ""},
	{"obj[name]", "obj[name]", `An attribute, decoded (obj["ip-address"], obj.ip_address, obj.ip); nil when absent.`, ""},
	{"obj:attrs", "obj:attrs([raw]) -> table", "All attributes as a plain table (raw: undecoded byte strings).", ""},
	{"obj:update", "obj:update(values [, {force=, raw=}]) -> true [, unchanged]",
		"Change attributes of the object (UPDATE by handle), then read it back.",
		`The object then holds what the server holds, not what was sent. dhcpd answers success to
some writes it ignores (a failover-state's mclt, a lease's client-hostname): their names come
back, sorted, as a second result: local ok, unchanged = obj:update{...}.
Failover states and lease states can be given by name: {["local-state"] = "partner-down"}.
Checked by the write policy first (see omapi.check); setting control state 2 (shutdown) or a
failover local-state asks first, and a script must pass {force=true}.`},
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
reply.message.result. The connection signs the message and gives it its own id (left in m.tid).
The message goes through the write policy as the object API's requests do (nil, message,
"refused"); {force=true} sends it unchecked and unasked: the protocol explorer's way to
send anything, e.g. to reproduce a crash in omapish lab.`},

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
	{"omapi.raw", "omapi.raw(s) -> value", "Force raw bytes, sent as they are.",
		`Exactly the bytes of s, whatever the attribute: omapi.raw("01:02") is 5 bytes, where a
bytes attribute given "01:02" gets 2 (help("bytes")). The attribute's name is then not
checked against the schema (for exploring).`},
	{"omapi.check", "omapi.check(type, values [, {create=, update=, lookup=, raw=}]) -> true | nil, message, \"refused\"",
		"Check a write against the write policy without sending anything.",
		`Every write is checked before it is sent (a failure with code "refused", nothing sent,
{force=true} or not); omapi.check lets a script refuse a whole plan up front. values are
written by UPDATE by default; create= or update= check an OPEN that writes, lookup= keys.
Refused: what crashes dhcpd 4.4.3 (a failover local-state outside its states, a zero-length
value); what it would write to its leases file and not read back at the next start (host
names other than dotted names of letters, digits, '-' and '_'; group names that are not one
such name or are a number; class and subclass names and printable hash strings with '"' or
'\\' or over 1499 bytes; parts of names over 1499 bytes; statements with an escaped '"' or '\\'
in a string; a lease attribute dhcpd has no setter for, such as tstp, which becomes a
garbage binding variable); attribute names a type does not have, and lookup keys dhcpd
ignores (with a "did you mean"), unless the value is wrapped with omapi.raw or raw=true.`},
	{"bytes", `help("bytes")`, "How text becomes the bytes of a bytes attribute (hashstring, dhcp-client-identifier, ...).", bytesRule},
	{"keys", `help("keys")`, "The keys dhcpd finds each object type by, and the attributes it creates one with.", KeysTable()},
	{"omapi.pack_ip", "omapi.pack_ip(ip) -> bytes", "The 4 bytes of a dotted IPv4 address.", ""},
	{"omapi.unpack_ip", "omapi.unpack_ip(bytes) -> ip", "Dotted text of 4 bytes.", ""},
	{"omapi.pack_mac", "omapi.pack_mac(mac) -> bytes", "The bytes of a MAC address.", ""},
	{"omapi.unpack_mac", "omapi.unpack_mac(bytes) -> mac", "aa:bb:cc:dd:ee:ff text of bytes.", ""},
	{"omapi.hexdump", "omapi.hexdump(s) -> text", "A hexdump -C style dump of a byte string.", ""},
	{"omapi.unhex", "omapi.unhex(text) -> bytes", "Bytes of hex text, with or without separators, or of a pasted hexdump -C dump.",
		`A byte string, sent as it is by the bytes rule (help("bytes")) unless its bytes are
themselves text of the form xx:xx (wrap with omapi.raw to be exact whatever they are).`},
	{"omapi.json", "omapi.json(v [, indent]) -> text",
		"JSON of a value: objects as name -> value, strings that are not text as hex.", "indent is true (two spaces) or a string."},
	{"omapi.sleep", "omapi.sleep(seconds)", "Wait that many seconds (a fraction too), e.g. between polls; Ctrl-C ends it.", ""},
	{"omapi.time", "omapi.time(epoch) -> text", `ISO 8601 UTC of epoch seconds; "never" for 0x7fffffff.`, ""},
	{"omapi.attributes", "omapi.attributes([type]) -> {name, ...}", "The attribute names the schema knows for a type (all types without one).", ""},
	{"omapi.help", "omapi.help([name])", "Print this help, or the help of one function.", ""},
	{"omapi.lease_states", "omapi.lease_states[n]", "Lease state names by number (1 free, 2 active, ...).", ""},
	{"omapi.failover_states", "omapi.failover_states[n]", "Failover state names by number, and numbers by name.",
		`omapi.failover_states["partner-down"] is 4; lease_states and control_states work the same way.`},
	{"omapi.control_states", "omapi.control_states[n]", "Control object state names by number.", ""},
	{"omapi.types", "omapi.types", "The object types dhcpd exports.", ""},
	{"omapi.OPEN", "omapi.OPEN, REFRESH, UPDATE, NOTIFY, STATUS, DELETE", "Opcodes 1 to 6.", ""},
	{"omapi.NEVER", "omapi.NEVER", `The time dhcpd sends for "never" (0x7fffffff).`, ""},

	// dhcpd's own files.
	{"omapi.dhcpd_files", "omapi.dhcpd_files() -> {conf=, leases=, lab=}",
		"Where dhcpd's own files are: the lab's inside omapish lab, else the system's.",
		`Outside a lab, the first that exists of /etc/dhcp/dhcpd.conf, /etc/dhcpd.conf,
/usr/local/etc/dhcpd.conf, and of /var/lib/dhcp/dhcpd.leases, /var/lib/dhcpd/dhcpd.leases,
/var/db/dhcpd.leases, /var/db/dhcpd/dhcpd.leases (Debian's when none does). The saved
scripts that read dhcpd's files look there unless given --conf or --leases.`},
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

// bytesRule is omapish's one rule for bytes attributes, in the API, the
// saved scripts and the shell alike (bytetext.Parse).
const bytesRule = `A string given for a bytes attribute (dhcp-client-identifier, hashstring,
load-balance-hba, and the like) is read as dhcpd.conf reads bytes: text of the form xx:xx:...
(two or more groups of one or two hex digits joined by colons) is the bytes it spells, so
hashstring = "01:00:00:5e:00:53:01" is 7 bytes, the subclass a "match hardware" class
matches for htype 1 and MAC 00:00:5e:00:53:01; any other text is its own bytes ("byuid1", "01-00-5e").
Exactly these bytes: omapi.raw(s) (s's bytes, whatever they look like) or omapi.unhex(hex)
(a byte string). Values read from dhcpd are byte strings: to send one back exactly, wrap
it with omapi.raw. Shown as text, bytes that would read back as hex are shown as hex.`

// KeysTable is the table of help("keys") and the README: for each object
// type, the keys dhcpd's lookup finds it by and the attributes dhcpd sets
// on a new one, from the write policy (internal/policy).
func KeysTable() string {
	var b strings.Builder
	b.WriteString("| type | dhcpd finds it by | created with |\n| --- | --- | --- |\n")
	for _, t := range omapi.Types() {
		create := "cannot be created"
		if a := policy.CreateAttrs(t); a != nil {
			create = strings.Join(a, ", ")
		}
		fmt.Fprintf(&b, "| %s | %s | %s |\n", t, policy.FoundBy(t), create)
	}
	return strings.TrimSuffix(b.String(), "\n")
}

// Functions returns the documentation of every function, method, field
// and constant of the module, for the shell's help and completion.
func Functions() []Doc {
	return append([]Doc(nil), docs...)
}

// FindDocs returns the Doc called name, or the Docs whose name ends in
// the same last part ("lookup_ip" finds conn:lookup_ip; so does
// conn.lookup_ip), as help("name") looks them up.
func FindDocs(docs []Doc, name string) []Doc {
	var found []Doc
	for _, d := range docs {
		if d.Name == name || strings.ReplaceAll(d.Name, ":", ".") == name {
			return []Doc{d}
		}
		if shortName(d.Name) == shortName(name) {
			found = append(found, d)
		}
	}
	return found
}

// shortName is the part of a Doc name after its last "." or ":".
func shortName(s string) string {
	return s[strings.LastIndexAny(s, ".:")+1:]
}

// help is omapi.help([name]): the index, or one entry in full, as the
// shell's help() shows them.
func (m *module) help(L *lua.LState) int {
	c := call{L: L, name: "help"}
	w := m.stdout()
	if L.Get(1) == lua.LNil {
		fmt.Fprintln(w, `The omapi module. Failures return nil, message, code; misuse raises an error.`)
		WriteIndex(w, docs)
		fmt.Fprintln(w, `omapi.help("name") shows one entry.`)
		return 0
	}
	name := c.checkString(1, "function name")
	switch found := FindDocs(docs, name); len(found) {
	case 0:
		c.argError(1, fmt.Sprintf("no help for %q", name))
	case 1:
		WriteDoc(w, found[0])
	default:
		WriteIndex(w, found)
	}
	return 0
}
