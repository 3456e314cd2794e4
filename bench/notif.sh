#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# notif.sh - cost of one notified syscall through sandlock's supervisor
# against the bare user-notification floor (bench/notif_floor.c), both
# measured in this run; then `python3 -c pass` bare, under sandlock, and
# under sandlock with resource limits (-m 512M -P 32).
#
# Part 1 compares like with like: sandlock's engine answering a handled
# getppid with 0 (bench/notif_engine.c) against the floor answering
# {val 0, error 0} (the headline), and sandlock's emulated uname against
# the floor doing the same write the same way (`notif_floor vm`).  It runs
# ROUNDS rounds; each runs every candidate once, in a shuffled order, and
# each candidate times CALLS notified calls in its own process (notif_floor
# prints the mean ns per call).  Per candidate the median over the rounds
# is taken, so drift of the shared machine hits all alike.
# The sparse pair does the same with GAP_US of busy work before each call:
# the supervisor is asleep when the call comes, as between the
# notifications of a real program, and its wake-up is measured too.
# Part 2 is hyperfine -N interleaved the same way as bench/startup.sh.
#
# Nothing is pinned unless PIN is set; the report says whether both sides
# saw the same CPUs and the same wake-up mode.
#
# Environment:
#   B          build directory (default: build)
#   SANDLOCK   the CLI to measure (default: $B/sandlock)
#   NOTIF      the probe (default: $B/bench/notif_floor)
#   ENGINE     the handler runner (default: $B/bench/notif_engine)
#   ROUNDS     rounds of each part (default: 5)
#   CALLS      notified calls per candidate and round (default: 20000)
#   GAP_US     the sparse pair (floor and engine with NOTIF_GAP_US): busy
#              microseconds before each call (default: 200)
#   CALLS_SPARSE  calls per sparse candidate and round (default: 2000)
#   RUNS_PY    hyperfine runs per candidate and round for python3 (default: 30)
#   PIN        if set, a CPU list for taskset (e.g. 0): every candidate and its
#              supervisor then run on those CPUs
#   KEEP       if set, the directory where the raw results are kept
#
# Exit status: 0 when the measurement ran, whatever the PASS/MISS verdicts
# (and when the limits run is skipped because sandlock refuses -m/-P);
# 1 when a tool is missing or sandlock, the engine runner or the probe
# cannot run.

set -euo pipefail

BENCH_NAME=notif
BENCH_KEEP='*.json notif.txt'
# shellcheck source=bench/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
NOTIF=${NOTIF:-$B/bench/notif_floor}
ENGINE=${ENGINE:-$B/bench/notif_engine}
ROUNDS=${ROUNDS:-5}
CALLS=${CALLS:-20000}
GAP_US=${GAP_US:-200}
CALLS_SPARSE=${CALLS_SPARSE:-2000}
RUNS_PY=${RUNS_PY:-30}
LIMITS=(-m 512M -P 32)

need_built "$NOTIF" bench
need_built "$ENGINE" bench
pin=()
if [[ -n ${PIN:-} ]]; then
	command -v taskset >/dev/null || fail "PIN is set but taskset is missing (util-linux)"
	pin=(taskset -c "$PIN")
fi


# ---- part 1: notified syscall ------------------------------------------------
# The probe must start inside the sandbox: grant its directory, and the
# build directory too should the Makefile have linked libsandlock into it.
notif_dir=$(cd "$(dirname "$NOTIF")" && pwd)
extra=()
if command -v readelf >/dev/null && readelf -d "$NOTIF" | grep NEEDED | grep -qv 'libc\.so'; then
	extra+=(-r "$(dirname "$notif_dir")")
fi
# notif_engine grants the system trees and the probe's directory itself,
# so both sandlock candidates see the same policy.
grants=("${SL_TREES[@]}" -r "$notif_dir" "${extra[@]}")

# Runs one candidate, appending its result line to notif.txt.
candidate() {
	case $1 in
	sandlock) "${pin[@]}" "$SANDLOCK" run "${grants[@]}" -- "$NOTIF" loop "$CALLS" ;;
	engine) "${pin[@]}" "$ENGINE" "${extra[@]}" "$NOTIF" "$CALLS" ;;
	floor-sparse) NOTIF_GAP_US=$GAP_US "${pin[@]}" "$NOTIF" floor "$CALLS_SPARSE" ;;
	engine-sparse)
		NOTIF_GAP_US=$GAP_US "${pin[@]}" "$ENGINE" "${extra[@]}" "$NOTIF" "$CALLS_SPARSE"
		;;
	*) "${pin[@]}" "$NOTIF" "$1" "$CALLS" ;;
	esac
}

