package repl

import (
	"errors"
	"fmt"
	"strings"

	lua "github.com/yuin/gopher-lua"
	"github.com/yuin/gopher-lua/ast"
	"github.com/yuin/gopher-lua/parse"
)

// chunkName is the name typed and piped chunks are compiled under, as
// lua.c does; error messages read "stdin:LINE: message".
const chunkName = "stdin"

// status says whether a chunk is ready to run.
type status int

const (
	complete   status = iota // it compiles
	incomplete               // the parse stopped at the end of the input: read another line
	invalid                  // a syntax error before the end
)

func (s status) String() string {
	switch s {
	case complete:
		return "complete"
	case incomplete:
		return "incomplete"
	}
	return "invalid"
}

// buffer holds the lines of one chunk while it is being typed (usql's
// stmt.Stmt): the first line goes after the primary prompt, the others
// after the continuation prompt.
type buffer struct {
	lines []string
}

// Append adds a line.
func (b *buffer) Append(line string) { b.lines = append(b.lines, line) }

// Reset forgets the lines.
func (b *buffer) Reset() { b.lines = b.lines[:0] }

// Empty reports whether no line has been added since the last Reset.
func (b *buffer) Empty() bool { return len(b.lines) == 0 }

// String returns the lines joined by newlines.
func (b *buffer) String() string { return strings.Join(b.lines, "\n") }

// compiled is a chunk ready to run.
type compiled struct {
	proto *lua.FunctionProto
	// expr is true when the chunk compiled as "return " + chunk. Either
	// way the values it returns are printed (a statement chunk returns
	// some only with an explicit return).
	expr bool
	// assigned, when not "", says the chunk is one assignment of one call
	// to one variable (x = omapi.connect{...}), named so: the chunk then
	// returns a table of everything the call returned (see watchAssign).
	assigned string
}

// compile compiles src as the REPL does: as an expression first
// ("return " + src; a leading "=" is the Lua 5.1 shorthand for it), and as
// statements when that fails. The status says whether src is complete,
// needs more lines (the parse failed at the end of the input: an unfinished
// function, if, table, call, long string or long comment, or a quoted
// string continued by a final backslash), or is invalid; err is then the
// syntax error (see errorMessage).
func compile(src, name string) (compiled, status, error) {
	if t := strings.TrimLeft(src, " \t"); strings.HasPrefix(t, "=") {
		e := "return " + t[1:]
		p, err := compileString(e, name)
		switch {
		case err == nil:
			return compiled{proto: p, expr: true}, complete, nil
		case atEOF(err, e):
			return compiled{}, incomplete, err
		}
		return compiled{}, invalid, err
	}
	e := "return " + src
	p, eerr := compileString(e, name)
	if eerr == nil {
		return compiled{proto: p, expr: true}, complete, nil
	}
	c, serr := compileStatements(src, name)
	switch {
	case serr == nil:
		return c, complete, nil
	case atEOF(serr, src):
		return compiled{}, incomplete, serr
	case atEOF(eerr, e):
		// "{" alone is a syntax error, "return {" is unfinished.
		return compiled{}, incomplete, eerr
	}
	return compiled{}, invalid, serr
}

// compileStatements compiles src as statements; a chunk that is one
// assignment of a call is compiled to return what the call returned too
// (watchAssign).
func compileStatements(src, name string) (compiled, error) {
	stmts, err := parse.Parse(strings.NewReader(src), name)
	if err != nil {
		return compiled{}, err
	}
	assigned := ""
	if len(stmts) == 1 {
		stmts, assigned = watchAssign(stmts[0])
	}
	p, err := lua.Compile(stmts, name)
	if err != nil {
		return compiled{}, err
	}
	return compiled{proto: p, assigned: assigned}, nil
}

// resultsName is the local that holds a watched call's results; no Lua
// name can be spelt so.
const resultsName = "(results)"

