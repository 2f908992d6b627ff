// Package docs_test proves that the documentation is executable: it runs
// every command shown in README.md and docs/*.md and compares what it
// prints with what the document shows.
//
// # What runs
//
// Fenced code blocks are taken from each document in order:
//
//   - ```console blocks are terminal transcripts. A line starting with "$ "
//     is a command (it goes on over the next lines after a trailing
//     backslash or inside an open quote, as bash reads it); the lines
//     after it, up to the next "$ ", are its expected output, stdout and
//     stderr together as a terminal shows them. Every command must exit 0
//     unless an exit annotation says otherwise. A console block must start
//     with a command: output without one belongs in a plain block. (No
//     here-documents in console blocks: their lines would read as output;
//     use an sh block or a file annotation.)
//   - ```sh (also bash, shell) blocks are scripts: every command in them
//     must succeed (a failing command is reported with its line, as
//     `set -e` would stop at it); their output is not compared.
//   - Other blocks (json, ini, yaml, markdown, plain) are not run, unless
//     an annotation below uses them.
//
// All blocks of one document run in one bash process, in one sandbox:
// a temporary working directory holding a copy of fixtures/ (so
// `scopectl app validate fixtures/invalid/...` runs as shown), a
// temporary HOME with a git identity, SCOPECTL_CONFIG and
// XDG_CONFIG_HOME inside it, TZ=UTC, and proxies that leave only
// loopback reachable. Shell state (cwd, variables) carries from one
// command to the next. The scopectl and scoped built from this checkout
// come first on PATH.
//
// A document that names a server address in a command it runs
// (127.0.0.1:9080, localhost:9080, or the example port 127.0.0.1:19555),
// runs a scopectl command that talks to a server (app pull, push, history,
// rollback, diff without --rev, server info), or has a `server`
// annotation, gets a real `scoped --dev` with a fresh SQLite store, on a
// free loopback port with as many digits as the document's port. The
// documented addresses are rewritten to that port in what runs, and back
// to the document's port (the first one it names; 9080 if none) in the
// output, so documents keep showing the standard port. The
// built-in `local` profile reaches it too (the sandbox's servers.json
// replaces `local` with the same URL on that port), and SCOPED_DB names
// its database, so `scoped keys ...` without --db acts on the server the
// document talks to. Without a server these addresses lead to a closed
// port.
//
// # Comparing output
//
// Lines are compared exactly, after removing trailing white space (and
// the CR of HTTP headers) and trailing empty lines, with these
// exceptions:
//
//   - "…" in an expected line matches any text within the line; a line
//     that is only "…" matches any number of lines (zero included);
//   - a value of one of these shapes in an expected line matches any
//     value of the same shape: an RFC 3339 date-time (with "T" or a
//     space, zone optional), a 64-digit lower-case hex hash, a JWT, a key
//     id (43 base64url characters), the values of "jti", "iat", "exp",
//     "nbf" and "sv" (scoped's secret version) JSON members.
//
// A mismatch reports document:line, the command, the exit status if it
// differs, and a diff (- expected, + actual).
//
// # Annotations
//
// HTML comments right before a block (only blank lines and other
// annotations between) change how it runs; GitHub does not show them.
// One comment holds one annotation; the text after the verb may span
// lines. A malformed annotation, one not followed by a block, or one that
// makes no sense on its block fails the document.
//
//	<!-- doctest: skip — REASON -->     do not run the block; the reason is required and logged
//	<!-- doctest: setup COMMANDS -->    run hidden commands before the block; they must succeed
//	<!-- doctest: exit N [N...] -->     expected exit status: one for every command of the
//	                                    block, or one per command in order
//	<!-- doctest: file PATH -->         write the block's content to PATH (any language)
//	<!-- doctest: output COMMAND -->    run a hidden COMMAND; the block (any language) is its
//	                                    expected output
//	<!-- doctest: ignore REGEXP -->     leave out output lines matching REGEXP before comparing
//	                                    (e.g. ^(Date|Content-Length): for curl -i)
//	<!-- doctest: ignore-all REGEXP --> the same for this block and every later one of the
//	                                    document
//	<!-- doctest: server -->            start a server for this document even if no
//	                                    address is named
//
// Long-running commands (benchmarks, the whole test suite, running the
// server by hand, which the harness stands in for) and commands that need
// the network are skipped, with the reason.
//
// With -short, only the tests of the harness itself run.
package docs_test
