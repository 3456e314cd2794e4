#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# startup.sh - start-up cost of `sandlock run` against the bare command, the
# launcher floor (bench/floor.c) and bubblewrap, for /bin/true and for
# `/usr/bin/python3 -c pass`.
#
# The candidates of one workload are measured interleaved: ROUNDS rounds,
# each one hyperfine invocation over all candidates in a shuffled order, so
# that drift of the shared machine hits every candidate alike.  Per
# candidate the median is taken over the runs of all rounds.
#
# Environment:
#   B          build directory (default: build)
#   SANDLOCK   the CLI to measure (default: $B/sandlock)
#   FLOOR      the floor launcher (default: $B/bench/floor)
#   FAULTS     the page-fault counter (default: $B/bench/faults; bench/faults.c)
#   ROUNDS     rounds per workload (default: 3)
#   RUNS_TRUE  runs per candidate and round for /bin/true (default: 100)
#   RUNS_PY    runs per candidate and round for python3 (default: 30)
#   KEEP       if set, the directory where the hyperfine JSON files are kept
#
# Exit status: 0 when the measurement ran, whatever the PASS/MISS verdicts;
# 1 when a tool is missing or sandlock (or bare/floor) cannot run.

set -euo pipefail

BENCH_NAME=startup
BENCH_KEEP='*.json'
# shellcheck source=bench/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
FLOOR=${FLOOR:-$B/bench/floor}
ROUNDS=${ROUNDS:-3}
RUNS_TRUE=${RUNS_TRUE:-100}
RUNS_PY=${RUNS_PY:-30}

BWRAP_ARGS=(--ro-bind /usr /usr --symlink usr/lib /lib --symlink usr/lib64 /lib64
	--symlink usr/bin /bin)

need_built "$FLOOR" bench
FAULTS=${FAULTS:-$B/bench/faults}
need_built "$FAULTS" bench

# The floor must load libc alone: every extra shared object costs load time
# at each start and would make the launcher under test look better.  The
# Makefile links every bench program against libsandlock; when that shows
# up as NEEDED, measure a libc-only build of the same source instead.
if command -v readelf >/dev/null &&
	readelf -d "$FLOOR" | grep NEEDED | grep -qv 'libc\.so'; then
	note "$FLOOR needs more than libc; measuring a libc-only build of bench/floor.c"
	"${CC:-cc}" -O2 -o "$work/floor" "$here/floor.c" || fail "cannot compile bench/floor.c"
	FLOOR=$work/floor
fi

# ---- candidates ----------------------------------------------------------------
# names[i] and cmds[i] describe one candidate of the current workload.
names=()
cmds=()
sandlock_ok=1

# Adds a candidate after checking it runs once; bwrap may be skipped, the
# others are required.
add() {
	local name=$1
	shift
	if ! "$@" >"$work/check.out" 2>&1; then
		case $name in
		bwrap)
			note "skipping bwrap: it cannot run here ($(head -c 200 "$work/check.out"))"
			return 0
			;;
		sandlock)
			note "sandlock cannot run: $* -> $(head -c 400 "$work/check.out")"
			sandlock_ok=0
			return 0
			;;
		*) fail "$name cannot run: $*: $(head -c 400 "$work/check.out")" ;;
		esac
	fi
	names+=("$name")
	cmds+=("$(cmdline "$@")")
}

