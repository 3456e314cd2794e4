#!/usr/bin/env bash
# tests/install.sh - `make install PREFIX=/opt/x DESTDIR=<scratch>` after a
# plain build, and what it installed: the .pc and the paths compiled into
# the library and the CLI say /opt/x, pkg-config gives /opt/x paths, the
# man pages render without warnings, the completion is there and completes
# every flag of the option table (cli/run_opts.c) and every subcommand
# (cli/main.c); then `make uninstall` removes them.
#
# Runs on a copy of the build tree (make keeps its timestamps), so only
# what embeds the install paths is rebuilt, and the tree the other tests
# use is left alone.  Prints "ok"/"FAIL" lines and "N passed, N failed".
# Usage: [B=build] bash tests/install.sh
set -u
cd "$(dirname "$0")/.." || exit 1
B=${B:-build}
pass=0
fail=0
ok() { echo "ok   [install] $1"; pass=$((pass + 1)); }
bad() { echo "FAIL [install] $1"; fail=$((fail + 1)); }
check() { # description, command...
	local what=$1
	shift
	if "$@"; then ok "$what"; else bad "$what"; fi
}
# (shellcheck: has and lines_in are run through check)
# shellcheck disable=SC2317
has() { [[ $1 == *"$2"* ]]; } # text, part
# shellcheck disable=SC2317
lines_in() { [ -z "$(comm -23 <(echo "$1") <(echo "$2"))" ]; } # sorted lines, sorted lines
finish() {
	echo "$pass passed, $fail failed"
	[ "$fail" -eq 0 ]
	exit
}

# Another build directory (check-asan's) was made with other flags, which
# the objects rebuilt here would not get.
if [ "$B" != build ] || [ ! -x "$B/sandlock" ]; then
	echo "skip [install] needs a plain build in build/ (B=$B)"
	echo "1 skipped"
	finish
fi

tmp=$(mktemp -d /tmp/sandlock-install-XXXXXX)
trap 'rm -rf "$tmp"' EXIT
cp -a "$B" "$tmp/build"
root=$tmp/root
X=$root/opt/x
# MAKEFLAGS cleared: `make check` runs this script outside its jobserver
if ! MAKEFLAGS='' make -s B="$tmp/build" PREFIX=/opt/x DESTDIR="$root" install >"$tmp/make.log" 2>&1; then
	bad "make install PREFIX=/opt/x DESTDIR=..."
	sed 's/^/    /' "$tmp/make.log"
	finish
fi
ok "make install PREFIX=/opt/x DESTDIR=..."

# ---- the paths the build embeds ------------------------------------------------
pc=$X/lib/pkgconfig/sandlock.pc
pcvars=$(grep -E '^(prefix|libdir|includedir)=' "$pc" | tr '\n' ' ')
check "sandlock.pc says prefix, libdir and includedir under /opt/x ($pcvars)" \
	test "$pcvars" = "prefix=/opt/x libdir=/opt/x/lib includedir=/opt/x/include "
flags=$(PKG_CONFIG_PATH=$X/lib/pkgconfig pkg-config --cflags --libs sandlock 2>&1)
check "pkg-config --cflags --libs: -I/opt/x/include -L/opt/x/lib -lsandlock ($flags)" \
	has " $flags " " -I/opt/x/include -L/opt/x/lib -lsandlock "
# the CLI's built-in profiles: DATADIR, named in the lookup's error
err=$(env HOME="$tmp" XDG_CONFIG_HOME= "$X/bin/sandlock" run -p no-such-profile -- true 2>&1)
check "the installed CLI looks for profiles in /opt/x/share/sandlock/profiles" \
	has "$err" " and /opt/x/share/sandlock/profiles)"
# the library's TLS plugin directory (src/features/tlsload.c)
check "the installed library looks for its TLS plugin in /opt/x/lib" \
	grep -qa '/opt/x/lib' "$X/lib/libsandlock.so.0"
check "the built-in profiles are installed" \
	test -f "$X/share/sandlock/profiles/default.toml"

