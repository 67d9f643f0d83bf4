package profile

import (
	"errors"
	"io/fs"
	"os/user"
	"path/filepath"
	"strings"
	"testing"
)

func TestFind(t *testing.T) {
	const cfg = "[servers.a]\naddress = \"h\"\n"
	tests := []struct {
		name      string
		explicit  string
		env       map[string]string // "{{root}}" replaced by the temporary directory
		files     []string          // configuration files to create, under root
		want      string            // path, under root; "" for none
		wantGiven bool
		wantErr   string
	}{
		{name: "nothing anywhere"},
		{name: "working directory", files: []string{"work/config.toml"}, want: "config.toml"},
		{
			name:  "home before working directory",
			files: []string{"home/.config/omapish/config.toml", "work/config.toml"},
			want:  "{{root}}/home/.config/omapish/config.toml",
		},
		{
			name:  "XDG_CONFIG_HOME replaces ~/.config",
			env:   map[string]string{"XDG_CONFIG_HOME": "{{root}}/xdg"},
			files: []string{"xdg/omapish/config.toml", "home/.config/omapish/config.toml", "work/config.toml"},
			want:  "{{root}}/xdg/omapish/config.toml",
		},
		{
			name:  "XDG_CONFIG_HOME without the file falls to the working directory",
			env:   map[string]string{"XDG_CONFIG_HOME": "{{root}}/xdg"},
			files: []string{"home/.config/omapish/config.toml", "work/config.toml"},
			want:  "config.toml",
		},
		{
			name:  "relative XDG_CONFIG_HOME is ignored",
			env:   map[string]string{"XDG_CONFIG_HOME": "xdg"},
			files: []string{"work/xdg/omapish/config.toml", "home/.config/omapish/config.toml"},
			want:  "{{root}}/home/.config/omapish/config.toml",
		},
		{
			name:  "a directory is not a config file",
			files: []string{"work/config.toml/x"},
		},
		{
			name:      "OMAPISH_CONFIG before the defaults",
			env:       map[string]string{"OMAPISH_CONFIG": "{{root}}/env.toml", "XDG_CONFIG_HOME": "{{root}}/xdg"},
			files:     []string{"env.toml", "xdg/omapish/config.toml", "work/config.toml"},
			want:      "{{root}}/env.toml",
			wantGiven: true,
		},
		{
			name:      "OMAPISH_CONFIG with ~",
			env:       map[string]string{"OMAPISH_CONFIG": "~/my.toml"},
			files:     []string{"home/my.toml", "work/config.toml"},
			want:      "{{root}}/home/my.toml",
			wantGiven: true,
		},
		{
			name:      "OMAPISH_CONFIG missing is an error",
			env:       map[string]string{"OMAPISH_CONFIG": "{{root}}/nope.toml"},
			files:     []string{"work/config.toml"},
			want:      "{{root}}/nope.toml",
			wantGiven: true,
			wantErr:   "{{root}}/nope.toml: no such file or directory (from $OMAPISH_CONFIG)",
		},
		{
			name:      "explicit before OMAPISH_CONFIG",
			explicit:  "{{root}}/flag.toml",
			env:       map[string]string{"OMAPISH_CONFIG": "{{root}}/env.toml"},
			files:     []string{"flag.toml", "env.toml"},
			want:      "{{root}}/flag.toml",
			wantGiven: true,
		},
		{
			name:      "explicit relative to the working directory",
			explicit:  "sub/c.toml",
			files:     []string{"work/sub/c.toml"},
			want:      "sub/c.toml",
			wantGiven: true,
		},
		{
			name:      "explicit with ~",
			explicit:  "~/c.toml",
			files:     []string{"home/c.toml"},
			want:      "{{root}}/home/c.toml",
			wantGiven: true,
		},
		{
			name:      "explicit missing is an error",
			explicit:  "nope.toml",
			files:     []string{"work/config.toml"},
			want:      "nope.toml",
			wantGiven: true,
			wantErr:   "nope.toml: no such file or directory",
		},
		{
			name:      "explicit directory is an error",
			explicit:  "{{root}}/home",
			want:      "{{root}}/home",
			wantGiven: true,
			wantErr:   "{{root}}/home: is a directory, not a file",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			root := isolate(t)
			expand := strings.NewReplacer("{{root}}", root).Replace
			for k, v := range tt.env {
				t.Setenv(k, expand(v))
			}
			for _, f := range tt.files {
				writeFile(t, filepath.Join(root, f), cfg, 0o644)
			}

			path, given, err := Find(expand(tt.explicit))

			if path != expand(tt.want) || given != tt.wantGiven {
				t.Errorf("Find = %q, %v; want %q, %v", path, given, expand(tt.want), tt.wantGiven)
			}
			if tt.wantErr != "" {
				if err == nil || err.Error() != expand(tt.wantErr) {
					t.Errorf("Find error = %v; want %q", err, expand(tt.wantErr))
				}
				if strings.Contains(tt.wantErr, "no such file") && !errors.Is(err, fs.ErrNotExist) {
					t.Errorf("errors.Is(%v, fs.ErrNotExist) = false", err)
				}
				if !errors.Is(err, ErrBadConfig) {
					t.Errorf("errors.Is(%v, ErrBadConfig) = false", err)
				}
				if _, err := Load(expand(tt.explicit)); err == nil {
					t.Errorf("Load succeeded where Find failed")
				}
				return
			}
			if err != nil {
				t.Fatalf("Find: %v", err)
			}

			c, err := Load(expand(tt.explicit))
			if err != nil {
				t.Fatalf("Load: %v", err)
			}
			if c.Path != path {
				t.Errorf("Load: Path = %q; want %q", c.Path, path)
			}
			wantServers := 1
			if path == "" {
				wantServers = 0
			}
			if len(c.Servers) != wantServers || c.Servers == nil {
				t.Errorf("Load: %d servers; want %d", len(c.Servers), wantServers)
			}
		})
	}
}

