package policy

import (
	"encoding/binary"
	"fmt"

	"github.com/omapish/omapish/omapi"
)

// serviceEffect says what each failover state does to this server's
// service (server/failover.c:1655-1716 dhcp_failover_set_service_state).
var serviceEffect = map[uint32]string{
	0:   "it stops answering (my state unknown), and stays so after a restart until set by hand",
	1:   "it stops answering until startup ends",
	2:   "it serves in cooperation with its partner",
	3:   "it serves alone, without updating its partner",
	4:   "it takes over all of its partner's leases (partner-down): if the partner still runs, both serve the same addresses",
	5:   "it stops answering while conflicts are resolved",
	6:   "it stops answering and recovers its leases from its partner",
	7:   "it stops answering (paused)",
	8:   "it stops answering (shutdown), and its partner may take over",
	9:   "it stops answering until its partner confirms the recovery",
	10:  "it stops answering while conflicts are resolved",
	11:  "it stops answering; in the lab it sent both peers to shutdown",
	254: "it stops answering while waiting for the MCLT to run out",
}

// Hazard returns a warning when a request is sound but disrupts service,
// and "" otherwise: setting control state 2 (shutdown),
// changing a failover peer's local state (each state decides who
// serves), setting a lease's ends (dhcpd re-commits the lease into its
// next binding state), deleting an interface. The shell asks before sending such a
// request; a script must pass force. opt as for Check (an OPEN writes only
// with Create or Update).
func Hazard(typ string, op omapi.Opcode, vs omapi.Values, opt Options) string {
	writes := op == omapi.OpUpdate || (op == omapi.OpOpen && (opt.Create || opt.Update))
	switch {
	case typ == "interface" && op == omapi.OpDelete:
		return "deleting an interface object stops dhcpd serving on that interface"
	case typ == "control" && writes:
		// server/dhcpd.c:1770: dhcpd takes only 2 (shutdown).
		if n, ok := u32(vs, "state"); ok && n == 2 {
			return "setting control state 2 shuts dhcpd down"
		}
	case typ == "lease" && writes && vs.Has("ends"):
		// server/omapi.c:265 supersede_lease(lease, NULL, 1, 1, 1, 0);
		// in the lab an active lease whose next binding state is free
		// became free and lost its client-hostname.
		return "setting a lease's ends re-commits it: dhcpd moves it to its next binding state (an active lease becomes free) and drops its client-hostname"
	case (typ == "failover-state" || typ == "") && writes: // only failover-state has local-state
		if n, ok := u32(vs, "local-state"); ok {
			name, known := omapi.StateName("failover-state", "local-state", n)
			if !known {
				return "" // Check refuses it
			}
			return fmt.Sprintf("setting failover local-state %s (%d) changes who serves: %s", name, n, serviceEffect[n])
		}
	}
	return ""
}

// HazardMessage is Hazard for a whole request, as CheckMessage is Check.
func HazardMessage(typ string, m *omapi.Message, opt Options) string {
	if b, ok := m.Message.Get("type"); ok && typ == "" {
		typ = string(b)
	}
	if m.Op == omapi.OpOpen {
		opt.Create = opt.Create || flagSet(m.Message, "create")
		opt.Update = opt.Update || flagSet(m.Message, "update")
	}
	return Hazard(typ, m.Op, m.Object, opt)
}

func u32(vs omapi.Values, name string) (uint32, bool) {
	b, ok := vs.Get(name)
	if !ok || len(b) != 4 {
		return 0, false
	}
	return binary.BigEndian.Uint32(b), true
}