sides=(floor vm mem mem-cached floor-sparse)
sandlock_ok=1
engine_ok=1
# A first run of each checks it works and warms the page cache.
for s in "${sides[@]}" sandlock engine engine-sparse; do
	if ! candidate "$s" >"$work/check.out" 2>&1; then
		case $s in
		sandlock)
			note "sandlock cannot run the probe: $(head -c 400 "$work/check.out")"
			sandlock_ok=0
			;;
		engine | engine-sparse)
			note "notif_engine cannot run the probe: $(head -c 400 "$work/check.out")"
			engine_ok=0
			;;
		*) fail "notif_floor $s cannot run: $(head -c 400 "$work/check.out")" ;;
		esac
	fi
done
((sandlock_ok)) && sides+=(sandlock)
((engine_ok)) && sides+=(engine engine-sparse)

load_before=$(cut -d' ' -f1-3 /proc/loadavg)
: >"$work/notif.txt"
for ((r = 1; r <= ROUNDS; r++)); do
	note "notified-syscall round $r/$ROUNDS: ${#sides[@]} candidates x $CALLS calls"
	for s in $(shuf -e "${sides[@]}"); do
		candidate "$s" >>"$work/notif.txt" 2>"$work/err.out" ||
			fail "$s failed in round $r: $(head -c 400 "$work/err.out")"
	done
done
load_after=$(cut -d' ' -f1-3 /proc/loadavg)
# sandlock sets SYNC_WAKE_UP where the kernel has it; its check says so.
sl_sync=$("$SANDLOCK" check 2>/dev/null | sed -n 's/^ *Sync wake-up: *\([a-z]*\).*/\1/p')

# ---- part 2: python3 -c pass with and without limits ---------------------------
names=()
cmds=()
limits_skip=""
add() {
	local name=$1
	shift
	if ! "$@" >"$work/check.out" 2>&1; then
		case $name in
		limits)
			# Still refused by the library (-m/-P not implemented yet):
			# skipped, so the row starts working when the feature lands.
			limits_skip=$(head -n 1 "$work/check.out" | head -c 200)
			note "limits run skipped: $limits_skip"
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
add bare "$PY" -c pass
add sandlock "$SANDLOCK" run "${SL_TREES_PY[@]}" -- "$PY" -c pass
add limits "$SANDLOCK" run "${SL_TREES_PY[@]}" "${LIMITS[@]}" -- "$PY" -c pass

