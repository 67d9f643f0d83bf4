package luaapi

import (
	"os"
	"path/filepath"

	lua "github.com/yuin/gopher-lua"
)

// omapi.dhcpd_files: where dhcpd's own files are, so that every saved
// script that reads them looks in the same places.

// System places of dhcpd's files, most common first: Debian and Ubuntu
// (/etc/dhcp, /var/lib/dhcp), then older and other layouts (Red Hat's
// /var/lib/dhcpd, the BSDs' /var/db).
var (
	systemConfs  = []string{"/etc/dhcp/dhcpd.conf", "/etc/dhcpd.conf", "/usr/local/etc/dhcpd.conf"}
	systemLeases = []string{"/var/lib/dhcp/dhcpd.leases", "/var/lib/dhcpd/dhcpd.leases", "/var/db/dhcpd.leases", "/var/db/dhcpd/dhcpd.leases"}
)

// labDir is the directory of the lab's files when running inside
// `omapish lab` (which sets OMAPISH_LAB and points OMAPISH_CONFIG at a
// profile written there), or "".
func labDir() string {
	config := os.Getenv("OMAPISH_CONFIG")
	if os.Getenv("OMAPISH_LAB") == "" || !filepath.IsAbs(config) {
		return ""
	}
	return filepath.Dir(config)
}

// firstExisting returns the first of paths that exists, else the first.
func firstExisting(paths []string) string {
	for _, p := range paths {
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	return paths[0]
}

// dhcpdFiles is omapi.dhcpd_files() -> {conf=, leases=, lab=}: the lab's
// dhcpd.conf and dhcpd.leases inside `omapish lab`, else the first of the
// system's usual places that exists (else Debian's).
func dhcpdFiles(L *lua.LState) int {
	if L.GetTop() > 0 {
		call{L: L, name: "dhcpd_files"}.argError(1, "no arguments expected")
	}
	t := L.CreateTable(0, 3)
	if dir := labDir(); dir != "" {
		t.RawSetString("conf", lua.LString(filepath.Join(dir, "dhcpd.conf")))
		t.RawSetString("leases", lua.LString(filepath.Join(dir, "dhcpd.leases")))
		t.RawSetString("lab", lua.LTrue)
	} else {
		t.RawSetString("conf", lua.LString(firstExisting(systemConfs)))
		t.RawSetString("leases", lua.LString(firstExisting(systemLeases)))
		t.RawSetString("lab", lua.LFalse)
	}
	L.Push(t)
	return 1
}
