# SPDX-License-Identifier: Apache-2.0
# shellcheck shell=bash
#
# lib.sh - what the bench scripts share (sourced, not run): paths, the
# sandlock grants, messages, the checks every script needs, a scratch
# directory, quoting for hyperfine -N.
#
# Before sourcing, set BENCH_NAME (message prefix and scratch dir name) and
# BENCH_KEEP (the glob patterns of result files that KEEP=DIR preserves).

here=$(cd "$(dirname "${BASH_SOURCE[1]}")" && pwd)
root=$(cd "$here/.." && pwd)
B=${B:-build}
case $B in /*) ;; *) B=$root/$B ;; esac
SANDLOCK=${SANDLOCK:-$B/sandlock}
PY=/usr/bin/python3

# Five readable trees for /bin/true; python also reads /proc and /dev.
SL_TREES=(-r /usr -r /lib -r /lib64 -r /bin -r /etc)
# shellcheck disable=SC2034 # used by the scripts that source this file
SL_TREES_PY=("${SL_TREES[@]}" -r /proc -r /dev)

note() { printf '%s: %s\n' "$BENCH_NAME" "$*"; }
fail() {
	printf '%s: error: %s\n' "$BENCH_NAME" "$*" >&2
	exit 1
}

# Fails unless every program named exists (an executable path or a
# command), with how to get it.
need_built() { # path, make target hint
	[[ -x $1 ]] || fail "$1 not found: build it first (make B=${B#"$root"/} $2)"
}

command -v hyperfine >/dev/null || fail "hyperfine not found (apt-get install hyperfine)"
command -v shuf >/dev/null || fail "shuf not found (coreutils)"
[[ -x $PY ]] || fail "$PY not found: it runs the workload and parses the results"
need_built "$SANDLOCK" ""

work=$(mktemp -d "${TMPDIR:-/tmp}/sandlock-$BENCH_NAME.XXXXXX")
cleanup() {
	if [[ -n ${KEEP:-} ]] && mkdir -p "$KEEP"; then
		local p
		for p in $BENCH_KEEP; do
			# shellcheck disable=SC2086 # p is a glob on purpose
			cp "$work"/$p "$KEEP"/ 2>/dev/null || true
		done
	fi
	rm -rf "$work"
}
trap cleanup EXIT

# Quote a word for hyperfine -N, which splits commands shell-style.
q() { printf '%q' "$1"; }
cmdline() {
	local out="" w
	for w in "$@"; do out+="${out:+ }$(q "$w")"; done
	printf '%s' "$out"
}

# Candidates of one workload: names[i] and cmds[i].  add checks that a
# candidate runs once before it is measured.
names=()
cmds=()
add() { # name, command...
	local name=$1
	shift
	"$@" >"$work/check.out" 2>&1 || fail "$name cannot run: $* -> $(head -c 400 "$work/check.out")"
	names+=("$name")
	cmds+=("$(cmdline "$@")")
}

# ROUNDS rounds of one hyperfine run over every candidate, in a shuffled
# order (drift of a shared machine hits them alike), RUNS runs each after
# WARMUP (default 2) warm-up runs; the JSON of round r in $work/TAG-r.json.
measure() { # tag
	local tag=$1 r i args
	for ((r = 1; r <= ROUNDS; r++)); do
		args=()
		for i in $(shuf -i 0-$((${#names[@]} - 1))); do
			args+=(-n "${names[i]}" "${cmds[i]}")
		done
		note "$tag round $r/$ROUNDS: ${#names[@]} candidates x $RUNS runs"
		hyperfine -N -w "${WARMUP:-2}" -r "$RUNS" --style none \
			--export-json "$work/$tag-$r.json" "${args[@]}" >"$work/hyperfine.log" 2>&1 || {
			cat "$work/hyperfine.log" >&2
			fail "hyperfine failed in $tag round $r"
		}
	done
}
