#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# determinism.sh - what the determinism options cost: a python workload
# that draws from os.urandom and the CPU count, and a small C build (two
# units compiled and linked, which opens, lists and writes files), bare,
# under sandlock without options, and under each of --random-seed,
# --num-cpus 1, --deterministic-dirs, --time-start and the first three,
# ROUNDS interleaved hyperfine rounds (shuffled order), medians and ratios
# to bare and to sandlock without options.  Then the clock reads
# --time-start shifts: a C loop of 10M clock_gettime(CLOCK_REALTIME)
# (libc, through the vDSO) and a python loop of 1M time.time(), bare,
# under sandlock and under sandlock --time-start: ns per call (the
# median of ROUNDS runs) and the ratio to bare (target: --time-start
# within 2x of bare: the patched vDSO makes no system call).
#
# Environment: B, SANDLOCK, ROUNDS (default 3), RUNS (default 10), KEEP.
# Exit status: 0 when the measurement ran, 1 when a tool is missing or a
# candidate cannot run.

set -euo pipefail

BENCH_NAME=determinism
BENCH_KEEP='*.json'
# shellcheck source=bench/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
ROUNDS=${ROUNDS:-3}
RUNS=${RUNS:-10}
CC=${CC:-/usr/bin/cc}
[[ -x $CC ]] || fail "$CC not found (apt-get install build-essential)"

mkdir -p "$work/src" "$work/out"
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
ls -U >/dev/null
BUILD
# one line: hyperfine -N splits shell-style, without $'...' quoting
py_code='import os, random; random.seed(os.urandom(16)); print(os.cpu_count(), sum(random.random() for _ in range(200000)))'

trees=("${SL_TREES_PY[@]}" -r "$work/src" -r "$work/build.sh" -w "$work/out" -w /tmp -w /dev/null)
declare -A opts=(
	[plain]=""
	[seed]="--random-seed 7"
	[cpus1]="--num-cpus 1"
	[dirs]="--deterministic-dirs"
	[all]="--random-seed 7 --num-cpus 1 --deterministic-dirs"
	[time]="--time-start 2000-01-01T00:00:00Z"
)
order=(plain seed cpus1 dirs all time)

names=()
cmds=()


workload() { # tag, command...
	local tag=$1 o
	shift
	names=()
	cmds=()
	add bare "$@"
	for o in "${order[@]}"; do
		# shellcheck disable=SC2206 # the options split on purpose
		local extra=(${opts[$o]})
		add "$o" "$SANDLOCK" run "${trees[@]}" "${extra[@]}" -- "$@"
	done
	measure "$tag"
}

workload python "$PY" -c "$py_code"
workload build /bin/sh "$work/build.sh"

"$PY" - "$work" "$ROUNDS" <<'EOF'
import glob, json, os, statistics, sys

work, rounds = sys.argv[1], int(sys.argv[2])
labels = {"python": "python: os.urandom, random, cpu_count", "build": "cc: two units, link, ls -U"}
order = ["bare", "plain", "seed", "cpus1", "dirs", "all", "time"]
what = {"bare": "bare", "plain": "sandlock", "seed": "--random-seed", "cpus1": "--num-cpus 1",
        "dirs": "--deterministic-dirs", "all": "the first three", "time": "--time-start"}
print()
print(f"determinism options, median over {rounds} interleaved rounds (hyperfine -N -w 2)")
print(f"{'workload':<40} {'candidate':<22} {'median ms':>10} {'x bare':>7} {'x sandlock':>11}")
for tag in ("python", "build"):
    times = {}
    for path in glob.glob(os.path.join(work, f"{tag}-*.json")):
        for r in json.load(open(path))["results"]:
            times.setdefault(r["command"], []).extend(r["times"])
    med = {k: statistics.median(v) * 1000 for k, v in times.items()}
    for name in order:
        if name not in med:
            continue
        print(f"{labels[tag]:<40} {what[name]:<22} {med[name]:10.2f} {med[name] / med['bare']:6.2f}x"
              f" {med[name] / med['plain']:10.2f}x")
EOF

# ---- the clock reads under --time-start -----------------------------------------
cat >"$work/src/clock.c" <<'C'
#include <stdio.h>
#include <time.h>
int main(void)
{
	struct timespec a, b, t;
	long long sum = 0, n = 10000000;
	clock_gettime(CLOCK_MONOTONIC, &a);
	for (long long i = 0; i < n; i++) {
		clock_gettime(CLOCK_REALTIME, &t);
		sum += t.tv_nsec & 1;
	}
	clock_gettime(CLOCK_MONOTONIC, &b);
	double ns = ((b.tv_sec - a.tv_sec) * 1e9 + (b.tv_nsec - a.tv_nsec)) / n;
	printf("%.2f %lld %lld\n", ns, (long long)t.tv_sec, sum);
	return 0;
}
C
$CC -O2 -o "$work/out/clock" "$work/src/clock.c" || fail "cannot build the clock loop"
py_clock='import time
n = 1000000
a = time.monotonic_ns()
for _ in range(n):
    time.time()
print((time.monotonic_ns() - a) / n, int(time.time()), 0)'

clock_runs() { # label, command...: ROUNDS lines of "label candidate ns seconds"
	local label=$1 r c
	shift
	for ((r = 1; r <= ROUNDS; r++)); do
		for c in bare plain time; do
			case $c in
			bare) "$@" ;;
			plain) "$SANDLOCK" run "${trees[@]}" -r "$work/out" -- "$@" ;;
			time)
				"$SANDLOCK" run "${trees[@]}" -r "$work/out" \
					--time-start 2000-01-01T00:00:00Z -- "$@"
				;;
			esac | awk -v l="$label" -v c="$c" '{ print l, c, $1, $2 }'
		done
	done
}
note "clock reads: $ROUNDS rounds of bare, sandlock, --time-start"
{
	clock_runs c "$work/out/clock"
	clock_runs python "$PY" -c "$py_clock"
} >"$work/clock.txt" || fail "the clock loops did not run"

"$PY" - "$work/clock.txt" <<'EOF'
import statistics, sys, time

rows = [l.split() for l in open(sys.argv[1]) if l.strip()]
labels = {"c": "C: 10M clock_gettime(REALTIME), vDSO", "python": "python: 1M time.time()"}
what = {"bare": "bare", "plain": "sandlock", "time": "--time-start"}
print()
print("clock reads, median ns per call (year: what the last run read)")
print(f"{'loop':<40} {'candidate':<14} {'ns/call':>8} {'x bare':>7} {'year':>5}")
for loop in ("c", "python"):
    sel = {c: [r for r in rows if r[0] == loop and r[1] == c] for c in what}
    if any(not v for v in sel.values()):
        sys.exit(f"determinism: the {loop} clock loop did not run everywhere")
    ns = {c: statistics.median(float(r[2]) for r in v) for c, v in sel.items()}
    for c in what:
        year = time.gmtime(int(sel[c][-1][3])).tm_year
        print(f"{labels[loop]:<40} {what[c]:<14} {ns[c]:8.2f} {ns[c] / ns['bare']:6.2f}x {year:>5}")
    if loop == "c":
        ratio = ns["time"] / ns["bare"]
        verdict = "PASS" if ratio <= 2 else "MISS"
        print(f"{'':<40} target: --time-start <= 2x bare: {verdict} ({ratio:.2f}x)")
EOF
