package lab

import (
	"encoding/base64"
	"errors"
	"fmt"
	"net/netip"
	"strconv"
	"strings"
)

// This file reads just enough of dhcpd.conf and dhcpd.leases for the lab:
// the OMAPI port and keys, the first subnet (to address the veth), and the
// names a summary shows. It is not a validator; dhcpd itself is.

// token is one lexical token of a dhcpd.conf or dhcpd.leases file.
type token struct {
	text   string // unquoted and unescaped for strings
	quoted bool
}

// tokenize splits dhcpd configuration text into words, quoted strings and
// the punctuation { } ; , dropping comments (# to the end of the line).
func tokenize(src string) []token {
	var toks []token
	for i := 0; i < len(src); {
		c := src[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			i++
		case c == '#':
			for i < len(src) && src[i] != '\n' {
				i++
			}
		case c == '{' || c == '}' || c == ';' || c == ',':
			toks = append(toks, token{text: string(c)})
			i++
		case c == '"':
			s, n := unquote(src[i:])
			toks = append(toks, token{text: s, quoted: true})
			i += n
		default:
			j := i
			for j < len(src) && !strings.ContainsRune(" \t\r\n#{};,\"", rune(src[j])) {
				j++
			}
			toks = append(toks, token{text: src[i:j]})
			i = j
		}
	}
	return toks
}

// unquote decodes the quoted string at the start of s (C-style escapes,
// octal included, as dhcpd writes them) and returns it with the number of
// bytes consumed. An unterminated string runs to the end of s.
func unquote(s string) (string, int) {
	var b strings.Builder
	i := 1
	for i < len(s) && s[i] != '"' {
		if s[i] != '\\' || i+1 >= len(s) {
			b.WriteByte(s[i])
			i++
			continue
		}
		i++
		switch c := s[i]; {
		case c >= '0' && c <= '7':
			v, n := 0, 0
			for n < 3 && i < len(s) && s[i] >= '0' && s[i] <= '7' {
				v = v*8 + int(s[i]-'0')
				i++
				n++
			}
			b.WriteByte(byte(v))
		case c == 'n':
			b.WriteByte('\n')
			i++
		case c == 't':
			b.WriteByte('\t')
			i++
		default:
			b.WriteByte(c)
			i++
		}
	}
	return b.String(), min(i+1, len(s))
}

// stmt is one statement: the tokens before its ';' or '{', and for a block
// the statements inside the braces.
type stmt struct {
	words []token
	body  []stmt
	block bool
}

// word returns the text of the i-th word of s, or "" when there is none.
func (s stmt) word(i int) string {
	if i < len(s.words) {
		return s.words[i].text
	}
	return ""
}

// errSyntax reports unbalanced braces or a statement without its ';'.
var errSyntax = errors.New("unbalanced braces or missing semicolon")

// parseStmts builds the statement tree of a token list. On a syntax error it
// returns what it could read together with errSyntax, so that callers can
// still use the parts before the error.
func parseStmts(toks []token) ([]stmt, error) {
	stmts, rest, err := parseBlock(toks, false)
	if err == nil && len(rest) > 0 {
		err = errSyntax
	}
	return stmts, err
}

func parseBlock(toks []token, inner bool) ([]stmt, []token, error) {
	var stmts []stmt
	var cur stmt
	for len(toks) > 0 {
		t := toks[0]
		toks = toks[1:]
		if t.quoted {
			cur.words = append(cur.words, t)
			continue
		}
		switch t.text {
		case ";":
			if len(cur.words) > 0 {
				stmts = append(stmts, cur)
			}
			cur = stmt{}
		case "{":
			body, rest, err := parseBlock(toks, true)
			cur.body, cur.block = body, true
			stmts = append(stmts, cur)
			cur = stmt{}
			if err != nil {
				return stmts, nil, err
			}
			toks = rest
		case "}":
			if !inner || len(cur.words) > 0 {
				return stmts, nil, errSyntax
			}
			return stmts, toks, nil
		default:
			cur.words = append(cur.words, t)
		}
	}
	if inner || len(cur.words) > 0 {
		return stmts, nil, errSyntax
	}
	return stmts, nil, nil
}

// keyInfo is a `key NAME { algorithm A; secret S; }` declaration.
type keyInfo struct {
	name      string
	algorithm string // normalised: lower case, without ".SIG-ALG.REG.INT."
	secret    string // base64 as written
}

