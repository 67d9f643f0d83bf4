package dhcpconf

import (
	"bufio"
	"io"
	"os"
	"slices"
	"strconv"
	"time"
)

// Leases is what a dhcpd.leases file says, as dhcpd computes it on
// start-up: dhcpd appends a record for every change, so the last record
// of a lease, host or group is its current one and replaces the earlier
// ones entirely (server/mdb.c, supersede_lease; host and group records
// replace or delete the declaration of the same name).
type Leases struct {
	File       string
	Leases     []Lease // the current record of each address, in order of first appearance
	Hosts      []Host  // the current record of each host named, deleted ones included
	Groups     []Group // likewise for groups
	Peers      []PeerState
	Classes    []Class
	Subclasses []Subclass
	ServerDUID string   // as written
	ByteOrder  string   // authoring-byte-order: "little-endian" or "big-endian"
	Records    int      // records read, history included
	Other      []string // DHCPv6 records (ia-na, ia-ta, ia-pd), as text

	leaseAt, hostAt, groupAt, peerAt map[string]int
	scratch                          []byte
	cache                            interned // MAC addresses and client ids
}

// done ends reading.
func (ls *Leases) done() {
	ls.scratch = nil
}

// Never is the time a lease file's "never" stands for (dhcpd's MAX_TIME).
var Never = time.Unix(0x7fffffff, 0).UTC()

// Lease is one lease's record.
type Lease struct {
	Address      string // as written
	State        string // binding state: free, active, expired, released, abandoned, reset, backup
	NextState    string
	RewindState  string
	Starts       time.Time // zero when absent
	Ends         time.Time
	Tstp         time.Time
	Tsfp         time.Time
	Atsfp        time.Time
	Cltt         time.Time
	HardwareType string
	MAC          string // lower case, as dhcpd prints it
	ClientID     string // uid, as written
	Hostname     string // client-hostname
	Vars         []Var  // set NAME = VALUE, in file order, one per name
	Reserved     bool
	Bootp        bool
	Statements   []string // every other statement (agent options, on ...), as text
	Pos          Pos
}

// Var is a binding variable of a lease: "set NAME = VALUE;".
type Var struct {
	Name  string
	Value string // a string's contents, else the words as written
}

// Var returns the value of the binding variable name, and whether there
// is one.
func (l *Lease) Var(name string) (string, bool) {
	for _, v := range l.Vars {
		if v.Name == name {
			return v.Value, true
		}
	}
	return "", false
}

// PeerState is a failover peer's state record.
type PeerState struct {
	Name         string
	MyState      string
	MyTime       time.Time
	PartnerState string
	PartnerTime  time.Time
	Pos          Pos
}

// isLeaseKeyword reports the statements parse_lease_declaration takes;
// any other is "Unexpected configuration directive." there.
func isLeaseKeyword(kw string) bool {
	switch kw {
	case "starts", "ends", "timestamp", "tstp", "tsfp", "atsfp", "cltt", "uid", "class",
		"hardware", "reserved", "dynamic-bootp", "abandoned", "next", "rewind", "binding",
		"client-hostname", "billing", "on", "option", "supersede", "set",
		"ddns-fwd-name", "ddns-rev-name":
		return true
	}
	return false
}

// ReadLeases reads the leases file at path. On an error (a *Error) it
// returns the records before it with the error.
func ReadLeases(path string) (*Leases, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return ParseLeases(bufio.NewReaderSize(f, 1<<20), path, time.Now())
}

// ParseLeases reads a leases file from r, named name in errors. now
// decides the state of a lease record without one, as dhcpd decides it
// (active while it has not ended, else free).
func ParseLeases(r io.Reader, name string, now time.Time) (*Leases, error) {
	ls := &Leases{File: name, leaseAt: map[string]int{}, hostAt: map[string]int{}, groupAt: map[string]int{}, peerAt: map[string]int{}}
	p := newParser(r, name, checks)
	p.fastDates = true
	defer ls.done()
	for {
		t := p.lx.peek()
		if t.Is('}') || t.Is(';') || t.Is('{') {
			p.lx.next()
			return ls, p.fail(t, "Corrupt lease file - possible data loss!")
		}
		s, err := p.next()
		if err != nil {
			return ls, err
		}
		if s == nil {
			return ls, nil
		}
		if err := ls.record(s, now); err != nil {
			return ls, p.fail(Token{Line: int32(err.Line), Col: int32(err.Col)}, err.Msg)
		}
		ls.Records++
		p.release(s) // the record holds none of it
	}
}

// replaceOrAppend puts v in list where the record of key is (a later
// record of a lease, host, group or failover peer replaces the earlier
// one in its place, as dhcpd's does), or at the end; at maps keys to
// places.
func replaceOrAppend[T any](list []T, at map[string]int, key string, v T) []T {
	if i, ok := at[key]; ok {
		list[i] = v
		return list
	}
	at[key] = len(list)
	return append(list, v)
}