# ---- man pages -------------------------------------------------------------------
for page in man1/sandlock.1 man5/sandlock-profile.5; do
	f=$X/share/man/$page
	if [ ! -f "$f" ]; then
		bad "$page installed"
		continue
	fi
	ok "$page installed"
	if command -v groff >/dev/null; then
		w=$(groff -man -ww -z "$f" 2>&1)
		check "$page renders without warnings${w:+: $w}" test -z "$w"
	fi
done

# ---- completion --------------------------------------------------------------------
comp=$X/share/bash-completion/completions/sandlock
check "completion installed" test -f "$comp"
# what the completion offers: COMP_WORDS as bash would set them
complete_words() { # words...
	bash -c 'source "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
		_sandlock; printf "%s\n" "${COMPREPLY[@]}"' _ "$comp" "$@" | sort -u
}
# the option table's long names and aliases: {"name", "alias" or NULL, ...
table=$(sed -n 's/^ *{"\([a-z0-9-]*\)", \(NULL\|"\([a-z0-9-]*\)"\),.*/--\1 --\3/p' cli/run_opts.c |
	tr ' ' '\n' | grep -x -- '--[a-z0-9-]\+' | sort -u)
offered=$(complete_words "$B/sandlock" run -- | grep -vx -- --)
if [ -n "$table" ] && [ "$table" = "$offered" ]; then
	ok "completion of 'run --' is the option table ($(echo "$table" | wc -l) flags)"
else
	bad "completion of 'run --' is the option table"
	diff <(echo "$table") <(echo "$offered") | sed 's/^/    /'
fi
help=$("$B/sandlock" run --help | grep -oE -- '^ +(-[A-Za-z0-9], )?--[a-z0-9-]+' | grep -oE -- '--[a-z0-9-]+' | sort -u)
check "every flag of run --help is offered" \
	lines_in "$help" "$offered"
subs=$(sed -n '/subcommands\[\] = {/,/^};/s/^ *{"\([a-z]*\)".*/\1/p' cli/main.c | sort -u)
offered=$(complete_words "$B/sandlock" "" | grep -v '^-')
if [ -n "$subs" ] && [ "$subs" = "$offered" ]; then
	ok "completion of subcommands is cli/main.c's table"
else
	bad "completion of subcommands is cli/main.c's table"
	diff <(echo "$subs") <(echo "$offered") | sed 's/^/    /'
fi
profiles=$(HOME=$tmp XDG_CONFIG_HOME='' complete_words "$B/sandlock" run -p '' | tr '\n' ' ')
builtin=$(for f in profiles/*.toml; do basename "$f" .toml; done | sort | tr '\n' ' ')
check "completion of -p offers the built-in profiles ($profiles)" test "$profiles" = "$builtin"
check "completion of --fs-read= offers paths" \
	has "$(complete_words "$B/sandlock" run --fs-read=/et)" "--fs-read=/etc"
# a running sandbox's name, for kill and inspect
name=compl-$$
"$B/sandlock" run --name "$name" -r /usr -r /lib -r /lib64 -r /bin -- /bin/sleep 30 2>/dev/null &
run_pid=$!
for _ in $(seq 50); do "$B/sandlock" ps 2>/dev/null | grep -q "^$name " && break; sleep 0.1; done
check "completion of kill offers the running sandbox" \
	has "$(complete_words "$B/sandlock" kill compl-)" "$name"
check "completion of inspect offers the running sandbox" \
	has "$(complete_words "$B/sandlock" inspect "")" "$name"
"$B/sandlock" kill "$name" >/dev/null 2>&1
wait "$run_pid" 2>/dev/null

# ---- uninstall ------------------------------------------------------------------------
MAKEFLAGS='' make -s B="$tmp/build" PREFIX=/opt/x DESTDIR="$root" uninstall >"$tmp/make.log" 2>&1
left=$(find "$root" -type f -o -type l)
check "make uninstall removes every file${left:+ (left: $left)}" test -z "$left"

finish
