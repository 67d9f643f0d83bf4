package omapi

import (
	"crypto/hmac"
	"crypto/md5"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"fmt"
	"hash"
	"slices"
	"strings"
)

// algSuffix is appended to an algorithm name on the wire: dhcpd stores
// "hmac-md5" as "hmac-md5.SIG-ALG.REG.INT." and compares byte for byte.
const algSuffix = ".SIG-ALG.REG.INT."

// Algorithms lists the HMAC algorithms dhcpd 4.4.3 accepts for OMAPI, by
// the short names users write. Before 4.4.3 only hmac-md5 worked.
func Algorithms() []string { return slices.Clone(algorithms) }

var algorithms = []string{"hmac-md5", "hmac-sha1", "hmac-sha224", "hmac-sha256", "hmac-sha384", "hmac-sha512"}

var algHash = map[string]func() hash.Hash{
	"hmac-md5":    md5.New,
	"hmac-sha1":   sha1.New,
	"hmac-sha224": sha256.New224,
	"hmac-sha256": sha256.New,
	"hmac-sha384": sha512.New384,
	"hmac-sha512": sha512.New,
}

// An Authenticator is the key a connection signs with. The secret stays
// inside: it is never sent, printed or returned.
type Authenticator interface {
	// Name is the key name as dhcpd.conf declares it.
	Name() string
	// Algorithm is the algorithm as sent on the wire, suffix included.
	Algorithm() string
	// NewMAC returns a fresh keyed HMAC; its Size is the signature length.
	NewMAC() hash.Hash
}

type hmacKey struct {
	name, alg string // alg is the short lower-case name
	secret    []byte
	newHash   func() hash.Hash
}

// HMAC returns an Authenticator for key name with the given algorithm
// ("hmac-md5", ..., "hmac-sha512", any case, with or without the wire
// suffix) and secret (the raw key bytes, not base64).
func HMAC(name, algorithm string, secret []byte) (Authenticator, error) {
	alg, err := NormalizeAlgorithm(algorithm)
	if err != nil {
		return nil, err
	}
	if name == "" {
		return nil, fmt.Errorf("omapi: key name is empty")
	}
	if len(secret) == 0 {
		return nil, fmt.Errorf("omapi: key %s: secret is empty", name)
	}
	return &hmacKey{name: name, alg: alg, secret: append([]byte(nil), secret...), newHash: algHash[alg]}, nil
}

// NormalizeAlgorithm returns the short lower-case name of an algorithm
// ("HMAC-MD5.SIG-ALG.REG.INT." → "hmac-md5"); "" means hmac-md5.
func NormalizeAlgorithm(s string) (string, error) {
	a := strings.ToLower(strings.TrimSpace(s))
	a = strings.TrimSuffix(a, strings.ToLower(algSuffix))
	a = strings.TrimSuffix(a, strings.ToLower(strings.TrimSuffix(algSuffix, ".")))
	if a == "" {
		a = "hmac-md5"
	}
	if _, ok := algHash[a]; !ok {
		return "", fmt.Errorf("omapi: unknown algorithm %q (want one of %s)", s, strings.Join(algorithms, ", "))
	}
	return a, nil
}

func (k *hmacKey) Name() string      { return k.name }
func (k *hmacKey) Algorithm() string { return k.alg + algSuffix }
func (k *hmacKey) NewMAC() hash.Hash { return hmac.New(k.newHash, k.secret) }

// String names the key and algorithm; the secret is never shown.
func (k *hmacKey) String() string { return "key " + k.name + " (" + k.alg + ")" }

// GoString keeps %#v from printing the secret.
func (k *hmacKey) GoString() string { return k.String() }

// Sign sets m.Signature to its HMAC under auth (with authlen = the
// signature size). Use it to build signed messages by hand; connections
// sign what they send themselves.
func (m *Message) Sign(auth Authenticator) error {
	mac := auth.NewMAC()
	b, err := m.appendUnsigned(nil, mac.Size())
	if err != nil {
		return err
	}
	mac.Write(b[4:])
	m.Signature = mac.Sum(nil)
	return nil
}

// Verify reports whether m.Signature is the HMAC under auth of the message.
func (m *Message) Verify(auth Authenticator) bool {
	mac := auth.NewMAC()
	if len(m.Signature) != mac.Size() {
		return false
	}
	b, err := m.appendUnsigned(nil, len(m.Signature))
	if err != nil {
		return false
	}
	mac.Write(b[4:])
	return hmac.Equal(mac.Sum(nil), m.Signature)
}