// hostInfo is a host declaration (from dhcpd.conf or the leases file).
type hostInfo struct {
	name     string
	mac      string
	ips      []string
	clientID string
	group    string
}

// confInfo is what the lab needs to know about a dhcpd.conf.
type confInfo struct {
	port     int // omapi-port; 0 when absent
	keys     []keyInfo
	omapiKey string         // name in the omapi-key statement, "" when absent
	subnet   netip.Prefix   // first IPv4 subnet declared; invalid when none
	hosts    []hostInfo     // in file order
	groups   []string       // named groups, in file order
	peers    []string       // failover peer names
	ranges   []string       // "A B" of every range statement
	pools    int            // pool declarations
	subnets  []netip.Prefix // every IPv4 subnet

	// read returns the text of an included file; nil: includes are not
	// followed. includeErr is the first include that could not be read.
	read       func(path string) (string, error)
	includeErr error
	depth      int // of includes being read
}

// maxIncludeDepth bounds nested includes (a file including itself).
const maxIncludeDepth = 16

// key returns the key declared under name (case-insensitive, as in dhcpd).
func (c *confInfo) key(name string) (keyInfo, bool) {
	for _, k := range c.keys {
		if strings.EqualFold(k.name, name) {
			return k, true
		}
	}
	return keyInfo{}, false
}

// parseConf reads the parts of a dhcpd.conf the lab needs. The returned
// error is errSyntax when the file could not be read completely; the info
// then holds what came before the problem.
func parseConf(src string) (*confInfo, error) {
	return parseConfFiles(src, nil)
}

// parseConfFiles is parseConf following include statements, whose files
// read returns. An include that cannot be read is c.includeErr.
func parseConfFiles(src string, read func(path string) (string, error)) (*confInfo, error) {
	stmts, err := parseStmts(tokenize(src))
	c := &confInfo{read: read}
	c.walk(stmts, "")
	return c, err
}

// include reads and walks an included file, as dhcpd does in place.
func (c *confInfo) include(path, group string) {
	if c.read == nil || c.includeErr != nil {
		return
	}
	if c.depth >= maxIncludeDepth {
		c.includeErr = fmt.Errorf("include %q: more than %d nested includes", path, maxIncludeDepth)
		return
	}
	src, err := c.read(path)
	if err != nil {
		c.includeErr = fmt.Errorf("include %q: %w", path, err)
		return
	}
	stmts, err := parseStmts(tokenize(src))
	if err != nil {
		c.includeErr = fmt.Errorf("include %q: %w", path, err)
	}
	c.depth++
	c.walk(stmts, group)
	c.depth--
}

func (c *confInfo) walk(stmts []stmt, group string) {
	for _, s := range stmts {
		switch kw := s.word(0); {
		case kw == "omapi-port" && !s.block:
			if n, err := strconv.Atoi(s.word(1)); err == nil {
				c.port = n
			}
		case kw == "include" && !s.block:
			c.include(s.word(1), group)
		case kw == "omapi-key" && !s.block:
			c.omapiKey = s.word(1)
		case kw == "key" && s.block:
			c.keys = append(c.keys, parseKey(s))
		case kw == "subnet" && s.word(2) == "netmask":
			if p, ok := subnetPrefix(s.word(1), s.word(3)); ok {
				if !c.subnet.IsValid() {
					c.subnet = p
				}
				c.subnets = append(c.subnets, p)
			}
			c.walk(s.body, group)
		case kw == "host" && s.block:
			h := parseHost(s)
			h.group = group
			c.hosts = append(c.hosts, h)
		case kw == "group" && s.block:
			name := s.word(1)
			if name != "" {
				c.groups = append(c.groups, name)
			} else {
				name = group
			}
			c.walk(s.body, name)
		case kw == "failover" && s.word(1) == "peer" && s.block:
			c.peers = append(c.peers, s.word(2))
		case kw == "range" && !s.block:
			c.ranges = append(c.ranges, strings.TrimSpace(s.word(1)+" "+s.word(2)))
		case kw == "pool" && s.block:
			c.pools++
			c.walk(s.body, group)
		case s.block:
			c.walk(s.body, group)
		}
	}
}

// parseKey reads a key block.
func parseKey(s stmt) keyInfo {
	k := keyInfo{name: s.word(1)}
	for _, b := range s.body {
		switch b.word(0) {
		case "algorithm":
			k.algorithm = normalizeAlgorithm(b.word(1))
		case "secret":
			var sb strings.Builder
			for _, w := range b.words[1:] {
				sb.WriteString(w.text)
			}
			k.secret = sb.String()
		}
	}
	return k
}

