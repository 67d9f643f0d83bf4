// Package scripts holds the saved Lua scripts shipped with omapish, for
// routine dhcpd work: lease-scan, hosts-sync, host-find, failover-status,
// inspect, host-move, and, from dhcpd's own files, hosts, leases and
// unused-ips. Each is a plain file users can run as it is
// (omapish scripts/NAME.lua ARGS) or copy and adapt; the same files are
// embedded in the binary, so "omapish NAME ARGS" runs them when there is no
// file NAME.
//
// Every script starts with a one-line comment that summarises it (List
// shows it) and a usage comment, answers --help with its usage on stdout,
// and exits 2 with a usage error on stderr for bad arguments. What they
// share is the Lua library omapish.script (lib/script.lua, Preload).
package scripts

import (
	"bufio"
	"bytes"
	"embed"
	"io/fs"
	"sort"
	"strings"
)

//go:embed *.lua
var files embed.FS

// Info describes a saved script.
type Info struct {
	Name    string // what to type: "lease-scan"
	Summary string // the script's first comment line
}

// Lookup returns the saved script called name, with or without ".lua":
// the chunk name to load it under (NAME.lua) and its text.
func Lookup(name string) (chunkName string, body []byte, ok bool) {
	name = strings.TrimSuffix(name, ".lua")
	if name == "" || strings.ContainsAny(name, `/\`) || strings.HasPrefix(name, ".") {
		return "", nil, false
	}
	b, err := files.ReadFile(name + ".lua")
	if err != nil {
		return "", nil, false
	}
	return name + ".lua", b, true
}

// List returns the saved scripts sorted by name.
func List() []Info {
	entries, _ := fs.Glob(files, "*.lua")
	out := make([]Info, 0, len(entries))
	for _, e := range entries {
		b, _ := files.ReadFile(e)
		out = append(out, Info{Name: strings.TrimSuffix(e, ".lua"), Summary: summary(b)})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// summary is the text of the first comment line of a script (after a #!
// line, if any).
func summary(src []byte) string {
	sc := bufio.NewScanner(bytes.NewReader(src))
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if strings.HasPrefix(line, "#!") || line == "" {
			continue
		}
		if !strings.HasPrefix(line, "--") {
			return ""
		}
		return strings.TrimSpace(strings.TrimLeft(line, "-"))
	}
	return ""
}
