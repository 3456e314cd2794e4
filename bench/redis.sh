#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# redis.sh - a real server in a sandbox: redis-server under sandlock run
# --port-remap, against the same redis-server bare, both driven from
# outside by redis-benchmark (SET and GET, one request per round trip
# and pipelines of 16).  The two servers run at once and both listen on
# VPORT: the sandboxed one is given another real port by port_remap
# (src/features/portremap.c), found here from its own listening socket
# (its inode in /proc/net/tcp) and printed.  A sandbox costs a server
# its syscalls' filter and, once, its bind; what it serves is never
# notified.
#
# ROUNDS rounds; in each, for -P 1 and for -P 16, the two candidates back
# to back in a shuffled order (a pair shares whatever else the machine
# runs at that moment).  Medians of requests per second, and the median
# of the pairs' ratios sandbox/bare (the target: at least 0.98).
#
# Environment: B, SANDLOCK, VPORT (default 6379; must be free on the
# host), ROUNDS (default 10), REQS (requests per -P 1 test, default
# 50000; the -P 16 tests take ten times as many), CLIENTS (default
# 50), KEEP; NOISE=1 runs the "sandlock" candidate bare too (on
# VPORT+1): what the table then shows is the machine's noise floor, the
# spread two identical servers get here.
#
# Exit status: 0 when the measurement ran, or was skipped because redis
# is not installed (apt-get install redis-server redis-tools); 1 when a
# server cannot start or the benchmark fails.

set -euo pipefail

if ! command -v redis-server >/dev/null || ! command -v redis-benchmark >/dev/null ||
	! command -v redis-cli >/dev/null; then
	echo "redis: skipped: redis-server, redis-cli or redis-benchmark not found" \
		"(apt-get install redis-server redis-tools)"
	exit 0
fi

BENCH_NAME=redis
BENCH_KEEP='redis.txt'
# shellcheck source=bench/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
VPORT=${VPORT:-6379}
ROUNDS=${ROUNDS:-10}
REQS=${REQS:-50000}
CLIENTS=${CLIENTS:-50}
# Two CPUs or more: the servers on the last one, redis-benchmark on the
# others (on one CPU they would take turns with the client, and the
# scheduler's choices, not the sandbox, would set the pace).
ncpu=$(nproc)
srv_pin=() cli_pin=()
if ((ncpu >= 2)) && command -v taskset >/dev/null; then
	srv_pin=(taskset -c "$((ncpu - 1))")
	cli_pin=(taskset -c "0-$((ncpu - 2))")
fi
server_args=(--port "$VPORT" --bind 127.0.0.1 --save "" --appendonly no --daemonize no
	--logfile "" --loglevel warning)

# The bind list: net_allow_bind's form when the build takes it, else
# 0.8.0's --net-bind (the same rule for one port).
bind_opt=(--net-allow-bind "$VPORT")
if ! "$SANDLOCK" run "${bind_opt[@]}" -- /bin/true 2>/dev/null; then
	bind_opt=(--net-bind "$VPORT")
fi

pids=()
stop_servers() {
	local p
	for p in "${bare_port:-}" "${sb_port:-}"; do
		if [[ -n $p ]]; then
			redis-cli -p "$p" shutdown nosave >/dev/null 2>&1 || true
		fi
	done
	# a server that never answered: its process (sandlock run ends the
	# sandbox with it)
	sleep 0.2
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
	for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
}
trap 'stop_servers; cleanup' EXIT

# Waits (up to 10 s) for a server to answer on port.
wait_ping() {
	local i
	for ((i = 0; i < 200; i++)); do
		[[ $(redis-cli -p "$1" ping 2>/dev/null) == PONG ]] && return 0
		sleep 0.05
	done
	return 1
}

# The TCP port a process listens on, from its sockets' inodes.
listen_port() {
	"$PY" - "$1" <<'EOF'
import os, sys
pid = sys.argv[1]
inodes = set()
for fd in os.listdir(f"/proc/{pid}/fd"):
    try:
        t = os.readlink(f"/proc/{pid}/fd/{fd}")
    except OSError:
        continue
    if t.startswith("socket:["):
        inodes.add(t[8:-1])
for table in ("/proc/net/tcp", "/proc/net/tcp6"):
    for line in open(table).readlines()[1:]:
        f = line.split()
        if f[3] == "0A" and f[9] in inodes:
            print(int(f[1].rsplit(":", 1)[1], 16))
            sys.exit(0)
sys.exit(1)
EOF
}

bare_port=$VPORT
if redis-cli -p "$VPORT" ping >/dev/null 2>&1; then
	fail "port $VPORT is taken on the host: set VPORT to a free one"
fi
${srv_pin[@]+"${srv_pin[@]}"} redis-server "${server_args[@]}" >"$work/bare.log" 2>&1 &
pids+=($!)
bare_pid=$!
wait_ping "$bare_port" || fail "bare redis-server did not start on $VPORT"

if [[ -n ${NOISE:-} ]]; then
	# the machine's noise floor: the second candidate bare too, on
	# VPORT+1, started the same way (below a process of its own)
	noise_args=("${server_args[@]}")
	noise_args[1]=$((VPORT + 1))
	${srv_pin[@]+"${srv_pin[@]}"} bash -c '"$@" & wait' redis redis-server "${noise_args[@]}" \
		>"$work/sandbox.log" 2>&1 &
else
	${srv_pin[@]+"${srv_pin[@]}"} "$SANDLOCK" run --port-remap "${bind_opt[@]}" "${SL_TREES[@]}" \
		-- redis-server "${server_args[@]}" >"$work/sandbox.log" 2>&1 &
