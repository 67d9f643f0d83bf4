package dhcpconf

import (
	"errors"
	"fmt"
	"io"
	"net/netip"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// Conf is what a dhcpd.conf declares, in file order, included files read
// in place.
type Conf struct {
	File       string
	Statements []*Stmt // the whole file, includes replaced by what they hold

	OmapiPort      int    // 0 when absent
	OmapiKey       string // the omapi-key statement's key name
	Keys           []Key
	Hosts          []Host
	Groups         []Group // named groups
	SharedNetworks []SharedNetwork
	Subnets        []Subnet
	Pools          []Pool
	Classes        []Class
	Subclasses     []Subclass
	Peers          []Peer
}

// Key is a "key NAME { algorithm A; secret S; }" declaration.
type Key struct {
	Name      string
	Algorithm string // lower case, without ".SIG-ALG.REG.INT."
	Secret    string // base64 as written; see DecodeSecret
	Pos       Pos
}

// Group is a named group.
type Group struct {
	Name       string
	Statements []string
	Dynamic    bool // created over OMAPI (a leases-file record)
	Deleted    bool // deleted over OMAPI (a leases-file record)
	Pos        Pos
}

// Host is a host declaration, of dhcpd.conf or of the leases file.
type Host struct {
	Name         string
	HardwareType string   // "ethernet", "token-ring", "fddi", ...
	MAC          string   // lower case, colon-separated, as dhcpd prints it
	ClientID     string   // option dhcp-client-identifier or uid, as written
	Addresses    []string // fixed-address: addresses or names, as written
	Group        string   // the named group it is in or names
	Statements   []string // every other statement, as text
	Dynamic      bool     // created over OMAPI
	Deleted      bool     // deleted over OMAPI
	Pos          Pos
}

// SharedNetwork is a shared-network declaration.
type SharedNetwork struct {
	Name string
	Pos  Pos
}

// Subnet is an IPv4 subnet declaration.
type Subnet struct {
	Prefix        netip.Prefix // invalid when the address or mask is not IPv4
	Address, Mask string       // as written
	SharedNetwork string
	Ranges        []Range // directly in the subnet, not in its pools
	Statements    []string
	Pos           Pos
}

// Range is a range statement.
type Range struct {
	Start, End   string // as written; End is Start for a one-address range
	DynamicBootp bool
}

// Pool is a pool declaration.
type Pool struct {
	Subnet        string // the subnet's address/bits, "" outside one
	SharedNetwork string
	Ranges        []Range
	FailoverPeer  string
	Statements    []string
	Pos           Pos
}

// Class is a class declaration.
type Class struct {
	Name       string
	Statements []string
	Pos        Pos
}

// Subclass is a subclass declaration.
type Subclass struct {
	Class      string
	Data       string // the match value, as written
	Statements []string
	Pos        Pos
}

// Peer is a failover peer declaration of dhcpd.conf.
type Peer struct {
	Name        string
	Role        string // "primary" or "secondary"
	Address     string
	Port        int
	PeerAddress string
	PeerPort    int
	Statements  []string // every statement, as text
	Pos         Pos
}

// Options say how to read a dhcpd.conf.
type Options struct {
	// Dir is where relative include paths are opened from, as dhcpd opens
	// them from its working directory; "" is the current directory.
	Dir string
	// NoIncludes keeps include statements as statements instead of
	// reading the files.
	NoIncludes bool
	// Open, when set, opens included files instead of os.Open (Dir
	// still applies).
	Open func(path string) (io.ReadCloser, error)
}

// maxIncludeDepth bounds nested includes (a file including itself).
const maxIncludeDepth = 16

// Errors of include statements, for errors.Is.
var (
	// ErrInclude: an included file could not be opened.
	ErrInclude = errors.New("cannot open included file")
	// ErrIncludeDepth: includes nested too deep (a file including itself).
	ErrIncludeDepth = fmt.Errorf("more than %d nested includes", maxIncludeDepth)
)

// ReadConf reads the dhcpd.conf at path, relative includes opened from
// the current directory as dhcpd does. On an error it returns what came
// before it with the error: a *Error for a syntax error.
func ReadConf(path string) (*Conf, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return ParseConf(f, path, nil)
}

// ParseConf reads a dhcpd.conf from r, named name in errors.
func ParseConf(r io.Reader, name string, opts *Options) (*Conf, error) {
	if opts == nil {
		opts = &Options{}
	}
	c := &Conf{File: name}
	stmts, err := parseFile(r, name, opts, 0)
	c.Statements = stmts
	w := walker{c: c}
	w.walk(stmts, scope{})
	return c, err
}

// parseFile reads the statements of one file, includes read in place.
func parseFile(r io.Reader, name string, opts *Options, depth int) ([]*Stmt, error) {
	p := newParser(r, name, checks)
	if !opts.NoIncludes {
		p.include = func(p *parser, s *Stmt) ([]*Stmt, error) {
			return includeFile(s, opts, depth)
		}
	}
	var stmts []*Stmt
	for {
		s, err := p.next()
		if err != nil || s == nil {
			return stmts, err
		}
		if p.include != nil && s.Keyword() == "include" {
			inc, err := p.include(p, s)
			stmts = append(stmts, inc...)
			if err != nil {
				return stmts, err
			}
			continue
		}
		stmts = append(stmts, s)
	}
}

// includeFile reads the file an include statement names.
func includeFile(s *Stmt, opts *Options, depth int) ([]*Stmt, error) {
	path := s.Words[1].Text
	if depth+1 >= maxIncludeDepth {
		return nil, fmt.Errorf("%s: include %q: %w", s.Pos(), path, ErrIncludeDepth)
	}
	name := path
	if !filepath.IsAbs(path) && opts.Dir != "" {
		name = filepath.Join(opts.Dir, path)
	}
	open := opts.Open
	if open == nil {
		open = func(p string) (io.ReadCloser, error) { return os.Open(p) }
	}
	f, err := open(name)
	if err != nil {
		// dhcpd: "Can't open FILE: ..." and the include's line.
		return nil, &IncludeError{Pos: s.Pos(), Path: path, Err: err}
	}
	defer f.Close()
	return parseFile(f, path, opts, depth+1)
}

// IncludeError is an included file that could not be opened. It matches
// ErrInclude and unwraps to the error of the open.
type IncludeError struct {
	Pos  Pos // of the include statement
	Path string
	Err  error
}

func (e *IncludeError) Error() string {
	return fmt.Sprintf("%s: include %q: %v", e.Pos, e.Path, e.Err)
}

// Is makes an *IncludeError match ErrInclude.
func (e *IncludeError) Is(target error) bool { return target == ErrInclude }

func (e *IncludeError) Unwrap() error { return e.Err }

// scope is where a declaration is: the enclosing named group, shared
// network, subnet.
type scope struct {
	group, network, subnet string
	pool                   bool
}

type walker struct {
	c *Conf
}

func (w *walker) walk(stmts []*Stmt, sc scope) {
	for _, s := range stmts {
		w.stmt(s, sc)
	}
}

func (w *walker) stmt(s *Stmt, sc scope) {
	c := w.c
	switch kw := s.Keyword(); {
	case kw == "omapi-port" && !s.Block:
		c.OmapiPort, _ = strconv.Atoi(s.Word(1))
	case kw == "omapi-key" && !s.Block:
		c.OmapiKey = joinWords(s.Words[1:])
	case kw == "key" && s.Block:
		c.Keys = append(c.Keys, parseKey(s))
	case kw == "host" && s.Block:
		h := parseHost(s)
		if h.Group == "" {
			h.Group = sc.group
		}
		c.Hosts = append(c.Hosts, h)
	case kw == "group" && s.Block:
		if len(s.Words) > 1 {
			sc.group = s.Words[1].Text
			c.Groups = append(c.Groups, Group{Name: sc.group, Statements: texts(s.Body), Pos: s.Pos()})
		}
		w.walk(s.Body, sc)
	case kw == "shared-network" && s.Block:
		sc.network = unquoted(s.Words[1:])
		c.SharedNetworks = append(c.SharedNetworks, SharedNetwork{Name: sc.network, Pos: s.Pos()})
		w.walk(s.Body, sc)
	case kw == "subnet" && s.Block:
		sub := parseSubnet(s)
		sub.SharedNetwork = sc.network
		c.Subnets = append(c.Subnets, sub)
		sc.subnet = sub.Address
		if sub.Prefix.IsValid() {
			sc.subnet = sub.Prefix.String()
		}
		w.walk(s.Body, sc)
	case kw == "pool" && s.Block:
		p := Pool{Subnet: sc.subnet, SharedNetwork: sc.network, Pos: s.Pos()}
		for _, b := range s.Body {
			switch b.Keyword() {
			case "range":
				p.Ranges = append(p.Ranges, parseRange(b))
			case "failover":
				if b.Word(1) == "peer" {
					p.FailoverPeer = b.Words[2].Text
				}
			}
			p.Statements = append(p.Statements, b.Text())
		}
		c.Pools = append(c.Pools, p)
		sc.pool = true
		w.walk(s.Body, sc)
	case kw == "class" && s.Block:
		c.Classes = append(c.Classes, Class{Name: s.Words[1].Text, Statements: texts(s.Body), Pos: s.Pos()})
	case kw == "subclass" && len(s.Words) > 2:
		c.Subclasses = append(c.Subclasses, parseSubclass(s))
	case kw == "failover" && s.Block && s.Word(1) == "peer" && s.Word(3) != "state":
		c.Peers = append(c.Peers, parsePeer(s))
	case kw == "range" && !s.Block:
		if n := len(c.Subnets); n > 0 && sc.subnet != "" && !sc.pool {
			c.Subnets[n-1].Ranges = append(c.Subnets[n-1].Ranges, parseRange(s))
		}
	case s.Block:
		w.walk(s.Body, sc)
	}
}

// texts returns the text of each statement.
func texts(stmts []*Stmt) []string {
	var out []string
	for _, s := range stmts {
		out = append(out, s.Text())
	}
	return out
}

// joinWords returns words as written, e.g. a dotted address.
func joinWords(words []Token) string {
	if len(words) == 1 && words[0].Kind != String {
		return words[0].Text
	}
	var b strings.Builder
	writeWords(&b, words)
	return b.String()
}

// unquoted returns words' text without re-quoting strings (for names).
func unquoted(words []Token) string {
	if len(words) == 1 {
		return words[0].Text
	}
	var b strings.Builder
	for i, t := range words {
		if i > 0 && t.Space {
			b.WriteByte(' ')
		}
		b.WriteString(t.Text)
	}
	return b.String()
}

func parseKey(s *Stmt) Key {
	k := Key{Name: strings.TrimSuffix(unquoted(s.Words[1:]), "."), Pos: s.Pos()}
	for _, b := range s.Body {
		switch b.Keyword() {
		case "algorithm":
			k.Algorithm = NormalizeAlgorithm(unquoted(b.Words[1:]))
		case "secret":
			var sb strings.Builder
			for _, w := range b.Words[1:] {
				sb.WriteString(w.Text)
			}
			k.Secret = sb.String()
		}
	}
	return k
}

// NormalizeAlgorithm turns "HMAC-MD5.SIG-ALG.REG.INT." into "hmac-md5".
func NormalizeAlgorithm(a string) string {
	a = strings.ToLower(a)
	a = strings.TrimSuffix(a, ".")
	return strings.TrimSuffix(a, ".sig-alg.reg.int")
}

// parseHost reads a host block, of dhcpd.conf or of the leases file.
func parseHost(s *Stmt) Host {
	h := Host{Name: unquoted(s.Words[1:]), Pos: s.Pos()}
	for _, b := range s.Body {
		switch kw := b.Keyword(); {
		case kw == "hardware" && len(b.Words) > 1:
			h.HardwareType = b.Word(1)
			h.MAC = strings.ToLower(hexOctets(b.Words[2:]))
		case kw == "fixed-address":
			h.Addresses = splitCommas(b.Words[1:])
		case kw == "uid":
			h.ClientID = joinWords(b.Words[1:])
		case kw == "option" && b.Word(1) == "dhcp-client-identifier":
			h.ClientID = joinWords(b.Words[2:])
		case kw == "group" && !b.Block:
			h.Group = unquoted(b.Words[1:])
		case kw == "dynamic" && len(b.Words) == 1:
			h.Dynamic = true
		case kw == "deleted" && len(b.Words) == 1:
			h.Deleted = true
		default:
			h.Statements = append(h.Statements, b.Text())
		}
	}
	return h
}

// hexOctets writes colon-separated hex octets as dhcpd prints them
// (print_hw_addr: two digits each, lower case).
func hexOctets(words []Token) string {
	var b strings.Builder
	b.Grow(3 * len(words))
	for _, t := range words {
		if t.Is(':') {
			b.WriteByte(':')
			continue
		}
		if len(t.Text) == 1 {
			b.WriteByte('0')
		}
		b.WriteString(t.Text)
	}
	return b.String()
}

// splitCommas splits words at commas, each part as written.
func splitCommas(words []Token) []string {
	var out []string
	start := 0
	for i, t := range words {
		if t.Is(',') {
			out = append(out, joinWords(words[start:i]))
			start = i + 1
		}
	}
	return append(out, joinWords(words[start:]))
}

func parseSubnet(s *Stmt) Subnet {
	sub := Subnet{Pos: s.Pos()}
	i := 1
	for i < len(s.Words) && !s.Words[i].IsWord("netmask") {
		i++
	}
	sub.Address = joinWords(s.Words[1:i])
	if i < len(s.Words) {
		sub.Mask = joinWords(s.Words[i+1:])
	}
	sub.Prefix, _ = SubnetPrefix(sub.Address, sub.Mask)
	for _, b := range s.Body {
		if !b.Block {
			sub.Statements = append(sub.Statements, b.Text())
		}
	}
	return sub
}

func parseRange(s *Stmt) Range {
	words := s.Words[1:]
	r := Range{}
	if len(words) > 0 && words[0].IsWord("dynamic-bootp") {
		r.DynamicBootp = true
		words = words[1:]
	}
	// Two dotted addresses, one after the other: split where a word
	// follows a word.
	for i := 1; i < len(words); i++ {
		if !words[i].Is('.') && !words[i-1].Is('.') {
			r.Start, r.End = joinWords(words[:i]), joinWords(words[i:])
			return r
		}
	}
	r.Start = joinWords(words)
	r.End = r.Start
	return r
}

func parseSubclass(s *Stmt) Subclass {
	sc := Subclass{Class: s.Words[1].Text, Data: joinWords(s.Words[2:]), Pos: s.Pos()}
	sc.Statements = texts(s.Body)
	return sc
}

func parsePeer(s *Stmt) Peer {
	p := Peer{Name: s.Words[2].Text, Pos: s.Pos()}
	for _, b := range s.Body {
		p.Statements = append(p.Statements, b.Text())
		switch kw := b.Keyword(); {
		case kw == "primary" || kw == "secondary":
			p.Role = kw
		case kw == "address":
			p.Address = joinWords(b.Words[1:])
		case kw == "port":
			p.Port, _ = strconv.Atoi(b.Word(1))
		case kw == "peer" && b.Word(1) == "address":
			p.PeerAddress = joinWords(b.Words[2:])
		case kw == "peer" && b.Word(1) == "port":
			p.PeerPort, _ = strconv.Atoi(b.Word(2))
		}
	}
	return p
}

// SubnetPrefix turns "192.0.2.0", "255.255.255.0" into 192.0.2.0/24; false
// for anything but IPv4 with a contiguous mask.
func SubnetPrefix(addr, mask string) (netip.Prefix, bool) {
	a, err := netip.ParseAddr(addr)
	if err != nil || !a.Is4() {
		return netip.Prefix{}, false
	}
	m, err := netip.ParseAddr(mask)
	if err != nil || !m.Is4() {
		return netip.Prefix{}, false
	}
	b := m.As4()
	v := uint32(b[0])<<24 | uint32(b[1])<<16 | uint32(b[2])<<8 | uint32(b[3])
	bits := 0
	for v&0x80000000 != 0 {
		bits++
		v <<= 1
	}
	if v != 0 {
		return netip.Prefix{}, false
	}
	return netip.PrefixFrom(a, bits).Masked(), true
}

// Key returns the key declared under name (case-insensitive, as dhcpd
// compares key names).
func (c *Conf) Key(name string) (Key, bool) {
	for _, k := range c.Keys {
		if strings.EqualFold(k.Name, name) {
			return k, true
		}
	}
	return Key{}, false
}
