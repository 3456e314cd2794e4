#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# onbehalf.sh - what a call made on the sandbox's behalf costs: chmod of a
# file in a writable tree, which sandlock notifies, resolves, decides and
# makes itself with the child's credentials (src/features/fsmeta.c),
# against the bare chmod.  $B/bench/obchmod (bench/obchmod.c) times CALLS
# chmods in its own process and prints the mean ns per call, with as many
# fchmods beside them (never notified: the plain syscall).
#
# Candidates, run ROUNDS rounds in a shuffled order each, median per
# candidate:
#   bare      obchmod alone
#   sandlock  under sandlock run as the current user; as root the
#             supervisor's thread empties its effective capabilities for
#             each call and restores them (src/engine/aschild.c)
#   nobody    when run as root: the same as an unprivileged user (nobody,
#             through setpriv), whose supervisor holds no capability to
#             drop; skipped when that user cannot run the build tree's
#             binaries
#
# Environment: B, SANDLOCK, OBCHMOD (default $B/bench/obchmod), ROUNDS
# (default 5), CALLS (default 20000), KEEP.
#
# Exit status: 0 when the measurement ran, 1 when a tool or a binary is
# missing or a candidate cannot run.

set -euo pipefail

BENCH_NAME=onbehalf
BENCH_KEEP='onbehalf.txt'
# shellcheck source=bench/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
OBCHMOD=${OBCHMOD:-$B/bench/obchmod}
ROUNDS=${ROUNDS:-5}
CALLS=${CALLS:-20000}
need_built "$OBCHMOD" bench

bench_dir=$(cd "$(dirname "$OBCHMOD")" && pwd)
# obchmod may be linked against libsandlock (the Makefile's bench rule):
# its directory's parent is then read too.
grants=("${SL_TREES[@]}" -r "$bench_dir" -r "$(dirname "$bench_dir")")

mkdir -p "$work/own" "$work/nobody"
: >"$work/own/f"
: >"$work/nobody/f"

# Runs one candidate, appending "candidate=NAME calls=... chmod_ns=..."
candidate() {
	case $1 in
	bare) "$OBCHMOD" "$work/own/f" "$CALLS" ;;
	sandlock) "$SANDLOCK" run "${grants[@]}" -w "$work/own" -- "$OBCHMOD" "$work/own/f" "$CALLS" ;;
	nobody)
		setpriv --reuid=65534 --regid=65534 --clear-groups -- \
			"$SANDLOCK" run "${grants[@]}" -w "$work/nobody" -- \
			"$OBCHMOD" "$work/nobody/f" "$CALLS"
		;;
	esac | sed "s/^/candidate=$1 /"
}

sides=(bare sandlock)
if [[ $(id -u) -eq 0 ]] && command -v setpriv >/dev/null; then
	chmod 755 "$work"
	chown 65534:65534 "$work/nobody" "$work/nobody/f"
	if setpriv --reuid=65534 --regid=65534 --clear-groups -- test -x "$SANDLOCK" -a \
		-r "$OBCHMOD"; then
		sides+=(nobody)
	else
		note "nobody cannot run $SANDLOCK or read $OBCHMOD: its row is skipped"
	fi
fi
label="sandlock, as $(id -un)"
[[ $(id -u) -eq 0 ]] && label+=" (capabilities dropped per call)"

for s in "${sides[@]}"; do
	candidate "$s" >"$work/check.out" 2>&1 || fail "$s cannot run: $(head -c 400 "$work/check.out")"
done
: >"$work/onbehalf.txt"
for ((r = 1; r <= ROUNDS; r++)); do
	note "round $r/$ROUNDS: ${#sides[@]} candidates x $CALLS chmods"
	for s in $(shuf -e "${sides[@]}"); do
		candidate "$s" >>"$work/onbehalf.txt" 2>"$work/err.out" ||
			fail "$s failed in round $r: $(head -c 400 "$work/err.out")"
	done
done

"$PY" - "$work/onbehalf.txt" "$ROUNDS" "$CALLS" "$label" <<'EOF'
import statistics, sys

path, rounds, calls, label = sys.argv[1:]
rows = {}
for line in open(path):
    kv = dict(f.split("=", 1) for f in line.split())
    rows.setdefault(kv["candidate"], []).append(kv)

def med(name, key):
    v = [float(r[key]) for r in rows.get(name, [])]
    return statistics.median(v) / 1000 if v else None

bare = med("bare", "chmod_ns")
print()
print(f"on-behalf chmod, median over {rounds} rounds of {calls} calls (us per call)")
for name, what in (("bare", "bare chmod"), ("sandlock", label),
                   ("nobody", "sandlock, as nobody")):
    v = med(name, "chmod_ns")
    if v is None:
        continue
    extra = "" if name == "bare" else f"   +{v - bare:.1f} us on-behalf"
    print(f"  {what:<50} {v:8.2f}{extra}")
fch = med("sandlock", "fchmod_ns")
print(f"  {'plain fchmod under sandlock (not notified)':<50} {fch:8.2f}")
EOF
