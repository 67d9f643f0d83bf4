package profile

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/user"
	"path/filepath"
	"strings"
	"syscall"
)

// EnvConfig names the environment variable holding the configuration file's
// path; --config takes precedence over it.
const EnvConfig = "OMAPISH_CONFIG"

// Find returns the configuration file to load: explicit (the --config flag)
// when it is not empty, else $OMAPISH_CONFIG when set, else
// $XDG_CONFIG_HOME/omapish/config.toml (~/.config/omapish/config.toml when
// XDG_CONFIG_HOME is unset or relative), else ./config.toml. A leading "~"
// is expanded.
//
// explicitGiven reports whether the path came from explicit or the
// environment; such a path must exist, and err says so when it does not.
// When no file is found in the default places, Find returns "", false, nil.
func Find(explicit string) (path string, explicitGiven bool, err error) {
	if explicit != "" {
		return findExplicit(explicit, "")
	}
	if env := os.Getenv(EnvConfig); env != "" {
		return findExplicit(env, " (from $"+EnvConfig+")")
	}
	for _, p := range defaultPaths() {
		fi, err := os.Stat(p)
		switch {
		case err == nil && !fi.IsDir():
			return p, false, nil
		case err == nil, errors.Is(err, fs.ErrNotExist), errors.Is(err, syscall.ENOTDIR):
			continue
		default:
			return "", false, fileError(p, err)
		}
	}
	return "", false, nil
}

// findExplicit checks that a path the user named exists and is a file.
func findExplicit(p, from string) (string, bool, error) {
	path, err := expandHome(p)
	if err != nil {
		return p, true, &Error{Path: p, Msg: err.Error() + from, Err: err}
	}
	fi, err := os.Stat(path)
	if err != nil {
		e := fileError(path, err)
		e.Msg += from
		return path, true, e
	}
	if fi.IsDir() {
		return path, true, &Error{Path: path, Msg: "is a directory, not a file" + from}
	}
	return path, true, nil
}

// defaultPaths lists where Find looks when no path is given, in order.
func defaultPaths() []string {
	var paths []string
	if dir := xdgDir("XDG_CONFIG_HOME", ".config"); dir != "" {
		paths = append(paths, filepath.Join(dir, "omapish", "config.toml"))
	}
	return append(paths, "config.toml")
}

// defaultHistoryFile is $XDG_STATE_HOME/omapish/history, or
// ~/.local/state/omapish/history, or "" when neither can be found.
func defaultHistoryFile() string {
	dir := xdgDir("XDG_STATE_HOME", filepath.Join(".local", "state"))
	if dir == "" {
		return ""
	}
	return filepath.Join(dir, "omapish", "history")
}

// xdgDir returns $env when it is an absolute path (the XDG base directory
// specification ignores relative ones), else ~/fallback, else "".
func xdgDir(env, fallback string) string {
	if dir := os.Getenv(env); filepath.IsAbs(dir) {
		return dir
	}
	home, err := os.UserHomeDir()
	if err != nil || home == "" {
		return ""
	}
	return filepath.Join(home, fallback)
}

// expandHome replaces a leading "~" or "~user" in path by the home
// directory.
func expandHome(path string) (string, error) {
	if !strings.HasPrefix(path, "~") {
		return path, nil
	}
	name, rest, _ := strings.Cut(path[1:], string(filepath.Separator))
	var home string
	if name == "" {
		h, err := os.UserHomeDir()
		if err != nil || h == "" {
			return "", fmt.Errorf("cannot expand ~ in %q: home directory unknown ($HOME is not set)", path)
		}
		home = h
	} else {
		u, err := user.Lookup(name)
		if err != nil {
			return "", fmt.Errorf("cannot expand ~%s in %q: %w", name, path, err)
		}
		home = u.HomeDir
	}
	return filepath.Join(home, rest), nil
}

// resolve expands "~" in path and makes a relative result relative to dir.
func resolve(path, dir string) (string, error) {
	p, err := expandHome(path)
	if err != nil {
		return "", err
	}
	if !filepath.IsAbs(p) {
		p = filepath.Join(dir, p)
	}
	return p, nil
}

// Load finds the configuration file as [Find] does and loads it with
// [LoadFile]. When no file is found it returns an empty configuration (no
// profiles, default shell settings), which is not an error: callers can still
// connect to an address.
func Load(explicit string) (*Config, error) {
	path, _, err := Find(explicit)
	if err != nil {
		return nil, err
	}
	if path == "" {
		return emptyConfig(""), nil
	}
	return LoadFile(path)
}
