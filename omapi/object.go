package omapi

import (
	"context"
	"fmt"
)

// Object is an object as the server published it in an UPDATE reply.
type Object struct {
	Type   string // the type it was opened as; "" when unknown (e.g. a bare REFRESH)
	Handle uint32 // the server's handle, valid until the object is deleted
	Values Values // published attributes, in the server's order
}

// Get returns the decoded value of attribute name (see Kind.Decode), a
// *AttrError matching ResultNotFound when absent, or a *AttrError saying
// why the bytes do not fit the schema's kind.
func (o *Object) Get(name string) (any, error) {
	b, ok := o.Values.Get(name)
	if !ok {
		return nil, &AttrError{Type: o.Type, Name: name}
	}
	k, _ := AttrKind(o.Type, name)
	v, err := k.Decode(b)
	if err != nil {
		return nil, &AttrError{Type: o.Type, Name: name, Msg: fmt.Sprintf("%s value: %v", k, err)}
	}
	return v, nil
}

// OpenOption sets the flags of an OPEN request.
type OpenOption uint8

// Open flags (omapi-protocol.md §2.2).
const (
	// Create makes the object when the lookup finds nothing.
	Create OpenOption = 1 << iota
	// Exclusive, with Create, fails with ResultExists when it exists.
	Exclusive
	// Update applies every object value as an update after the lookup.
	// Lookup keys are re-applied too, which dhcpd refuses for most keys:
	// to change an object, Open it and Update by handle.
	Update
)

// NewOpen builds an OPEN request for an object of type typ with the given
// lookup keys (or attributes, with Create), flags in omshell's order.
func NewOpen(typ string, keys Values, opts ...OpenOption) *Message {
	var flags OpenOption
	for _, o := range opts {
		flags |= o
	}
	m := &Message{Op: OpOpen, Object: keys, Message: make(Values, 0, 4)}
	// The request's bytes are its own (a caller may edit them), in one
	// allocation.
	data := make([]byte, 0, 12+len(typ))
	flag := func(name string) {
		data = append(data, 0, 0, 0, 1)
		m.Message = append(m.Message, Value{name, data[len(data)-4 : len(data) : len(data)]})
	}
	if flags&Create != 0 {
		flag("create")
	}
	if flags&Update != 0 {
		flag("update")
	}
	if flags&Exclusive != 0 {
		flag("exclusive")
	}
	data = append(data, typ...)
	m.Message = append(m.Message, Value{"type", data[len(data)-len(typ):]})
	return m
}

// Open looks up an object of type typ by keys (and creates or updates it
// as the options say) and returns it as the server published it.
func (c *Conn) Open(ctx context.Context, typ string, keys Values, opts ...OpenOption) (*Object, error) {
	reply, err := c.Exchange(ctx, NewOpen(typ, keys, opts...))
	if err != nil {
		return nil, err
	}
	return objectFrom(typ, reply)
}

// Create makes a new object of type typ with the given attributes; it
// fails with ResultExists when the lookup keys among them find one.
func (c *Conn) Create(ctx context.Context, typ string, values Values) (*Object, error) {
	return c.Open(ctx, typ, values, Create, Exclusive)
}

// Refresh re-reads the object with the given handle. The type is unknown
// to the protocol: the returned Object has Type typ as given.
func (c *Conn) Refresh(ctx context.Context, typ string, handle uint32) (*Object, error) {
	reply, err := c.Exchange(ctx, &Message{Op: OpRefresh, Handle: handle})
	if err != nil {
		return nil, err
	}
	return objectFrom(typ, reply)
}

// Update sets attributes of the object with the given handle. dhcpd does
// not send the new contents back; Refresh to see them.
func (c *Conn) Update(ctx context.Context, handle uint32, values Values) error {
	if len(values) == 0 {
		return fmt.Errorf("omapi: update of handle %d: no values to set", handle)
	}
	reply, err := c.Exchange(ctx, &Message{Op: OpUpdate, Handle: handle, Object: values})
	if err != nil {
		return err
	}
	return expectStatus(reply)
}

// Delete removes the object with the given handle.
func (c *Conn) Delete(ctx context.Context, handle uint32) error {
	reply, err := c.Exchange(ctx, &Message{Op: OpDelete, Handle: handle})
	if err != nil {
		return err
	}
	return expectStatus(reply)
}

func objectFrom(typ string, reply *Message) (*Object, error) {
	if reply.Op != OpUpdate {
		return nil, ProtocolError(fmt.Sprintf("expected an update reply carrying the object, got %v", reply.Op))
	}
	return &Object{Type: typ, Handle: reply.Handle, Values: reply.Object}, nil
}

func expectStatus(reply *Message) error {
	if reply.Op != OpStatus {
		return ProtocolError(fmt.Sprintf("expected a status reply, got %v", reply.Op))
	}
	return nil
}
