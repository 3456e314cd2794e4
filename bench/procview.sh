#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# procview.sh - what the proc view costs: `ps -e`, a python loop that
# stats, checks and opens 3000 files under /usr/lib/python3, one that
# reads /proc/self/stat 2000 times, and five os.walk of /usr/lib/python3
# (its listings), bare, under this build's sandlock (the view is always
# on: every open and listing is notified, procfs opens are made by the
# supervisor) and, when SANDLOCK_BASE names another sandlock binary (an
# earlier build, to compare), under that one too.
# ROUNDS interleaved hyperfine rounds (shuffled order), medians and ratios
# to bare and to the base.
#
# Environment: B, SANDLOCK, SANDLOCK_BASE, ROUNDS (default 3), RUNS
# (default 10), KEEP.  Exit status: 0 when the measurement ran, 1 when a
# tool is missing or a candidate cannot run.

set -euo pipefail

BENCH_NAME=procview
BENCH_KEEP='*.json'
# shellcheck source=bench/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
ROUNDS=${ROUNDS:-3}
RUNS=${RUNS:-10}
PS=$(command -v ps || true)
[[ -x $PS ]] || fail "ps not found (apt-get install procps)"
BASE=${SANDLOCK_BASE:-}
[[ -z $BASE || -x $BASE ]] || fail "SANDLOCK_BASE=$BASE is not an executable"

# one line each: hyperfine -N splits shell-style
opens='import os, itertools; ps = itertools.islice((os.path.join(d, f) for d, _, fs in os.walk("/usr/lib/python3") for f in fs), 3000); print(sum(len(open(p, "rb").read(1)) for p in ps if os.path.isfile(p) and os.access(p, os.R_OK)))'
procs='for _ in range(2000): open("/proc/self/stat").read()'
lists='import os; print(sum(len(fs) for _ in range(5) for d, _, fs in os.walk("/usr/lib/python3")))'

trees=("${SL_TREES_PY[@]}")
names=()
cmds=()


workload() { # tag, command...
	local tag=$1
	shift
	names=()
	cmds=()
	add bare "$@"
	add view "$SANDLOCK" run "${trees[@]}" -- "$@"
	if [[ -n $BASE ]]; then
		add base "$BASE" run "${trees[@]}" -- "$@"
	fi
	measure "$tag"
}

workload ps "$PS" -e
workload opens "$PY" -c "$opens"
workload procs "$PY" -c "$procs"
workload lists "$PY" -c "$lists"

"$PY" - "$work" "$ROUNDS" <<'EOF'
import glob, json, os, statistics, sys

work, rounds = sys.argv[1], int(sys.argv[2])
labels = {"ps": "ps -e", "opens": "python: stat+access+open 3000 files", "procs": "python: 2000 reads of /proc/self/stat",
          "lists": "python: os.walk of /usr/lib/python3 x5"}
what = {"bare": "bare", "base": "SANDLOCK_BASE", "view": "this sandlock"}
print()
print(f"the proc view, median over {rounds} interleaved rounds (hyperfine -N -w 2)")
print(f"{'workload':<40} {'candidate':<24} {'median ms':>10} {'x bare':>7} {'x base':>10}")
for tag in ("ps", "opens", "procs", "lists"):
    times = {}
    for path in glob.glob(os.path.join(work, f"{tag}-*.json")):
        for r in json.load(open(path))["results"]:
            times.setdefault(r["command"], []).extend(r["times"])
    med = {k: statistics.median(v) * 1000 for k, v in times.items()}
    for name in ("bare", "base", "view"):
        if name not in med:
            continue
        base = f"{med[name] / med['base']:9.2f}x" if "base" in med else f"{'-':>10}"
        print(f"{labels[tag]:<40} {what[name]:<24} {med[name]:10.2f} {med[name] / med['bare']:6.2f}x {base}")
EOF
