// Package profile loads omapish's TOML configuration: where the file is
// looked for, strict decoding with line and column in every error, server
// profiles, and secrets with the file-permission checks ssh applies to keys.
//
// The file is found by [Find]: the --config flag, else $OMAPISH_CONFIG, else
// $XDG_CONFIG_HOME/omapish/config.toml (~/.config/omapish/config.toml), else
// ./config.toml. None at all is not an error. A sample:
//
//	default = "local"                    # profile used when none is named
//
//	[servers.local]
//	address = "127.0.0.1:7911"           # host[:port], port 7911 by default
//	key_name = "defomapi"
//	secret = "+bFQtBCta6j2vWkjPkNFtgA==" # base64; or secret_file = "PATH",
//	                                     # or secret_env = "VARIABLE"
//	algorithm = "hmac-md5"               # or hmac-sha1 ... hmac-sha512
//	timeout = "5s"
//
//	[shell]
//	history_file = "~/.local/state/omapish/history"
//
// A file that holds a secret must not be readable by group or others (chmod
// 600), and neither must a secret_file; a file without secrets may be. Key
// material is held in a [Secret], which never prints.
//
// Every error is an [*Error] matching [ErrBadConfig]; several found in one
// file are returned together, joined with [errors.Join].
package profile
