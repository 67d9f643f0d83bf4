package luaapi

import (
	"github.com/omapish/omapish/omapi"
)

// Class is one of the module's userdata classes, as the shell's help and
// completion know it.
type Class struct {
	Name string // its metatable: "omapi.conn"
	// Receivers are the names a Doc or a user gives its values, the
	// docs' first ("conn"), then others ("c", "connection").
	Receivers []string
}

// optionKeys are the keys of the module's option and argument tables
// (design.md), which completion offers with the attribute names.
var optionKeys = []string{
	"address", "algorithm", "authid", "create", "exclusive", "force", "handle", "hostname",
	"ip", "key_name", "lookup", "mac", "message", "name", "object", "op", "raw", "rid", "secret",
	"secret_env", "secret_file", "tid", "timeout", "update",
}

// Shell is the module as the shell sees it (it implements repl.Module):
// its documentation and the words completion offers. The zero value is
// ready to use.
type Shell struct{}

// Docs documents every function, method, field and constant.
func (Shell) Docs() []Doc { return Functions() }

// Classes are the userdata classes whose methods follow "value:".
func (Shell) Classes() []Class {
	return []Class{
		{ConnClass, []string{"conn", "c", "connection"}},
		{ObjectClass, []string{"obj", "o", "object", "lease", "host"}},
		{MessageClass, []string{"m", "msg", "message", "reply"}},
	}
}

// TypeNames are the object types, offered where a type is expected.
func (Shell) TypeNames() []string { return omapi.Types() }

// AttributeNames are the attribute names of every type.
func (Shell) AttributeNames() []string { return omapi.Attributes("") }

// OptionKeys are the keys of the module's option tables.
func (Shell) OptionKeys() []string { return append([]string(nil), optionKeys...) }
