#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# cow.sh - what the copy-on-write workdir costs (fs_isolation overlayfs,
# and none: the supervisor's seccomp layer):
# an untar of a source tree (/usr/include/linux and /usr/include/asm-generic,
# about 900 files) and a make of a small C project (24 units and a link),
# each in a workdir, bare, under sandlock with the workdir writable
# (-w), and under sandlock with the workdir copy-on-write (--workdir,
# committed at the end: the commit is in the time; overlayfs, then the
# seccomp layer, which serves every path call in the workdir and makes
# every open of the sandbox itself), and bare followed by
# `sync -f` (the commit makes its data durable with syncfs before its
# journal: what that part costs here; syncfs waits for every dirty page
# of the filesystem, other programs' too).  ROUNDS interleaved
# hyperfine rounds (shuffled order), medians and ratios to bare.  The
# overlay adds no supervisor work per open: the kernel's overlayfs serves
# them; what it adds is the mount at the start and the commit at the end.
# Then the cost of one open (and close) with the seccomp layer, of a file
# in the workdir and of one outside it, against bare and -w.
#
# Environment: B, SANDLOCK, ROUNDS (default 3), RUNS (default 5), KEEP.
# Exit status: 0 when the measurement ran, 1 when a tool is missing or a
# candidate cannot run (an overlay this caller cannot mount among them).

set -euo pipefail

BENCH_NAME=cow
BENCH_KEEP='*.json'
# shellcheck source=bench/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
WARMUP=1
ROUNDS=${ROUNDS:-3}
RUNS=${RUNS:-5}
CC=${CC:-/usr/bin/cc}
[[ -x $CC ]] || fail "$CC not found (apt-get install build-essential)"
command -v make >/dev/null || fail "make not found"

tar -cf "$work/src.tar" -C /usr/include linux asm-generic
mkdir -p "$work/proj"
for i in $(seq 1 24); do
	cat >"$work/proj/u$i.c" <<C
#include <stdio.h>
#include <string.h>
int u$i(const char *s) { char b[64]; snprintf(b, sizeof(b), "%s-$i", s); return (int)strlen(b); }
C
	echo "int u$i(const char *);" >>"$work/proj/u.h"
done
{
	echo '#include <stdio.h>'
	echo '#include "u.h"'
	echo 'int main(void) { int n = 0;'
	for i in $(seq 1 24); do echo "n += u$i(\"x\");"; done
	printf '%s\n' 'printf("%d\n", n); return 0; }'
} >"$work/proj/main.c"
# shellcheck disable=SC2016 # make's variables, not the shell's
printf 'OBJS := main.o %s\nprog: $(OBJS)\n\t$(CC) -o $@ $(OBJS)\n%%.o: %%.c u.h\n\t$(CC) -O1 -c $<\n' \
	"$(seq -f 'u%g.o' 1 24 | tr '\n' ' ')" >"$work/proj/Makefile"

cat >"$work/untar.sh" <<SH
set -e
cd "\$1"
rm -rf tree
mkdir tree
tar -xf "$work/src.tar" -C tree
SH
mkdir -p "$work/tmp"
cat >"$work/make.sh" <<SH
set -e
cd "\$1"
export TMPDIR="$work/tmp"
make -s -B CC=$CC >/dev/null
SH

trees=("${SL_TREES[@]}" -r "$work/src.tar" -r "$work/untar.sh" -r "$work/make.sh" -w /dev/null
	-w "$work/tmp")
names=()
cmds=()