// watchAssign rewrites `x = f(...)` (or `local x = f(...)`, one variable,
// one call) so that the chunk assigns as before and also returns a table
// of all the call returned:
//
//	local (results) = {f(...)}; x = (results)[1]; return (results)
//
// The shell then shows a failure that the assignment would swallow: the
// module's functions fail with nil, message, code, and x = ... keeps
// only the nil. Any other statement is returned as it is, and assigned is
// "".
func watchAssign(st ast.Stmt) (stmts []ast.Stmt, assigned string) {
	var (
		call *ast.FuncCallExpr
		ok   bool
	)
	switch a := st.(type) {
	case *ast.AssignStmt:
		if len(a.Lhs) == 1 && len(a.Rhs) == 1 {
			call, ok = a.Rhs[0].(*ast.FuncCallExpr)
		}
		if ok {
			assigned = exprName(a.Lhs[0])
		}
	case *ast.LocalAssignStmt:
		if len(a.Names) == 1 && len(a.Exprs) == 1 {
			call, ok = a.Exprs[0].(*ast.FuncCallExpr)
		}
		if ok {
			assigned = a.Names[0]
		}
	}
	if !ok || call.AdjustRet {
		return []ast.Stmt{st}, ""
	}
	line, last := st.Line(), st.LastLine()
	at := func(n ast.PositionHolder) {
		n.SetLine(line)
		n.SetLastLine(last)
	}
	results := func() ast.Expr {
		e := &ast.IdentExpr{Value: resultsName}
		at(e)
		return e
	}
	tbl := &ast.TableExpr{Fields: []*ast.Field{{Value: call}}}
	capture := &ast.LocalAssignStmt{Names: []string{resultsName}, Exprs: []ast.Expr{tbl}}
	one := &ast.NumberExpr{Value: "1"}
	first := &ast.AttrGetExpr{Object: results(), Key: one}
	ret := &ast.ReturnStmt{Exprs: []ast.Expr{results()}}
	for _, n := range []ast.PositionHolder{tbl, capture, one, first, ret} {
		at(n)
	}
	switch a := st.(type) {
	case *ast.AssignStmt:
		a.Rhs[0] = first
	case *ast.LocalAssignStmt:
		a.Exprs[0] = first
	}
	return []ast.Stmt{capture, st, ret}, assigned
}

// exprName is how an assignment's target reads, for a message.
func exprName(e ast.Expr) string {
	switch e := e.(type) {
	case *ast.IdentExpr:
		return e.Value
	case *ast.AttrGetExpr:
		if k, ok := e.Key.(*ast.StringExpr); ok {
			if o := exprName(e.Object); o != "" {
				return o + "." + k.Value
			}
		}
	}
	return "the variable"
}

// compileString parses and compiles src without an LState.
func compileString(src, name string) (*lua.FunctionProto, error) {
	stmts, err := parse.Parse(strings.NewReader(src), name)
	if err != nil {
		return nil, err
	}
	return lua.Compile(stmts, name)
}

// atEOF reports whether err is a parse error at the end of src, meaning
// more input could complete it. A quoted string is cut by a newline, so an
// unterminated one only continues when src ends with a backslash (an
// escaped newline).
func atEOF(err error, src string) bool {
	var pe *parse.Error
	if !errors.As(err, &pe) || pe.Pos.Line != parse.EOF {
		return false
	}
	if pe.Message == "unterminated string" {
		return strings.HasSuffix(src, `\`)
	}
	return true
}

// errorMessage formats a compile error as Lua does, "stdin:LINE: message",
// without gopher-lua's column and padding. src is the chunk, used to number
// an error at its end.
func errorMessage(err error, name, src string) string {
	var pe *parse.Error
	var ce *lua.CompileError
	switch {
	case errors.As(err, &pe):
		if pe.Pos.Line == parse.EOF {
			return fmt.Sprintf("%s:%d: %s near <eof>", name, strings.Count(src, "\n")+1, pe.Message)
		}
		return fmt.Sprintf("%s:%d: %s near '%s'", name, pe.Pos.Line, pe.Message, pe.Token)
	case errors.As(err, &ce):
		return fmt.Sprintf("%s:%d: %s", name, ce.Line, ce.Message)
	}
	return err.Error()
}

// StripShebang makes a first line that starts with # (a #! line, which
// lua(1) skips) a comment, so that the line numbers of the rest stay.
func StripShebang(src string) string {
	if !strings.HasPrefix(src, "#") {
		return src
	}
	if i := strings.IndexByte(src, '\n'); i >= 0 {
		return "--" + src[i:]
	}
	return ""
}
