package luaapi

import (
	"context"
	"encoding/base64"
	"errors"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	lua "github.com/yuin/gopher-lua"

	"github.com/omapish/omapish/internal/lab"
	"github.com/omapish/omapish/internal/lab/labtest"
	"github.com/omapish/omapish/internal/profile"
)

// The tests run against a real ISC dhcpd started by the lab (one for the
// package run, stopped by TestMain). A test that cannot start it fails.

var (
	labOnce sync.Once
	theLab  *lab.Lab
	labErr  error
)

func TestMain(m *testing.M) {
	code := m.Run()
	if theLab != nil {
		if err := theLab.Close(); err != nil && code == 0 {
			code = 1
		}
	}
	os.Exit(code)
}

// sharedLab returns the package's lab, starting it on first use; its
// leases file is checked when the test ends.
func sharedLab(tb testing.TB) *lab.Lab {
	tb.Helper()
	labOnce.Do(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		theLab, labErr = lab.Start(ctx, lab.Config{})
	})
	if labErr != nil {
		tb.Fatalf("cannot start the dhcpd lab: %v", labErr)
	}
	labtest.CheckLeasesAtEnd(tb, theLab)
	return theLab
}

// labProfiles is a configuration whose default profile "lab" is l.
func labProfiles(l *lab.Lab) *profile.Config {
	return &profile.Config{
		Default: "lab",
		Servers: map[string]profile.Server{
			"lab": {Name: "lab", Address: l.Addr(), KeyName: l.KeyName(), Algorithm: l.Algorithm(),
				Secret: l.Secret(), Timeout: 5 * time.Second},
		},
	}
}

// labOptions connects through the lab's namespace, with its profile.
func labOptions(l *lab.Lab) Options {
	return Options{Profiles: labProfiles(l), Dial: l.DialContext, Timeout: 5 * time.Second}
}

// newState returns a Lua state with the module, closed when the test ends.
func newState(tb testing.TB, opts Options) *lua.LState {
	tb.Helper()
	L := lua.NewState()
	Preload(L, opts)
	tb.Cleanup(func() {
		CloseAll(L)
		L.Close()
	})
	return L
}

// labState is newState for the lab, with the global LAB describing it.
func labState(tb testing.TB, opts ...func(*Options)) (*lua.LState, *lab.Lab) {
	tb.Helper()
	l := sharedLab(tb)
	o := labOptions(l)
	for _, f := range opts {
		f(&o)
	}
	L := newState(tb, o)
	L.SetGlobal("LAB", labTable(L, l))
	return L, l
}

// labTable describes the lab to Lua: address, key, and the sample facts.
func labTable(L *lua.LState, l *lab.Lab) *lua.LTable {
	s := lab.Sample
	t := L.NewTable()
	set := func(t *lua.LTable, k string, v string) { t.RawSetString(k, lua.LString(v)) }
	set(t, "address", l.Addr())
	set(t, "key_name", l.KeyName())
	set(t, "secret", l.SecretBase64())
	set(t, "algorithm", l.Algorithm())
	other, otherSecret := l.OtherKey()
	set(t, "other_key_name", other)
	set(t, "other_secret", b64(otherSecret))
	set(t, "server_ip", s.ServerIP)
	set(t, "interface", s.Interface)
	set(t, "failover_peer", s.FailoverPeer)
	set(t, "group", s.Group)
	set(t, "empty_group", s.EmptyGroup)
	set(t, "unused_ip", s.UnusedIP)
	set(t, "no_lease_ip", s.NoLeaseIP)
	setOpt := func(t *lua.LTable, k, v string) { // set when not empty
		if v != "" {
			set(t, k, v)
		}
	}
	host := func(h lab.SampleHost) *lua.LTable {
		ht := L.NewTable()
		set(ht, "name", h.Name)
		setOpt(ht, "mac", h.MAC)
		setOpt(ht, "ip", h.IP)
		setOpt(ht, "client_id", h.ClientID)
		setOpt(ht, "group", h.Group)
		return ht
	}
	lease := func(ls lab.SampleLease) *lua.LTable {
		lt := L.NewTable()
		set(lt, "ip", ls.IP)
		setOpt(lt, "mac", ls.MAC)
		setOpt(lt, "client_id", ls.ClientID)
		setOpt(lt, "hostname", ls.Hostname)
		lt.RawSetString("state", lua.LNumber(ls.State))
		set(lt, "state_name", ls.State.String())
		return lt
	}
	t.RawSetString("static", host(s.Static))
	t.RawSetString("noip", host(s.NoIP))
	t.RawSetString("byuid", host(s.ByClientID))
	t.RawSetString("grouped", host(s.Grouped))
	t.RawSetString("active", lease(s.ActiveLease))
	t.RawSetString("expired", lease(s.ExpiredLease))
	t.RawSetString("free", lease(s.FreeLease))
	t.RawSetString("abandoned", lease(s.AbandonedLease))
	t.RawSetString("released", lease(s.ReleasedLease))
	t.RawSetString("plain_active", lease(s.PlainActiveLease))
	t.RawSetString("static_lease", lease(s.StaticLease))
	leases := L.NewTable()
	for _, ls := range s.Leases() {
		leases.Append(lease(ls))
	}
	t.RawSetString("leases", leases)
	return t
}