// normalizeAlgorithm turns "HMAC-MD5.SIG-ALG.REG.INT." into "hmac-md5".
func normalizeAlgorithm(a string) string {
	a = strings.ToLower(a)
	a = strings.TrimSuffix(a, ".")
	return strings.TrimSuffix(a, ".sig-alg.reg.int")
}

// decodeSecret decodes a base64 key secret as dhcpd accepts it.
func decodeSecret(s string) ([]byte, error) {
	b, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		return nil, fmt.Errorf("secret is not valid base64: %w", err)
	}
	return b, nil
}

// parseHost reads a host block.
func parseHost(s stmt) hostInfo {
	h := hostInfo{name: s.word(1)}
	for _, b := range s.body {
		switch b.word(0) {
		case "hardware":
			h.mac = strings.ToLower(b.word(2))
		case "fixed-address":
			for _, w := range b.words[1:] {
				if w.text != "," {
					h.ips = append(h.ips, w.text)
				}
			}
		case "option":
			if b.word(1) == "dhcp-client-identifier" {
				h.clientID = b.word(2)
			}
		case "uid":
			h.clientID = b.word(1)
		}
	}
	return h
}

// subnetPrefix turns "192.0.2.0", "255.255.255.0" into 192.0.2.0/24.
func subnetPrefix(addr, mask string) (netip.Prefix, bool) {
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
	if v != 0 { // not a contiguous mask
		return netip.Prefix{}, false
	}
	return netip.PrefixFrom(a, bits).Masked(), true
}

// leaseInfo is the last record of one lease in a leases file.
type leaseInfo struct {
	ip       string
	state    string // binding state as written, e.g. "active"
	mac      string
	hostname string
}

// leasesInfo is what a summary shows of a dhcpd.leases file.
type leasesInfo struct {
	leases        []leaseInfo // in order of first appearance; later records win
	hosts         []hostInfo  // dynamic hosts not deleted
	groups        []string    // dynamic groups not deleted
	deletedHosts  []string    // hosts (also from dhcpd.conf) deleted over OMAPI
	deletedGroups []string
}

// parseLeases reads a dhcpd.leases file. dhcpd appends a new record for
// every change, so the last record of a lease, host or group wins.
func parseLeases(src string) *leasesInfo {
	stmts, _ := parseStmts(tokenize(src))
	li := &leasesInfo{}
	leaseAt := map[string]int{}
	for _, s := range stmts {
		if !s.block {
			continue
		}
		switch s.word(0) {
		case "lease":
			l := leaseInfo{ip: s.word(1)}
			for _, b := range s.body {
				switch {
				case b.word(0) == "binding" && b.word(1) == "state":
					l.state = b.word(2)
				case b.word(0) == "hardware":
					l.mac = strings.ToLower(b.word(2))
				case b.word(0) == "client-hostname":
					l.hostname = b.word(1)
				}
			}
			if i, ok := leaseAt[l.ip]; ok {
				li.leases[i] = l
			} else {
				leaseAt[l.ip] = len(li.leases)
				li.leases = append(li.leases, l)
			}
		case "host":
			h := parseHost(s)
			li.hosts = removeHost(li.hosts, h.name)
			li.deletedHosts = removeString(li.deletedHosts, h.name)
			if hasWord(s.body, "deleted") {
				li.deletedHosts = append(li.deletedHosts, h.name)
			} else {
				li.hosts = append(li.hosts, h)
			}
		case "group":
			name := s.word(1)
			li.groups = removeString(li.groups, name)
			li.deletedGroups = removeString(li.deletedGroups, name)
			if hasWord(s.body, "deleted") {
				li.deletedGroups = append(li.deletedGroups, name)
			} else {
				li.groups = append(li.groups, name)
			}
		}
	}
	return li
}

// hasWord reports whether one of stmts is the single word w.
func hasWord(stmts []stmt, w string) bool {
	for _, s := range stmts {
		if len(s.words) == 1 && s.word(0) == w && !s.block {
			return true
		}
	}
	return false
}

func removeHost(hosts []hostInfo, name string) []hostInfo {
	out := hosts[:0]
	for _, h := range hosts {
		if h.name != name {
			out = append(out, h)
		}
	}
	return out
}

func removeString(list []string, s string) []string {
	out := list[:0]
	for _, x := range list {
		if x != s {
			out = append(out, x)
		}
	}
	return out
}
