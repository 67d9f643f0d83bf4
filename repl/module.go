package repl

import "github.com/omapish/omapish/luaapi"

// Module is what the shell asks of the Lua module it runs with, instead of
// knowing it: the documentation help() shows, and the words completion
// offers. luaapi.Shell is the omapi module's.
type Module interface {
	Docs() []luaapi.Doc
	// Classes are the userdata classes whose methods follow "value:".
	Classes() []luaapi.Class
	// TypeNames, AttributeNames and OptionKeys are offered in strings
	// and at table keys.
	TypeNames() []string
	AttributeNames() []string
	OptionKeys() []string
}

// noModule is the Module of a shell that was given none.
type noModule struct{}

func (noModule) Docs() []luaapi.Doc       { return nil }
func (noModule) Classes() []luaapi.Class  { return nil }
func (noModule) TypeNames() []string      { return nil }
func (noModule) AttributeNames() []string { return nil }
func (noModule) OptionKeys() []string     { return nil }

// classOf returns the class whose receivers include recv ("conn" in
// "conn:lookup_ip"), or "".
func classOf(m Module, recv string) string {
	for _, c := range m.Classes() {
		for _, r := range c.Receivers {
			if r == recv {
				return c.Name
			}
		}
	}
	return ""
}

// receiverOf returns the receiver the docs use for class ("conn").
func receiverOf(m Module, class string) string {
	for _, c := range m.Classes() {
		if c.Name == class && len(c.Receivers) > 0 {
			return c.Receivers[0]
		}
	}
	return class
}
