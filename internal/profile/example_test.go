package profile_test

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/omapish/omapish/internal/profile"
)

func ExampleLoadFile() {
	dir, err := os.MkdirTemp("", "omapish-example")
	if err != nil {
		panic(err)
	}
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "config.toml")
	config := `default = "local"

[servers.local]
address = "127.0.0.1"
key_name = "defomapi"
secret = "MDEyMzQ1Njc4OWFiY2RlZg=="
timeout = "2s"
`
	// A file holding a secret must be private, as ssh requires of a key.
	if err := os.WriteFile(path, []byte(config), 0o600); err != nil {
		panic(err)
	}

	cfg, err := profile.LoadFile(path)
	if err != nil {
		panic(err)
	}
	s, err := cfg.Lookup("") // the default profile
	if err != nil {
		panic(err)
	}
	fmt.Println(s.Name, s.Address, s.KeyName, s.Algorithm, s.Timeout)
	fmt.Printf("secret: %v, %d bytes\n", s.Secret, len(s.Secret))

	// Output:
	// local 127.0.0.1:7911 defomapi hmac-md5 2s
	// secret: [redacted], 16 bytes
}

func ExampleLoadFile_errors() {
	dir, err := os.MkdirTemp("", "omapish-example")
	if err != nil {
		panic(err)
	}
	defer os.RemoveAll(dir)
	config := `[servers.local]
adress = "127.0.0.1"
timeout = 5
`
	path := filepath.Join(dir, "config.toml")
	if err := os.WriteFile(path, []byte(config), 0o644); err != nil {
		panic(err)
	}

	_, err = profile.LoadFile(path)
	fmt.Println(strings.ReplaceAll(err.Error(), path, "config.toml"))

	// Output:
	// config.toml:1:10: servers.local: address is missing
	// config.toml:2:1: unknown key servers.local.adress; did you mean address?
	// config.toml:3:1: servers.local.timeout: must be a string such as "5s", not an integer
}

func ExampleParseAddress() {
	for _, s := range []string{"dhcp.example.net", "10.0.0.1:7912", "::1"} {
		addr, _ := profile.ParseAddress(s)
		fmt.Println(addr)
	}
	// Output:
	// dhcp.example.net:7911
	// 10.0.0.1:7912
	// [::1]:7911
}

func ExampleSecret() {
	s, _ := profile.DecodeSecret("MDEyMzQ1Njc4OWFiY2RlZg==")
	fmt.Println(s)
	fmt.Printf("%x %#v\n", s, s)
	// Output:
	// [redacted]
	// [redacted] [redacted]
}
