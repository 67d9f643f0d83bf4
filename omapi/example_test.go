package omapi_test

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"log"
	"net"
	"net/netip"
	"os"

	"github.com/omapish/omapish/omapi"
)

// Connect with a key and read the lease of an address.
func Example() {
	ctx := context.Background()
	secret, err := base64.StdEncoding.DecodeString(os.Getenv("OMAPI_SECRET"))
	if err != nil {
		log.Fatal(err)
	}
	auth, err := omapi.HMAC("omapi_key", "hmac-sha256", secret)
	if err != nil {
		log.Fatal(err)
	}
	c, err := omapi.Dial(ctx, "192.0.2.1:7911", auth)
	if err != nil {
		log.Fatal(err) // e.g. an *AuthError for a wrong secret
	}
	defer c.Close()

	var keys omapi.Values
	keys.SetIP("ip-address", netip.MustParseAddr("192.0.2.150"))
	lease, err := c.Open(ctx, "lease", keys)
	switch {
	case errors.Is(err, omapi.ResultNotFound):
		fmt.Println("no lease")
	case err != nil:
		log.Fatal(err)
	default:
		mac, _ := lease.Values.HardwareAddr("hardware-address")
		ends, _ := lease.Values.Time("ends")
		fmt.Println(mac, "until", ends)
	}
}

// Make a host, change it by its handle, and delete it.
func ExampleConn_Create() {
	ctx := context.Background()
	c, err := omapi.Dial(ctx, "192.0.2.1:7911", nil) // a server without omapi-key
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()

	var host omapi.Values
	host.SetString("name", "web1")
	host.SetHardwareAddr("hardware-address", net.HardwareAddr{0, 0, 0x5e, 0, 0x53, 0x40})
	host.SetUint32("hardware-type", 1) // Ethernet: dhcpd needs it with a MAC
	h, err := c.Create(ctx, "host", host)
	if errors.Is(err, omapi.ResultExists) {
		log.Fatal("a host has that name or MAC already")
	} else if err != nil {
		log.Fatal(err)
	}
	var fixed omapi.Values
	if err := fixed.SetIP("ip-address", netip.MustParseAddr("192.0.2.40")); err != nil {
		log.Fatal(err)
	}
	if err := c.Update(ctx, h.Handle, fixed); err != nil {
		log.Fatal(err)
	}
	if err := c.Delete(ctx, h.Handle); err != nil {
		log.Fatal(err)
	}
}

// Look up every address of a /24 at once: the lookups are pipelined over
// up to eight connections, and the replies come back in order.
func ExampleConn_ReadBatch() {
	ctx := context.Background()
	d := &omapi.Dialer{Streams: 8, Spin: true} // the fast paths: see Dialer
	c, err := d.DialContext(ctx, "192.0.2.1:7911")
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()

	prefix := netip.MustParsePrefix("192.0.2.0/24")
	var addrs []netip.Addr
	for a := prefix.Addr(); prefix.Contains(a); a = a.Next() {
		addrs = append(addrs, a)
	}
	err = c.ReadBatch(ctx, len(addrs), func(i int) *omapi.Message {
		a := addrs[i].As4()
		return omapi.NewOpen("lease", omapi.Values{{Name: "ip-address", Data: a[:]}})
	}, func(i int, reply *omapi.Message, err error) error {
		if errors.Is(err, omapi.ResultNotFound) {
			return nil // no lease for this address
		}
		if err != nil {
			return err
		}
		state, _ := reply.Object.Uint32("state")
		name, _ := omapi.StateName("lease", "state", state)
		fmt.Println(addrs[i], name)
		return nil
	})
	if err != nil {
		log.Fatal(err)
	}
}

// Look up many addresses and decode each lease into the caller's own type
// on the connections' goroutines: only the ordered results reach the
// caller's goroutine.
func ExampleMapBatch() {
	ctx := context.Background()
	c, err := omapi.Dial(ctx, "192.0.2.1:7911", nil)
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()

	type lease struct {
		ip    netip.Addr
		state uint32
		err   error
	}
	start := netip.MustParseAddr("192.0.2.0")
	addrs := make([]netip.Addr, 4096)
	for i, a := 0, start; i < len(addrs); i, a = i+1, a.Next() {
		addrs[i] = a
	}
	active := 0
	err = omapi.MapBatch(ctx, c, len(addrs),
		func(i int) *omapi.Message {
			a := addrs[i].As4()
			return omapi.NewOpen("lease", omapi.Values{{Name: "ip-address", Data: a[:]}})
		},
		func(i int, reply *omapi.Message, err error) lease {
			if err != nil {
				return lease{ip: addrs[i], err: err}
			}
			state, _ := reply.Object.Uint32("state")
			return lease{ip: addrs[i], state: state}
		},
		func(i int, l lease) error {
			if l.err == nil && l.state == 2 {
				active++
			}
			return nil
		})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(active, "active leases")
}
