package profile

import (
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"runtime"
	"strings"
)

// redacted is what a Secret prints as.
const redacted = "[redacted]"

// maxSecretFile bounds how much of a secret file is read.
const maxSecretFile = 64 << 10

// Secret is key material: the decoded bytes of a base64 OMAPI secret.
//
// It prints as "[redacted]" with every fmt verb and flag (%v, %+v, %#v, %s,
// %q, %x, ...), also as a field of a printed struct, map or slice, through
// encoders that use MarshalText (encoding/json, TOML), and in log/slog, so it
// cannot leak into output by accident. Use []byte(s) for the bytes; a Secret
// encoded by MarshalText cannot be decoded back.
type Secret []byte

// String returns "[redacted]".
func (Secret) String() string { return redacted }

// GoString returns "[redacted]", for %#v.
func (Secret) GoString() string { return redacted }

// Format writes "[redacted]" whatever the verb.
func (Secret) Format(f fmt.State, _ rune) { io.WriteString(f, redacted) }

// MarshalText returns "[redacted]", so that encoders never see the bytes.
func (Secret) MarshalText() ([]byte, error) { return []byte(redacted), nil }

// LogValue returns "[redacted]" for log/slog.
func (Secret) LogValue() slog.Value { return slog.StringValue(redacted) }

// DecodeSecret decodes a base64 secret, as dhcpd.conf and omshell write it
// (standard alphabet). Like Python's decoder, which pypureomapi uses, it
// accepts missing or excess "=" padding: the sample secret in pypureomapi's
// documentation, "+bFQtBCta6j2vWkjPkNFtgA==", has one "=" too many.
// Surrounding white space is ignored. The error never shows the input.
func DecodeSecret(b64 string) (Secret, error) {
	s := strings.TrimSpace(b64)
	if s == "" {
		return nil, &Error{Msg: "secret is empty"}
	}
	b, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		if raw, rawErr := base64.RawStdEncoding.DecodeString(strings.TrimRight(s, "=")); rawErr == nil && len(raw) > 0 {
			b, err = raw, nil
		}
	}
	if err != nil {
		msg := "secret is not valid base64"
		if off := base64.CorruptInputError(0); errors.As(err, &off) {
			msg = fmt.Sprintf("%s (bad data at byte %d)", msg, int64(off))
		}
		return nil, &Error{Msg: msg, Err: err}
	}
	return Secret(b), nil
}

// LoadSecret reads a secret as a profile gives it: source is "secret" (value
// is the base64 secret), "secret_file" (value is a path, "~" expanded, a
// relative path taken from dir; read with [ReadSecretFile]) or "secret_env"
// (value names an environment variable holding the base64 secret). Errors
// never show the secret.
func LoadSecret(source, value, dir string) (Secret, error) {
	switch source {
	case "secret":
		return DecodeSecret(value)
	case "secret_file":
		path, err := resolve(value, dir)
		if err != nil {
			return nil, err
		}
		return ReadSecretFile(path)
	case "secret_env":
		val, set := os.LookupEnv(value)
		switch {
		case value == "":
			return nil, errors.New("empty environment variable name")
		case !set || val == "":
			return nil, fmt.Errorf("environment variable %s is not set", value)
		}
		s, err := DecodeSecret(val)
		if err != nil {
			return nil, fmt.Errorf("$%s: %w", value, err)
		}
		return s, nil
	}
	return nil, fmt.Errorf("unknown secret source %q (secret, secret_file or secret_env)", source)
}

// ReadSecretFile reads a file holding a base64 secret and nothing else;
// white space around it, such as a final newline, is ignored. Like ssh with a
// private key, it refuses a file that group or others may read or write (the
// error wraps ErrInsecure and says how to fix the mode). path is used as it
// is: callers expand "~" and resolve relative paths.
func ReadSecretFile(path string) (Secret, error) {
	data, mode, err := readFile(path, maxSecretFile)
	if err != nil {
		return nil, err
	}
	if err := checkPrivate(path, mode); err != nil {
		return nil, err
	}
	s, err := DecodeSecret(string(data))
	if err != nil {
		var e *Error
		if errors.As(err, &e) {
			e.Path = path
		}
		return nil, err
	}
	return s, nil
}

// readFile reads at most limit bytes of the file at path and returns them
// with the file's mode, both from the same open file.
func readFile(path string, limit int64) ([]byte, fs.FileMode, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, 0, fileError(path, err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, 0, fileError(path, err)
	}
	if fi.IsDir() {
		return nil, 0, &Error{Path: path, Msg: "is a directory, not a file"}
	}
	data, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return nil, 0, fileError(path, err)
	}
	if int64(len(data)) > limit {
		return nil, 0, &Error{Path: path, Msg: fmt.Sprintf("file is larger than %d bytes", limit)}
	}
	return data, fi.Mode(), nil
}

// fileError describes a failure to open or read path without repeating the
// path, which the *Error already shows.
func fileError(path string, err error) *Error {
	msg := err.Error()
	if pe := (*fs.PathError)(nil); errors.As(err, &pe) {
		msg = pe.Err.Error()
	}
	return &Error{Path: path, Msg: msg, Err: err}
}

// checkPrivate returns an error wrapping ErrInsecure when mode lets group or
// others read, write or execute a file holding a secret.
func checkPrivate(path string, mode fs.FileMode) error {
	perm := mode.Perm()
	if perm&0o077 == 0 || runtime.GOOS == "windows" {
		return nil
	}
	who, bits := "others", perm&0o007
	if bits == 0 {
		who, bits = "group", perm>>3&0o007
	}
	how := "accessible"
	switch {
	case bits&0o4 != 0:
		how = "readable"
	case bits&0o2 != 0:
		how = "writable"
	}
	return &Error{
		Path: path,
		Msg:  fmt.Sprintf("holds a secret but is %s by %s (mode %04o); run: chmod 600 %s", how, who, perm, shellQuote(path)),
		Err:  ErrInsecure,
	}
}

// shellQuote quotes s for a POSIX shell when it needs quoting.
func shellQuote(s string) string {
	safe := s != ""
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("_-./+:@%,=", r)) {
			safe = false
			break
		}
	}
	if safe {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
