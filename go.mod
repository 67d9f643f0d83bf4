module github.com/omapish/omapish

go 1.26.8

require (
	github.com/BurntSushi/toml v1.6.0
	github.com/chzyer/readline v1.5.1
	github.com/creack/pty v1.1.24
	github.com/rogpeppe/go-internal v1.16.0
	github.com/yuin/gopher-lua v1.1.2
	golang.org/x/sys v0.38.0
)

require golang.org/x/tools v0.26.0 // indirect

replace github.com/yuin/gopher-lua => ./third_party/gopher-lua