func TestLoadNothingFound(t *testing.T) {
	root := isolate(t)
	c, err := Load("")
	if err != nil {
		t.Fatal(err)
	}
	want := filepath.Join(root, "home", ".local", "state", "omapish", "history")
	if c.Path != "" || c.Default != "" || c.Servers == nil || len(c.Servers) != 0 || c.Shell.HistoryFile != want {
		t.Errorf("Load with no file = %+v; want an empty config with history %q", c, want)
	}
}

func TestFindThroughAFile(t *testing.T) {
	root := isolate(t)
	// $XDG_CONFIG_HOME/omapish/config.toml goes through a regular file: the
	// error is "not a directory", which means not there.
	t.Setenv("XDG_CONFIG_HOME", writeFile(t, filepath.Join(root, "xdg"), "", 0o600))
	if path, _, err := Find(""); path != "" || err != nil {
		t.Errorf("Find = %q, %v; want nothing", path, err)
	}
}

func TestExpandHome(t *testing.T) {
	root := isolate(t)
	home := filepath.Join(root, "home")
	for in, want := range map[string]string{
		"~":                     home,
		"~/":                    home,
		"~/a/b":                 home + "/a/b",
		"/abs/~/x":              "/abs/~/x",
		"rel/~":                 "rel/~",
		"~root/x":               "/root/x",
		"":                      "",
		"~nosuchuser-omapish/x": "",
	} {
		got, err := expandHome(in)
		if want == "" && in != "" {
			if err == nil {
				t.Errorf("expandHome(%q) = %q; want an error", in, got)
			}
			continue
		}
		if err != nil || got != want {
			t.Errorf("expandHome(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	t.Setenv("HOME", "")
	if _, err := expandHome("~/x"); err == nil || !strings.Contains(err.Error(), "$HOME is not set") {
		t.Errorf("expandHome without HOME: %v", err)
	}
	if u, err := user.Current(); err == nil && u.Username != "" {
		if got, err := expandHome("~" + u.Username + "/x"); err != nil || got != filepath.Join(u.HomeDir, "x") {
			t.Errorf("expandHome(~%s/x) = %q, %v; want %q", u.Username, got, err, filepath.Join(u.HomeDir, "x"))
		}
	}
}
