package main

import (
	"encoding/hex"
	"fmt"
	"io"
	"strconv"
	"strings"
	"sync"

	"github.com/omapish/omapish/internal/bytetext"
	"github.com/omapish/omapish/omapi"
)

// tracer prints every OMAPI message for --trace: header, each value
// decoded by the schema, and a hex dump of the bytes before the signature.
// A signature is shown only by its length; the secret never reaches here.
type tracer struct {
	mu   sync.Mutex
	w    io.Writer
	typ  map[uint32]string // object type by request id, to decode replies
	last string            // type of the last OPEN sent
}

func newTracer(w io.Writer) *tracer { return &tracer{w: w, typ: map[uint32]string{}} }

func (t *tracer) trace(stream int, dir omapi.Direction, m *omapi.Message, raw []byte) {
	t.mu.Lock()
	defer t.mu.Unlock()
	arrow := "→ sent"
	typ := ""
	if dir == omapi.Sent {
		if b, ok := m.Message.Get("type"); ok {
			typ = string(b)
		}
		t.typ[m.ID] = typ
	} else {
		arrow = "← received"
		typ = t.typ[m.RID]
		delete(t.typ, m.RID)
	}
	var b strings.Builder
	if stream > 0 {
		// An extra connection of a bulk lookup (omapi.Conn.ReadBatch).
		arrow += fmt.Sprintf(" [connection %d]", stream+1)
	}
	fmt.Fprintf(&b, "%s %s handle=%d id=%d rid=%d authid=%d", arrow, m.Op, m.Handle, m.ID, m.RID, m.AuthID)
	if len(m.Signature) > 0 {
		fmt.Fprintf(&b, " signature=%d bytes", len(m.Signature))
	}
	b.WriteString("\n")
	writeValues(&b, "message", m.Message, func(name string) (omapi.Kind, bool) { return omapi.MessageKind(name) })
	writeValues(&b, "object", m.Object, func(name string) (omapi.Kind, bool) { return omapi.AttrKind(typ, name) })
	body := raw[:len(raw)-len(m.Signature)]
	for _, line := range strings.SplitAfter(hex.Dump(body), "\n") {
		if line != "" {
			b.WriteString("    " + line)
		}
	}
	io.WriteString(t.w, b.String())
}

func writeValues(b *strings.Builder, list string, vs omapi.Values, kind func(string) (omapi.Kind, bool)) {
	for _, v := range vs {
		k, known := kind(v.Name)
		text := k.Format(v.Data)
		switch {
		case len(v.Data) == 0:
			text = "(empty)"
		case !known:
			text = strconv.Quote(string(v.Data))
			if !printableASCII(v.Data) {
				text = bytetext.Hex(v.Data)
			}
		case k == omapi.KindString:
			text = strconv.Quote(text)
		}
		if _, err := k.Decode(v.Data); known && err != nil && len(v.Data) > 0 {
			text += fmt.Sprintf("  (%d bytes: not a %s)", len(v.Data), k)
		}
		fmt.Fprintf(b, "  %-7s %s = %s\n", list, v.Name, text)
	}
}

func printableASCII(b []byte) bool {
	for _, c := range b {
		if c < 0x20 || c > 0x7e {
			return false
		}
	}
	return true
}