for ((r = 1; r <= ROUNDS; r++)); do
	args=()
	for i in $(shuf -i 0-$((${#names[@]} - 1))); do
		args+=(-n "${names[i]}" "${cmds[i]}")
	done
	note "python round $r/$ROUNDS: ${#names[@]} candidates x $RUNS_PY runs"
	if ! "${pin[@]}" hyperfine -N -w 3 -r "$RUNS_PY" --style none \
		--export-json "$work/python-$r.json" "${args[@]}" >"$work/hyperfine.log" 2>&1; then
		cat "$work/hyperfine.log" >&2
		fail "hyperfine failed in python round $r"
	fi
done

# ---- report --------------------------------------------------------------------
"$PY" - "$work" "$ROUNDS" "$CALLS" "$GAP_US" "$RUNS_PY" "${PIN:-}" "$sl_sync" "$load_before" \
	"$load_after" "$limits_skip" "${LIMITS[*]}" <<'EOF'
import glob, json, os, statistics, sys

(work, rounds, calls, gap_us, runs_py, pin, sl_sync, load0, load1, limits_skip,
 limits) = sys.argv[1:]

def verdict(r, limit):
    return f"{r:.2f}x  {'PASS' if r <= limit else 'MISS'}"

# -- part 1: one "mode=... key=value" line per candidate and round
rows = {}
for line in open(os.path.join(work, "notif.txt")):
    kv = dict(f.split("=", 1) for f in line.split())
    rows.setdefault(kv["mode"], []).append(kv)

def col(mode, key):
    return [float(r[key]) for r in rows.get(mode, [])]

def med(mode, key):
    v = col(mode, key)
    return statistics.median(v) if v else None

floor, vm = med("floor", "uname_ns"), med("vm", "uname_ns")
sl, sl_pp = med("loop", "uname_ns"), med("loop", "getppid_ns")
eng, eng_plain = med("loop-getppid", "getppid_ns"), med("loop-getppid", "getpid_ns")
floor_sp, eng_sp = med("floor-sparse", "uname_ns"), med("loop-getppid-sparse", "getppid_ns")
lines = [
    ("plain getppid, floor child", "floor", "getppid_ns"),
    ("plain getppid, under sandlock", "loop", "getppid_ns"),
    ("plain getpid, under the engine", "loop-getppid", "getpid_ns"),
    ("floor: uname answered {0, 0}", "floor", "uname_ns"),
    ("engine: getppid handler ret 0", "loop-getppid", "getppid_ns"),
    ("floor + process_vm write", "vm", "uname_ns"),
    ("sandlock: uname (emulated)", "loop", "uname_ns"),
    ("floor + /proc/PID/mem write", "mem", "uname_ns"),
    ("floor + mem fd opened once", "mem-cached", "uname_ns"),
    ("floor, sparse", "floor-sparse", "uname_ns"),
    ("engine, sparse", "loop-getppid-sparse", "getppid_ns"),
]
print()
print(f"notified syscall, median over {rounds} interleaved rounds of {calls} calls")
print(f"{'candidate':<32} {'ns/call':>9} {'min..max over rounds':>22} {'x floor':>8} {'x vm':>7}")
for label, mode, key in lines:
    v = col(mode, key)
    if not v:
        print(f"{label:<32} {'n/a':>9}")
        continue
    m = statistics.median(v)
    spread = f"{min(v):.0f}..{max(v):.0f}"
    print(f"{label:<32} {m:>9.1f} {spread:>22} {m / floor:>7.2f}x {m / vm:>6.2f}x")

# The same answer at both ends of each pair.
print()
print("ratios")
if eng is not None:
    print(f"  engine / floor   {eng / floor:.2f}x  (answer val 0, no memory access: the headline)")
else:
    print("  engine / floor   n/a (the engine was not measured)")
if eng_sp is not None:
    print(f"  engine / floor, sparse  {eng_sp / floor_sp:.2f}x  ({gap_us} us of busy work "
          "before each call: the supervisor wakes for it)")
if sl is not None:
    print(f"  uname / vm       {sl / vm:.2f}x  (the same write, the same recipe)")
    print(f"  uname / floor    {sl / floor:.2f}x  (for reference: emulation included)")
else:
    print("  uname / vm       n/a (sandlock was not measured)")

# -- conditions: both sides must have seen the same CPUs and wake-up mode
floor_modes = ("floor", "vm", "mem", "mem-cached", "floor-sparse")
cpus = {r["cpus"] for rs in rows.values() for r in rs}
fl_sync = {r.get("sync_wake_up") for m in floor_modes for r in rows.get(m, [])}
fl_sync = "yes" if fl_sync == {"1"} else "no" if fl_sync == {"0"} else "mixed"
same = len(cpus) == 1 and fl_sync == sl_sync
print()
print(f"conditions: {'pinned to CPUs ' + pin if pin else 'unpinned'}; CPUs allowed "
      f"{'/'.join(sorted(cpus))}; sync wake-up floor {fl_sync}, sandlock "
      f"{sl_sync or 'unknown'}; load {load0} -> {load1}")
print(f"  {'same on both sides' if same else 'NOT the same on both sides: compare with care'}")
written = {r["written"] for m in ("vm", "mem", "loop") for r in rows.get(m, [])}
if written - {"1"}:
    print("  warning: an emulated uname left the buffer empty")
if sl is not None and sl < 5 * sl_pp:
    print("  warning: uname under sandlock costs < 5 plain syscalls: is it still notified?")
if eng is not None and eng < 5 * eng_plain:
    print("  warning: getppid under the engine costs < 5 plain syscalls: is it still notified?")

# -- part 2: hyperfine JSON
times = {}
for path in sorted(glob.glob(os.path.join(work, "python-*.json"))):
    with open(path) as f:
        for res in json.load(f)["results"]:
            times.setdefault(res["command"], []).extend(res["times"])
pm = {k: statistics.median(v) * 1e3 for k, v in times.items()}
bare, nolim = pm.get("bare"), pm.get("sandlock")
print()
print(f"python3 -c pass, median over {rounds} interleaved rounds (hyperfine -N -w 3)")
print(f"{'candidate':<32} {'runs':>5} {'median ms':>10} {'x bare':>7} {'x no-limits':>12}")
for name, label in (("bare", "bare"), ("sandlock", "sandlock"),
                    ("limits", f"sandlock {limits}")):
    if name not in pm:
        why = f"skipped: {limits_skip}" if name == "limits" and limits_skip else "not measured"
        print(f"{label:<32} {why}")
        continue
    m = pm[name]
    xn = f"{m / nolim:>11.2f}x" if nolim else f"{'n/a':>12}"
    print(f"{label:<32} {len(times[name]):>5} {m:>10.3f} {m / bare:>6.2f}x {xn}")

print()
print("targets")
what = "engine-notified syscall, x bare floor"
if eng is None:
    print(f"  {what:<44} <= 1.05x   n/a (not measured)")
else:
    print(f"  {what:<44} <= 1.05x   {verdict(eng / floor, 1.05)}")
    if eng_sp is not None:
        what = "the same, sparse"
        print(f"  {what:<44} <= 1.05x   {verdict(eng_sp / floor_sp, 1.05)}")
what = "emulated uname, x bare floor"
if sl is not None:
    print(f"  {what:<44} <= 1.20x   {verdict(sl / floor, 1.2)}")
what = f"python3 under sandlock {limits}, x bare"
if "limits" in pm:
    print(f"  {what:<44} <= 1.25x   {verdict(pm['limits'] / bare, 1.25)}")
else:
    print(f"  {what:<44} <= 1.25x   n/a (skipped: {limits_skip or 'not measured'})")
EOF

if ((!sandlock_ok)); then
	fail "sandlock could not run, so its figures were not measured"
fi
if ((!engine_ok)); then
	fail "notif_engine could not run, so the engine's figures were not measured"
fi