// record takes in one top-level record.
func (ls *Leases) record(s *Stmt, now time.Time) *Error {
	switch kw := s.Keyword(); {
	case kw == "lease" && s.Block:
		l, err := ls.parseLease(s, now)
		if err != nil {
			return err
		}
		ls.Leases = replaceOrAppend(ls.Leases, ls.leaseAt, l.Address, l)
	case kw == "host" && s.Block:
		h := parseHost(s)
		ls.Hosts = replaceOrAppend(ls.Hosts, ls.hostAt, h.Name, h)
	case kw == "group" && s.Block:
		g := Group{Name: unquoted(s.Words[1:]), Pos: s.Pos()}
		for _, b := range s.Body {
			switch {
			case b.Keyword() == "dynamic" && len(b.Words) == 1:
				g.Dynamic = true
			case b.Keyword() == "deleted" && len(b.Words) == 1:
				g.Deleted = true
			default:
				g.Statements = append(g.Statements, b.Text())
			}
		}
		ls.Groups = replaceOrAppend(ls.Groups, ls.groupAt, g.Name, g)
	case kw == "failover" && s.Block && s.Word(3) == "state":
		ps := parsePeerState(s)
		ls.Peers = replaceOrAppend(ls.Peers, ls.peerAt, ps.Name, ps)
	case kw == "class" && s.Block:
		ls.Classes = append(ls.Classes, Class{Name: s.Words[1].Text, Statements: texts(s.Body), Pos: s.Pos()})
	case kw == "subclass" && len(s.Words) > 2:
		ls.Subclasses = append(ls.Subclasses, parseSubclass(s))
	case kw == "server-duid" && !s.Block:
		ls.ServerDUID = joinWords(s.Words[1:])
	case kw == "authoring-byte-order" && !s.Block:
		ls.ByteOrder = s.Word(1)
	case kw == "ia-na" || kw == "ia-ta" || kw == "ia-pd":
		ls.Other = append(ls.Other, s.Text())
	default:
		// lease_file_subparse: log_error, no line; here with one.
		return &Error{Pos: s.Pos(), Msg: "Corrupt lease file - possible data loss!"}
	}
	return nil
}

func (ls *Leases) parseLease(s *Stmt, now time.Time) (Lease, *Error) {
	l := Lease{Address: ls.address(s.Words[1:]), Pos: s.Pos()}
	seenState := false
	for _, b := range s.Body {
		kw := b.Keyword()
		if !isLeaseKeyword(kw) {
			return l, &Error{Pos: b.Pos(), Msg: "Unexpected configuration directive."}
		}
		switch kw {
		case "starts":
			l.Starts = b.dateOf()
		case "ends":
			l.Ends = b.dateOf()
		case "tstp":
			l.Tstp = b.dateOf()
		case "tsfp":
			l.Tsfp = b.dateOf()
		case "atsfp":
			l.Atsfp = b.dateOf()
		case "cltt":
			l.Cltt = b.dateOf()
		case "binding":
			st := stateOf(b.Word(2), &l)
			l.State = st
			seenState = true
			if l.NextState == "" {
				l.NextState = st
			}
			if l.RewindState == "" {
				l.RewindState = st
			}
		case "next":
			l.NextState = stateOf(b.Word(3), &l)
		case "rewind":
			l.RewindState = stateOf(b.Word(3), &l)
		case "abandoned":
			l.State, l.NextState = "abandoned", "abandoned"
			seenState = true
		case "hardware":
			l.HardwareType = b.Word(1)
			l.MAC = ls.macOf(b.Words[2:])
		case "uid":
			l.ClientID = ls.clientIDOf(b.Words[1:])
		case "client-hostname":
			l.Hostname = unquoted(b.Words[1:])
		case "reserved":
			l.Reserved = true
		case "dynamic-bootp":
			l.Bootp = true
		case "set", "ddns-fwd-name", "ddns-rev-name":
			name, value := setVar(b)
			// A later set of the same name replaces the value.
			l.Vars = slices.DeleteFunc(l.Vars, func(v Var) bool { return v.Name == name })
			l.Vars = append(l.Vars, Var{Name: name, Value: value})
		default:
			l.Statements = append(l.Statements, b.Text())
		}
	}
	if !seenState {
		// parse_lease_declaration makes one up (a failover pool
		// would make it expired; the conf is not known here).
		if l.Ends.After(now) {
			l.State, l.NextState = "active", "free"
		} else {
			l.State, l.NextState = "free", "free"
		}
		l.RewindState = l.State
	}
	return l, nil
}

// address returns the address words as written, the string of an
// earlier record of the same address when there is one (a busy site's file
// has dozens of records per address).
func (ls *Leases) address(words []Token) string {
	b := ls.scratch[:0]
	for _, t := range words {
		b = append(b, t.Text...)
	}
	ls.scratch = b
	if i, ok := ls.leaseAt[string(b)]; ok {
		return ls.Leases[i].Address
	}
	return string(b)
}

