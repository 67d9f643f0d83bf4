package main

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"strings"
)

// confirmOnTTY asks on the terminal before a request that could take
// dhcpd down or move service (policy.Hazard); anything but "yes" refuses.
func confirmOnTTY(stderr io.Writer) func(warning string) bool {
	return func(warning string) bool {
		tty, err := os.Open("/dev/tty")
		if err != nil {
			return false
		}
		defer tty.Close()
		fmt.Fprintf(stderr, "omapish: %s. Type yes to go on: ", warning)
		line, _ := bufio.NewReader(tty).ReadString('\n')
		return strings.TrimSpace(strings.ToLower(line)) == "yes"
	}
}