fi
sl_pid=$!
pids+=("$sl_pid")
# A redis-server below process $1 (the sandlock run: its keeper's child).
redis_below() {
	local c
	for c in $(pgrep -P "$1"); do
		if [[ $(cat "/proc/$c/comm" 2>/dev/null) == redis-server ]]; then
			echo "$c"
			return 0
		fi
		redis_below "$c" && return 0
	done
	return 1
}

# the sandboxed server (not any other redis-server of the machine), and
# the port its socket really has
sb_pid="" sb_port=""
for ((i = 0; i < 200; i++)); do
	sleep 0.05
	sb_pid=$(redis_below "$sl_pid" || true)
	[[ -n $sb_pid ]] && sb_port=$(listen_port "$sb_pid" || true)
	[[ -n $sb_port ]] && break
done
[[ -n $sb_port ]] || fail "the sandboxed redis-server did not start listening"
wait_ping "$sb_port" || fail "the sandboxed redis-server does not answer on $sb_port"
if [[ -n ${NOISE:-} ]]; then
	note "NOISE=1: both candidates bare, on $VPORT and $sb_port (the machine's noise floor)"
else
	note "bare redis-server on $VPORT; sandboxed one on virtual $VPORT, real $sb_port" \
		"(${bind_opt[*]} --port-remap)"
fi

# The CPU time the server's main thread has run, in ns (schedstat: the
# scheduler's own count, precise where the tick-based stat is not).
cpu_ns() {
	local ns _
	read -r ns _ <"/proc/$1/schedstat"
	printf '%s' "$ns"
}

# One candidate's two tests at one pipeline depth, and the CPU its
# server spent on them:
# "round=R candidate=NAME pipe=P test=SET rps=..." per test, then
# "round=R candidate=NAME pipe=P test=CPU ns=... reqs=..."
candidate() { # name, pipe, round
	local port=$bare_port pid=$bare_pid n=$REQS before after
	[[ $1 == sandlock ]] && port=$sb_port pid=$sb_pid
	(($2 > 1)) && n=$((REQS * 10))
	before=$(cpu_ns "$pid")
	${cli_pin[@]+"${cli_pin[@]}"} redis-benchmark -p "$port" -c "$CLIENTS" -n "$n" -P "$2" \
		-t set,get --csv | tr -d '"' | awk -F, -v c="$1" -v p="$2" -v r="$3" \
		'$1 == "SET" || $1 == "GET" { print "round=" r, "candidate=" c, "pipe=" p, "test=" $1, "rps=" $2 }'
	after=$(cpu_ns "$pid")
	echo "round=$3 candidate=$1 pipe=$2 test=CPU ns=$((after - before)) reqs=$((n * 2))"
}

# Each pair (bare, sandbox) back to back in a shuffled order: the pair
# shares whatever else the machine runs at that moment.
: >"$work/redis.txt"
for ((r = 1; r <= ROUNDS; r++)); do
	note "round $r/$ROUNDS"
	for pipe in 1 16; do
		for s in $(shuf -e bare sandlock); do
			candidate "$s" "$pipe" "$r" >>"$work/redis.txt" ||
				fail "redis-benchmark failed ($s, -P $pipe, round $r)"
		done
	done
done

"$PY" - "$work/redis.txt" "$ROUNDS" "$CLIENTS" <<'EOF'
import statistics, sys

path, rounds, clients = sys.argv[1:]
rows = {}
for line in open(path):
    kv = dict(f.split("=", 1) for f in line.split())
    key = (kv["round"], kv["candidate"], kv["test"], kv["pipe"])
    rows[key] = float(kv["rps"]) if "rps" in kv else float(kv["ns"]) / float(kv["reqs"])

def pairs(test, pipe):
    # a test that failed (no figure, or 0: redis-benchmark lost its
    # connections) leaves its pair out
    rs = sorted({k[0] for k in rows if k[2] == test and k[3] == pipe})
    got = [(rows.get((r, "bare", test, pipe), 0), rows.get((r, "sandlock", test, pipe), 0))
           for r in rs]
    return [(b, s) for b, s in got if b > 0 and s > 0]

def line(name, ps, fmt):
    mb = statistics.median(b for b, _ in ps)
    ms = statistics.median(s for _, s in ps)
    ratios = [s / b for b, s in ps]
    spread = f"{min(ratios):.3f}-{max(ratios):.3f}"
    print(f"  {name:<14}{mb:{fmt}}{ms:{fmt}}{statistics.median(ratios):9.3f}  {spread:<14}")
    return statistics.median(ratios)

print()
print(f"redis-benchmark from outside, {clients} clients, {rounds} rounds: medians, and the")
print("median of each round's sandbox/bare ratio (a pair runs back to back)")
print(f"  {'requests/s':<14}{'bare':>12}{'sandlock':>12}{'ratio':>9}  {'pairs min-max':<14}")
worst = None
for test in ("SET", "GET"):
    for pipe in ("1", "16"):
        ps = pairs(test, pipe)
        if ps:
            r = line(f"{test} -P {pipe}", ps, "12.0f")
            worst = r if worst is None else min(worst, r)
print(f"  {'server CPU ns per request (its main thread; lower is better)':<14}")
for pipe in ("1", "16"):
    ps = pairs("CPU", pipe)
    if ps:
        line(f"SET+GET -P {pipe}", ps, "12.0f")
if worst is not None:
    verdict = "PASS" if worst >= 0.98 else "MISS"
    print(f"  {verdict}: worst throughput ratio {worst:.3f} (target: at least 0.98)")
EOF
