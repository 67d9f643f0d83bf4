package lua

// omapish patch 9 (see PATCHES.md): a hook for the message of a call of a
// value that is not callable, with the name the call site used, so that
// an embedder can say what was called ("omapi has no function "conect"")
// where gopher-lua says only "attempt to call a non-function object".

// callError is the message for calling v, which is not callable.
func (ls *LState) callError(v LValue) string {
	if h := ls.Options.CallError; h != nil {
		if msg := h(ls, v, ls.calleeName()); msg != "" {
			return msg
		}
	}
	return "attempt to call a non-function object"
}

// calleeName is the name the running Lua function's current call
// instruction used for the function it calls ("print", "lookup_ip"), as
// the compiler recorded it; "" when the caller is a Go function or the
// name is unknown.
func (ls *LState) calleeName() string {
	fr := ls.currentFrame
	if fr == nil || fr.Fn == nil || fr.Fn.IsG {
		return ""
	}
	pc := fr.Pc - 1
	for _, call := range fr.Fn.Proto.DbgCalls {
		if call.Pc == pc && call.Name != "?" {
			return call.Name
		}
	}
	return ""
}
