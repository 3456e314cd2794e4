#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# determinism.sh - what the determinism options cost: a python workload
# that draws from os.urandom and the CPU count, and a small C build (two
# units compiled and linked, which opens, lists and writes files), bare,
# under sandlock without options, and under each of --random-seed,
# --num-cpus 1, --deterministic-dirs and all three, ROUNDS interleaved
# hyperfine rounds (shuffled order), medians and ratios to bare and to
# sandlock without options.  --time-start is not measured: it is not
# enforced yet.
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
)
order=(plain seed cpus1 dirs all)

names=()
cmds=()
add() { # name, command...
	local name=$1
	shift
	"$@" >"$work/check.out" 2>&1 || fail "$name cannot run: $* -> $(head -c 400 "$work/check.out")"
	names+=("$name")
	cmds+=("$(cmdline "$@")")
}

measure() { # tag
	local tag=$1 r i args
	for ((r = 1; r <= ROUNDS; r++)); do
		args=()
		for i in $(shuf -i 0-$((${#names[@]} - 1))); do
			args+=(-n "${names[i]}" "${cmds[i]}")
		done
		note "$tag round $r/$ROUNDS: ${#names[@]} candidates x $RUNS runs"
		hyperfine -N -w 2 -r "$RUNS" --style none --export-json "$work/$tag-$r.json" \
			"${args[@]}" >"$work/hyperfine.log" 2>&1 || {
			cat "$work/hyperfine.log" >&2
			fail "hyperfine failed in $tag round $r"
		}
	done
}

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
order = ["bare", "plain", "seed", "cpus1", "dirs", "all"]
what = {"bare": "bare", "plain": "sandlock", "seed": "--random-seed", "cpus1": "--num-cpus 1",
        "dirs": "--deterministic-dirs", "all": "all three"}
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