// macOf is hexOctets, lower case, shared with earlier records.
func (ls *Leases) macOf(words []Token) string {
	b := ls.scratch[:0]
	for _, t := range words {
		if t.Is(':') {
			b = append(b, ':')
			continue
		}
		if len(t.Text) == 1 {
			b = append(b, '0')
		}
		for i := 0; i < len(t.Text); i++ {
			c := t.Text[i]
			if c >= 'A' && c <= 'Z' {
				c += 'a' - 'A'
			}
			b = append(b, c)
		}
	}
	ls.scratch = b
	return ls.cache.get(b)
}

// clientIDOf is joinWords for a uid, shared with earlier records.
func (ls *Leases) clientIDOf(words []Token) string {
	if len(words) == 1 && words[0].Kind == String {
		ls.scratch = appendQuoted(ls.scratch[:0], words[0].Text)
		return ls.cache.get(ls.scratch)
	}
	return joinWords(words)
}

// stateOf maps the old states "reserved" and "bootp" to active, as dhcpd
// does, setting the lease's flag.
func stateOf(s string, l *Lease) string {
	switch s {
	case "reserved":
		l.Reserved = true
		return "active"
	case "bootp":
		l.Bootp = true
		return "active"
	}
	return s
}

// setVar reads "set NAME = VALUE" or "ddns-fwd-name VALUE"; the value is
// a string's contents, else the words as written.
func setVar(b *Stmt) (string, string) {
	words := b.Words[1:]
	name := b.Keyword()
	if name == "set" && len(words) > 0 {
		name = words[0].Text
		words = words[1:]
		if len(words) > 0 && words[0].Is('=') {
			words = words[1:]
		}
	}
	if len(words) == 1 && words[0].Kind == String {
		return name, words[0].Text
	}
	return name, joinWords(words)
}

// dateOf is the date of a checked date statement.
func (s *Stmt) dateOf() time.Time {
	if s.dated {
		return s.date
	}
	return parseDate(s.Words[1:])
}

// parseDate reads a checked date: "never", "epoch N" or
// "W YYYY/MM/DD HH:MM:SS" (UTC).
func parseDate(words []Token) time.Time {
	if len(words) == 0 {
		return time.Time{}
	}
	if words[0].IsWord("never") {
		return Never
	}
	if words[0].IsWord("epoch") && len(words) > 1 {
		n, _ := strconv.ParseInt(words[1].Text, 10, 64)
		return time.Unix(n, 0).UTC()
	}
	// W Y / M / D h : m : s
	if len(words) < 11 {
		return time.Time{}
	}
	num := func(i int) int { n, _ := strconv.Atoi(words[i].Text); return n }
	tz := 0
	if len(words) > 11 {
		tz = num(11) // seconds, added (guess + tzoff)
	}
	return dateOf(num(1), num(3), num(5), num(6), num(8), num(10), tz)
}

// dateOf is parse_date_core's time: years before 1900 are offsets from
// it, and from 2038 on every date is "never" (MAX_TIME).
func dateOf(year, mon, day, hour, min, sec, tz int) time.Time {
	if year > 1900 {
		year -= 1900
	}
	if year >= 138 {
		return Never
	}
	t := time.Date(1900+year, time.Month(mon), day, hour, min, sec, 0, time.UTC)
	return t.Add(time.Duration(tz) * time.Second)
}

func parsePeerState(s *Stmt) PeerState {
	ps := PeerState{Name: s.Words[2].Text, Pos: s.Pos()}
	for _, b := range s.Body {
		var at time.Time
		if b.Word(3) == "at" {
			at = parseDate(b.Words[4:])
		}
		switch b.Keyword() {
		case "my":
			ps.MyState, ps.MyTime = b.Word(2), at
		case "partner":
			ps.PartnerState, ps.PartnerTime = b.Word(2), at
		}
	}
	return ps
}

// CurrentHosts returns the hosts dhcpd has after reading conf and then
// leases (either may be nil): the hosts of dhcpd.conf that no leases
// record deleted, then those created over OMAPI and not deleted, each in
// its current record. A leases record of a conf host replaces it in place.
func CurrentHosts(conf *Conf, leases *Leases) []Host {
	var out []Host
	var last map[string]Host
	if leases != nil {
		last = make(map[string]Host, len(leases.Hosts))
		for _, h := range leases.Hosts {
			last[h.Name] = h
		}
	}
	declared := map[string]bool{}
	if conf != nil {
		for _, h := range conf.Hosts {
			declared[h.Name] = true
			if lh, ok := last[h.Name]; ok {
				if !lh.Deleted {
					out = append(out, lh)
				}
				continue
			}
			out = append(out, h)
		}
	}
	if leases != nil {
		for _, h := range leases.Hosts {
			if !h.Deleted && !declared[h.Name] {
				out = append(out, h)
			}
		}
	}
	return out
}