# Measures the current candidates: ROUNDS hyperfine runs in shuffled order.
measure() {
	local tag=$1 runs=$2 r i args
	for ((r = 1; r <= ROUNDS; r++)); do
		args=()
		for i in $(shuf -i 0-$((${#names[@]} - 1))); do
			args+=(-n "${names[i]}" "${cmds[i]}")
		done
		note "$tag round $r/$ROUNDS: ${#names[@]} candidates x $runs runs"
		# hyperfine's outlier warnings go to the log: the medians are robust.
		if ! hyperfine -N -w 3 -r "$runs" --style none \
			--export-json "$work/$tag-$r.json" "${args[@]}" >"$work/hyperfine.log" 2>&1; then
			cat "$work/hyperfine.log" >&2
			fail "hyperfine failed in $tag round $r"
		fi
	done
}

workload() {
	local tag=$1 runs=$2 trees_name=$3
	shift 3
	local -n trees=$trees_name
	names=()
	cmds=()
	add bare "$@"
	add floor "$FLOOR" "$@"
	add sandlock "$SANDLOCK" run "${trees[@]}" -- "$@"
	if command -v bwrap >/dev/null; then
		add bwrap bwrap "${BWRAP_ARGS[@]}" -- "$@"
	else
		note "skipping bwrap: not installed (apt-get install bubblewrap)"
	fi
	measure "$tag" "$runs"
	faults "$tag" "$trees_name" "$@"
}

# The page faults of one start of each candidate (bench/faults.c: the
# median of 20, the whole process tree): what a start touches, a count
# that barely moves between runs, where the times above do.
faults() {
	local tag=$1 trees_name=$2 line n
	shift 2
	local -n t=$trees_name
	line="page faults per start ($tag):"
	n=$("$FAULTS" 20 "$@") && line+=" bare $n"
	n=$("$FAULTS" 20 "$FLOOR" "$@") && line+=", floor $n"
	n=$("$FAULTS" 20 "$SANDLOCK" run "${t[@]}" -- "$@") && line+=", sandlock $n"
	if command -v bwrap >/dev/null &&
		n=$("$FAULTS" 20 bwrap "${BWRAP_ARGS[@]}" -- "$@" 2>/dev/null); then
		line+=", bwrap $n"
	fi
	printf '%s\n' "$line" >>"$work/faults.txt"
}

workload true "$RUNS_TRUE" SL_TREES /bin/true
workload python "$RUNS_PY" SL_TREES_PY "$PY" -c pass

# ---- report ------------------------------------------------------------------
"$PY" - "$work" "$ROUNDS" <<'EOF'
import glob, json, os, statistics, sys

work, rounds = sys.argv[1], int(sys.argv[2])
labels = {"true": "/bin/true", "python": "python3 -c pass"}
order = ["bare", "floor", "sandlock", "bwrap"]
med = {}

print()
print(f"start-up, median over {rounds} interleaved rounds (hyperfine -N -w 3)")
print(f"{'workload':<16} {'candidate':<10} {'runs':>5} {'median ms':>10} "
      f"{'x bare':>7} {'x floor':>8}")
for tag in ("true", "python"):
    times = {}
    for path in sorted(glob.glob(os.path.join(work, f"{tag}-*.json"))):
        with open(path) as f:
            for res in json.load(f)["results"]:
                times.setdefault(res["command"], []).extend(res["times"])
    for name, t in times.items():
        med[(tag, name)] = statistics.median(t) * 1e3
    bare = med.get((tag, "bare"))
    floor = med.get((tag, "floor"))
    for name in order:
        if name not in times:
            continue
        m = med[(tag, name)]
        print(f"{labels[tag]:<16} {name:<10} {len(times[name]):>5} {m:>10.3f} "
              f"{m / bare:>6.2f}x {m / floor:>7.2f}x")

def target(what, num, den, limit):
    a, b = med.get(num), med.get(den)
    if a is None or b is None:
        print(f"  {what:<44} <= {limit:.2f}x   n/a (not measured)")
        return
    r = a / b
    print(f"  {what:<44} <= {limit:.2f}x   {r:.2f}x  {'PASS' if r <= limit else 'MISS'}")

print()
print("targets")
target("sandlock run -- /bin/true, x floor", ("true", "sandlock"), ("true", "floor"), 1.05)
target("python3 -c pass under sandlock, x floor", ("python", "sandlock"),
       ("python", "floor"), 1.05)
EOF

echo
cat "$work/faults.txt"

if ((!sandlock_ok)); then
	fail "sandlock could not run, so its targets were not measured"
fi
