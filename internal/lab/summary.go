package lab

import (
	"fmt"
	"net/netip"
	"os"
	"slices"
	"strings"
)

// WriteProfile writes an omapish configuration file (mode 0600) whose
// default profile "lab" points at the lab's dhcpd, with its key. The
// secret goes to the file "secret" (mode 0600) in the lab's directory,
// which the profile names in secret_file.
func (l *Lab) WriteProfile(path string) error {
	var b strings.Builder
	fmt.Fprintf(&b, "# omapish profile for the lab in network namespace %s\n", l.ns)
	b.WriteString("default = \"lab\"\n\n[servers.lab]\n")
	fmt.Fprintf(&b, "address = %s\n", tomlString(l.addr))
	if l.keyName != "" && l.secret != nil {
		secretFile := l.path(secretName)
		if err := writePrivate(secretFile, []byte(l.SecretBase64())); err != nil {
			return fmt.Errorf("lab: write profile: %w", err)
		}
		fmt.Fprintf(&b, "key_name = %s\n", tomlString(l.keyName))
		fmt.Fprintf(&b, "secret_file = %s\n", tomlString(secretFile))
		fmt.Fprintf(&b, "algorithm = %s\n", tomlString(l.algorithm))
	}
	b.WriteString("timeout = \"5s\"\n")
	if err := writePrivate(path, []byte(b.String())); err != nil {
		return fmt.Errorf("lab: write profile: %w", err)
	}
	return nil
}

// tomlString quotes s as a TOML basic string.
func tomlString(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for _, r := range s {
		switch {
		case r == '"' || r == '\\':
			b.WriteByte('\\')
			b.WriteRune(r)
		case r < 0x20 || r == 0x7f:
			fmt.Fprintf(&b, "\\u%04x", r)
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte('"')
	return b.String()
}

// writePrivate writes a file readable by its owner only, also when it
// existed before with wider permissions.
func writePrivate(path string, data []byte) error {
	if err := os.WriteFile(path, data, 0o600); err != nil {
		return err
	}
	return os.Chmod(path, 0o600)
}

// summaryMax is how many items a summary line lists before "and N more".
const summaryMax = 12

// Summary returns a few lines describing the lab for a banner: where OMAPI
// is, with which key, and what dhcpd holds (hosts, groups, failover peers,
// leases), read from the conf and the leases file in use, so it is true for
// a user's files as well as for the sample.
func (l *Lab) Summary() string {
	li := parseLeases(readString(l.LeasesFile()))
	var b strings.Builder
	line := func(label, format string, args ...any) {
		fmt.Fprintf(&b, "%-10s %s\n", label, fmt.Sprintf(format, args...))
	}
	line("namespace", "%s (files in %s)", l.ns, l.dir)
	key := "no key"
	if l.keyName != "" {
		key = fmt.Sprintf("key %s (%s)", l.keyName, l.algorithm)
	}
	if l.keyRequired {
		key += ", signing required"
	} else {
		key += ", unsigned requests accepted"
	}
	line("omapi", "%s inside the namespace, %s", l.addr, key)

	var hosts []string
	for _, h := range l.info.hosts {
		if !slices.Contains(li.deletedHosts, h.name) {
			hosts = append(hosts, describeHost(h))
		}
	}
	for _, h := range li.hosts {
		hosts = append(hosts, describeHost(h)+" dynamic")
	}
	line("hosts", "%s", list(hosts))

	var groups []string
	for _, g := range l.info.groups {
		if !slices.Contains(li.deletedGroups, g) {
			groups = append(groups, g)
		}
	}
	groups = append(groups, li.groups...)
	line("groups", "%s", list(groups))
	line("failover", "%s", list(l.info.peers))

	slices.SortFunc(li.leases, func(a, b leaseInfo) int {
		x, _ := netip.ParseAddr(a.ip)
		y, _ := netip.ParseAddr(b.ip)
		return x.Compare(y)
	})
	var leases []string
	for _, le := range li.leases {
		s := le.ip + " " + le.state
		if le.hostname != "" {
			s += " (" + le.hostname + ")"
		}
		leases = append(leases, s)
	}
	line("leases", "%s", list(leases))
	if l.warning != "" {
		line("warning", "%s", l.warning)
	}
	return b.String()
}

// describeHost gives a host's name and what identifies it.
func describeHost(h hostInfo) string {
	var parts []string
	if h.mac != "" {
		parts = append(parts, h.mac)
	}
	if h.clientID != "" {
		parts = append(parts, fmt.Sprintf("client-id %q", h.clientID))
	}
	if len(h.ips) > 0 {
		parts = append(parts, strings.Join(h.ips, ","))
	}
	if h.group != "" {
		parts = append(parts, "group "+h.group)
	}
	if len(parts) == 0 {
		return h.name
	}
	return h.name + " (" + strings.Join(parts, ", ") + ")"
}

// list joins items, cutting long lists short.
func list(items []string) string {
	switch {
	case len(items) == 0:
		return "none"
	case len(items) > summaryMax:
		return fmt.Sprintf("%s and %d more", strings.Join(items[:summaryMax], ", "), len(items)-summaryMax)
	}
	return strings.Join(items, ", ")
}

// readString returns a file's contents, or "" if it cannot be read.
func readString(path string) string {
	b, _ := os.ReadFile(path)
	return string(b)
}
