package policy

import (
	"fmt"
	"strings"

	"github.com/omapish/omapish/internal/spell"
	"github.com/omapish/omapish/omapi"
)

// aliases are names people write for an attribute, by type ("" for any).
var aliases = map[string]map[string]string{
	"": {
		"ipaddr": "ip-address", "ip-addr": "ip-address", "address": "ip-address", "addr": "ip-address",
		"hwaddr": "hardware-address", "hw-addr": "hardware-address", "hardware": "hardware-address",
		"ethernet": "hardware-address", "macaddr": "hardware-address", "mac-address": "hardware-address",
		"uid": "dhcp-client-identifier", "client-id": "dhcp-client-identifier", "clientid": "dhcp-client-identifier",
		"client-identifier": "dhcp-client-identifier",
	},
	"lease":          {"hostname": "client-hostname", "host-name": "client-hostname", "binding-state": "state"},
	"host":           {"hostname": "name", "host-name": "name", "fixed-address": "ip-address"},
	"failover-state": {"state": "local-state", "my-state": "local-state", "peer-state": "partner-state"},
}

// Suggest returns the attribute of type typ that name most likely means,
// or "": a known alias (hostname → client-hostname on a lease), else the
// closest name by edit distance, when close enough.
func Suggest(typ, name string) string {
	if a, ok := aliases[typ][name]; ok {
		return a
	}
	if a, ok := aliases[""][name]; ok {
		if _, known := omapi.AttrKind(typ, a); known {
			return a
		}
	}
	return spell.Closest(name, omapi.Attributes(typ), max(2, len(name)/3))
}

func unknownReason(typ, name string) string {
	r := fmt.Sprintf("%s has no attribute %q", A(typ), name)
	if s := Suggest(typ, name); s != "" {
		r += fmt.Sprintf("; did you mean %q?", s)
	}
	if attrs := omapi.Attributes(typ); len(attrs) > 0 {
		r += " (" + typ + " attributes: " + strings.Join(attrs, ", ") + ")"
	}
	return r + "; wrap the value with omapi.raw or pass {raw=true} to send it anyway"
}
