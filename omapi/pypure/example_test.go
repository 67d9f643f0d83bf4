package pypure_test

import (
	"context"
	"errors"
	"fmt"
	"log"

	"github.com/omapish/omapish/omapi"
	"github.com/omapish/omapish/omapi/pypure"
)

// pypureomapi's o.lookup_ip and o.add_host, from Go.
func ExampleDo() {
	ctx := context.Background()
	c, err := omapi.Dial(ctx, "192.0.2.1:7911", nil)
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()

	ip, err := pypure.Do(ctx, c, "lookup_ip", "00:00:5e:00:53:50")
	switch {
	case errors.Is(err, omapi.ResultNotFound):
		fmt.Println("no lease")
	case err != nil:
		log.Fatal(err)
	default:
		fmt.Println(ip) // a netip.Addr
	}
	if _, err := pypure.Do(ctx, c, "add_host", "192.0.2.40", "00:00:5e:00:53:40"); err != nil {
		log.Fatal(err)
	}
}