workload() { # tag, script, seed directory (copied into each candidate's workdir)
	local tag=$1 script=$2 seed=$3 n
	names=()
	cmds=()
	for n in bare sync write cow layer; do
		mkdir -p "$work/$tag-$n"
		[[ -n $seed ]] && cp -a "$seed/." "$work/$tag-$n/"
	done
	add bare /bin/sh "$script" "$work/$tag-bare"
	# shellcheck disable=SC2016 # the inner shell's arguments
	add sync /bin/sh -c '/bin/sh "$1" "$2" && sync -f "$2"' sh "$script" "$work/$tag-sync"
	add write "$SANDLOCK" run "${trees[@]}" -w "$work/$tag-write" -- /bin/sh "$script" \
		"$work/$tag-write"
	add cow "$SANDLOCK" run "${trees[@]}" --workdir "$work/$tag-cow" --fs-isolation overlayfs \
		--fs-storage "$work" -- /bin/sh "$script" "$work/$tag-cow"
	add layer "$SANDLOCK" run "${trees[@]}" --workdir "$work/$tag-layer" --fs-storage "$work" \
		-- /bin/sh "$script" "$work/$tag-layer"
	measure "$tag"
}

workload untar "$work/untar.sh" ""
workload make "$work/make.sh" "$work/proj"

"$PY" - "$work" "$ROUNDS" <<'EOF'
import glob, json, os, statistics, sys

work, rounds = sys.argv[1], int(sys.argv[2])
labels = {"untar": "untar: ~900 files, 8 MB", "make": "make -B: 24 units + link"}
what = {"bare": "bare", "sync": "bare, then sync -f", "write": "sandlock -w",
        "cow": "sandlock --workdir (overlayfs)", "layer": "sandlock --workdir (seccomp)"}
print()
print(f"copy-on-write workdir, median over {rounds} interleaved rounds (hyperfine -N -w 1)")
print(f"{'workload':<28} {'candidate':<32} {'median ms':>10} {'x bare':>7}")
for tag in ("untar", "make"):
    times = {}
    for path in glob.glob(os.path.join(work, f"{tag}-*.json")):
        for r in json.load(open(path))["results"]:
            times.setdefault(r["command"], []).extend(r["times"])
    med = {k: statistics.median(v) * 1000 for k, v in times.items()}
    for name in ("bare", "sync", "write", "cow", "layer"):
        if name in med:
            print(f"{labels[tag]:<28} {what[name]:<32} {med[name]:10.2f} {med[name] / med['bare']:6.2f}x")
EOF

# The cost of one open: N opens and closes of a file in the workdir and of
# one outside it (/etc/hostname is a view: /etc/passwd), in one process.
cat >"$work/opens.py" <<'PY'
import os, sys, time
n = 4000
for path in (os.path.join(sys.argv[1], "f"), "/etc/passwd"):
    t = time.perf_counter()
    for _ in range(n):
        os.close(os.open(path, os.O_RDONLY))
    print("%-10s %-8s %7.1f" % (sys.argv[2], "workdir" if path != "/etc/passwd" else "outside",
                                (time.perf_counter() - t) / n * 1e6))
PY
mkdir -p "$work/op-bare" "$work/op-write" "$work/op-layer"
for d in op-bare op-write op-layer; do echo x >"$work/$d/f"; done
echo
echo "one open and close, us (median of 3 runs of 4000)"
opens() { # tag, command...
	local tag=$1
	shift
	for _ in 1 2 3; do "$@"; done | "$PY" -c '
import statistics, sys
rows = {}
for line in sys.stdin:
    t, where, us = line.split()
    rows.setdefault((t, where), []).append(float(us))
for (t, where), v in rows.items():
    print("%-10s %-8s %7.1f" % (t, where, statistics.median(v)))'
}
opens bare "$PY" "$work/opens.py" "$work/op-bare" bare
opens write "$SANDLOCK" run "${SL_TREES[@]}" -r "$work/opens.py" -w "$work/op-write" -- \
	"$PY" "$work/opens.py" "$work/op-write" write
opens layer "$SANDLOCK" run "${SL_TREES[@]}" -r "$work/opens.py" --workdir "$work/op-layer" \
	--fs-storage "$work" -- "$PY" "$work/opens.py" "$work/op-layer" layer
