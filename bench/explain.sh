#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# explain.sh - what --explain costs: a python loop of opens (N opens of a
# granted file, so every one is checked and allowed) and a small C build,
# bare, under sandlock, and under sandlock --explain; with audit readable
# (root, audit enabled: the kernel's records, no round trip per call) the
# --explain row measures that source instead, as the script says.  ROUNDS
# interleaved hyperfine rounds (shuffled order), medians, ratios to bare
# and to sandlock, and the cost per open.
#
# Environment: B, SANDLOCK, ROUNDS (default 3), RUNS (default 10), OPENS
# (default 5000), KEEP.  Exit status: 0 when the measurement ran, 1 when
# a tool is missing or a candidate cannot run.

set -euo pipefail

BENCH_NAME=explain
BENCH_KEEP='*.json'
# shellcheck source=bench/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
ROUNDS=${ROUNDS:-3}
RUNS=${RUNS:-10}
OPENS=${OPENS:-5000}
CC=${CC:-/usr/bin/cc}
[[ -x $CC ]] || fail "$CC not found (apt-get install build-essential)"

mkdir -p "$work/src" "$work/out"
echo data >"$work/src/f"
cat >"$work/src/a.c" <<'C'
#include <stdio.h>
int b(int);
int main(void) { printf("%d\n", b(41)); return 0; }
C
cat >"$work/src/b.c" <<'C'
int b(int x) { return x + 1; }
C
cat >"$work/build.sh" <<BUILD
set -e
cd "$work/out"
$CC -O1 -c "$work/src/a.c" "$work/src/b.c"
$CC -o prog a.o b.o
BUILD
# one line: hyperfine -N splits shell-style, without $'...' quoting
py_code="import os; [os.close(os.open('$work/src/f', os.O_RDONLY)) for i in range($OPENS)]"

source_note="explain (a supervisor round trip per open)"
if [[ $(id -u) == 0 ]] && "$PY" - <<'EOF' 2>/dev/null; then
import socket, struct, sys
s = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, 9)
s.send(struct.pack("=IHHII", 16, 1000, 1, 1, 0))
d = s.recv(8192)
sys.exit(0 if struct.unpack("=IHHII", d[:16])[1] == 1000 and struct.unpack("=I", d[20:24])[0] else 1)
EOF
	source_note="the kernel's audit records (audit is enabled here)"
fi
note "--explain reads Landlock's refusals from $source_note"

trees=("${SL_TREES_PY[@]}" -r "$work/src" -r "$work/build.sh" -w "$work/out" -w /tmp -w /dev/null)
names=()
cmds=()


workload() { # tag, command...
	local tag=$1
	shift
	names=()
	cmds=()
	add bare "$@"
	add plain "$SANDLOCK" run "${trees[@]}" -- "$@"
	add explain "$SANDLOCK" run "${trees[@]}" --explain -- "$@"
	measure "$tag"
}

workload opens "$PY" -c "$py_code"
workload build /bin/sh "$work/build.sh"

"$PY" - "$work" "$ROUNDS" "$OPENS" <<'EOF'
import glob, json, os, statistics, sys

work, rounds, opens = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
labels = {"opens": f"python: {opens} opens", "build": "cc: two units, link"}
what = {"bare": "bare", "plain": "sandlock", "explain": "sandlock --explain"}
print()
print(f"--explain, median over {rounds} interleaved rounds (hyperfine -N -w 2)")
print(f"{'workload':<24} {'candidate':<20} {'median ms':>10} {'x bare':>7} {'x sandlock':>11}")
for tag in ("opens", "build"):
    times = {}
    for path in glob.glob(os.path.join(work, f"{tag}-*.json")):
        for r in json.load(open(path))["results"]:
            times.setdefault(r["command"], []).extend(r["times"])
    med = {k: statistics.median(v) * 1000 for k, v in times.items()}
    for name in ("bare", "plain", "explain"):
        print(f"{labels[tag]:<24} {what[name]:<20} {med[name]:10.2f} {med[name] / med['bare']:6.2f}x"
              f" {med[name] / med['plain']:10.2f}x")
    if tag == "opens":
        print(f"{'':<24} --explain per open: {(med['explain'] - med['plain']) * 1000 / opens:.1f} us")
EOF