// fatalMarker ends a Lua test function after t:fatal reported the failure.
const fatalMarker = "\x00lua test stopped by t:fatal"

// luaT bridges a *testing.T into Lua as a table with fatal, error, log
// and run methods.
func luaT(L *lua.LState, t *testing.T) *lua.LTable {
	tt := L.NewTable()
	// where is the position of the test code that called: the first
	// Lua frame outside the prelude's helpers.
	where := func(L *lua.LState) string {
		for level := 1; ; level++ {
			dbg, ok := L.GetStack(level)
			if !ok {
				return "?"
			}
			if _, err := L.GetInfo("Sl", dbg, lua.LNil); err != nil {
				return "?"
			}
			if dbg.CurrentLine > 0 && !strings.Contains(dbg.Source, "prelude.lua") {
				return filepath.Base(dbg.Source) + ":" + strconv.Itoa(dbg.CurrentLine)
			}
		}
	}
	args := func(L *lua.LState, from int) string {
		var parts []string
		for i := from; i <= L.GetTop(); i++ {
			parts = append(parts, L.ToStringMeta(L.Get(i)).String())
		}
		return strings.Join(parts, " ")
	}
	L.SetFuncs(tt, map[string]lua.LGFunction{
		"fatal": func(L *lua.LState) int {
			t.Errorf("%s: %s", where(L), args(L, 2))
			L.RaiseError(fatalMarker)
			return 0
		},
		"error": func(L *lua.LState) int {
			t.Errorf("%s: %s", where(L), args(L, 2))
			return 0
		},
		"log": func(L *lua.LState) int {
			t.Logf("%s: %s", where(L), args(L, 2))
			return 0
		},
		"run": func(L *lua.LState) int {
			name := L.CheckString(2)
			fn := L.CheckFunction(3)
			ok := t.Run(name, func(st *testing.T) { runLuaFunc(st, L, fn) })
			L.Push(lua.LBool(ok))
			return 1
		},
		"name": func(L *lua.LState) int {
			L.Push(lua.LString(t.Name()))
			return 1
		},
	})
	return tt
}

// runLuaFunc calls fn(t) and reports a Lua error as a test failure.
func runLuaFunc(t *testing.T, L *lua.LState, fn *lua.LFunction) {
	t.Helper()
	err := L.CallByParam(lua.P{Fn: fn, NRet: 0, Protect: true}, luaT(L, t))
	if err == nil {
		return
	}
	var ae *lua.ApiError
	if errors.As(err, &ae) && strings.Contains(ae.Object.String(), fatalMarker) {
		t.FailNow()
	}
	t.Fatalf("%v", err)
}

// TestLua runs every TestXxx function of testdata/*.lua against the lab,
// one Lua state per file, with the prelude of testdata/lib/prelude.lua.
func TestLua(t *testing.T) {
	files, err := filepath.Glob("testdata/*.lua")
	if err != nil || len(files) == 0 {
		t.Fatalf("no Lua tests in testdata: %v", err)
	}
	for _, file := range files {
		t.Run(strings.TrimSuffix(filepath.Base(file), ".lua"), func(t *testing.T) {
			L, _ := labState(t)
			if err := L.DoFile("testdata/lib/prelude.lua"); err != nil {
				t.Fatalf("prelude: %v", err)
			}
			if err := L.DoFile(file); err != nil {
				t.Fatalf("%s: %v", file, err)
			}
			var names []string
			L.G.Global.ForEach(func(k, v lua.LValue) {
				if s, ok := k.(lua.LString); ok && strings.HasPrefix(string(s), "Test") {
					if _, ok := v.(*lua.LFunction); ok {
						names = append(names, string(s))
					}
				}
			})
			sort.Strings(names)
			if len(names) == 0 {
				t.Fatalf("%s defines no Test functions", file)
			}
			for _, name := range names {
				fn := L.GetGlobal(name).(*lua.LFunction)
				t.Run(name, func(t *testing.T) { runLuaFunc(t, L, fn) })
			}
		})
	}
}

func b64(b []byte) string { return base64.StdEncoding.EncodeToString(b) }
