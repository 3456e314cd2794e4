#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# run.sh - every benchmark, in order: the machine facts, bench/startup.sh
# (CLI start-up against bare, the launcher floor and bubblewrap),
# $B/bench/libbench (sandlock_run against fork+exec from a running process),
# bench/notif.sh (a notified syscall against the bare notification
# floor, and python3 with resource limits), bench/onbehalf.sh,
# bench/policyfn.sh (a syscall held for a policy callback), bench/redis.sh
# (a server under port_remap; skipped without redis), bench/http.sh (the
# HTTP ACL proxy), bench/determinism.sh, bench/procview.sh,
# then $B/bench/stress
# (many threads starting sandboxes at once, every output checked).
#
# Run it through `make bench` (or `make B=dir bench`), which builds first.
# Environment: B (build directory, default build), LIB_CALLS (libbench calls
# per side, default 300), STRESS_THREADS and STRESS_RUNS (default 4 threads
# of 1500 runs, about 10 s here), and the variables of startup.sh and
# notif.sh (ROUNDS is shared: startup.sh defaults it to 3, notif.sh to 5).
#
# Exit status: 0 when every benchmark ran, whatever its PASS/MISS verdicts;
# 1 when one could not run (a tool or a binary missing, sandlock failing),
# or when the stress run saw a wrong output or something grew.

set -uo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/.." && pwd)
B=${B:-build}
case $B in /*) ;; *) B=$root/$B ;; esac
export B
LIB_CALLS=${LIB_CALLS:-300}
STRESS_THREADS=${STRESS_THREADS:-4}
STRESS_RUNS=${STRESS_RUNS:-1500}
status=0

say() { printf '%s\n' "$*"; }
missing() {
	say "run: MISSING: $*"
	status=1
}

# ---- machine facts -------------------------------------------------------------
# Absolute times drift on shared machines; these lines let two reports be
# compared for what they are.
landlock_abi() {
	# landlock_create_ruleset(NULL, 0, LANDLOCK_CREATE_RULESET_VERSION)
	/usr/bin/python3 -c 'import ctypes
r = ctypes.CDLL(None, use_errno=True).syscall(444, None, 0, 1)
print(r if r > 0 else "unavailable (errno %d)" % ctypes.get_errno())' 2>/dev/null ||
		say "unknown"
}
say "== sandlock benchmarks"
say "date:      $(date -u '+%Y-%m-%d %H:%M:%S UTC')"
say "kernel:    $(uname -r) ($(uname -m))"
say "cpus:      $(nproc) x $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n1)"
say "load:      $(cut -d' ' -f1-3 /proc/loadavg)"
say "landlock:  ABI $(landlock_abi)"
if rev=$(git -C "$root" describe --always --dirty 2>/dev/null); then
	say "tree:      $rev"
fi
say "build:     $B"

# ---- tools ---------------------------------------------------------------------
have_hyperfine=1
if command -v hyperfine >/dev/null; then
	say "hyperfine: $(hyperfine --version | head -n1)"
else
	missing "hyperfine (apt-get install hyperfine): start-up and supervisor benchmarks skipped"
	have_hyperfine=0
fi
if command -v bwrap >/dev/null; then
	say "bwrap:     $(bwrap --version | head -n1)"
else
	say "bwrap:     not installed (apt-get install bubblewrap): compared without it"
fi
if [[ ! -x /usr/bin/python3 ]]; then
	missing "/usr/bin/python3: the start-up benchmark needs it (workload and report)"
	have_hyperfine=0
fi
say ""

# ---- start-up (CLI) ------------------------------------------------------------
if ((have_hyperfine)); then
	say "== start-up: sandlock run vs bare, floor, bubblewrap"
	if ! bash "$here/startup.sh" 2>&1; then
		say "run: start-up benchmark did not complete"
		status=1
	fi
	say ""
fi

# ---- library -------------------------------------------------------------------
say "== library: sandlock_run vs fork+execve+waitpid"
if [[ -x $B/bench/libbench ]]; then
	if ! "$B/bench/libbench" -n "$LIB_CALLS"; then
		say "run: libbench did not complete"
		status=1
	fi
else
	missing "$B/bench/libbench: build it with make B=${B#"$root"/} bench"
fi

# ---- supervisor ----------------------------------------------------------------
if ((have_hyperfine)); then
	say ""
	say "== supervisor: notified syscall vs the bare notification floor"
	if ! bash "$here/notif.sh" 2>&1; then
		say "run: supervisor benchmark did not complete"
		status=1
	fi
	say ""
	say "== on-behalf: chmod in a writable tree, made by the supervisor, vs bare chmod"
	if ! bash "$here/onbehalf.sh" 2>&1; then
		say "run: on-behalf benchmark did not complete"
		status=1
	fi
fi
say ""
say "== policy callback: a held syscall vs the plain supervisor round trip"
if ! bash "$here/policyfn.sh" 2>&1; then
	say "run: policy callback benchmark did not complete"
	status=1
fi

# ---- a server ------------------------------------------------------------------
if ((have_hyperfine)); then
	say ""
	say "== a server: redis-server under --port-remap vs bare, redis-benchmark from outside"
	if ! bash "$here/redis.sh" 2>&1; then
		say "run: redis benchmark did not complete"
		status=1
	fi
fi

# ---- the HTTP ACL proxy ---------------------------------------------------------
if ((have_hyperfine)); then
	say ""
	say "== the HTTP ACL proxy: requests through it vs direct, HTTP and HTTPS; its memory"
	if ! bash "$here/http.sh" 2>&1; then
		say "run: http benchmark did not complete"
		status=1
	fi
fi

# ---- determinism ---------------------------------------------------------------
if ((have_hyperfine)); then
	say ""
	say "== determinism: --random-seed, --num-cpus, --deterministic-dirs vs bare"
	if ! bash "$here/determinism.sh" 2>&1; then
		say "run: determinism benchmark did not complete"
		status=1
	fi
fi

# ---- the proc view -------------------------------------------------------------
if ((have_hyperfine)); then
	say ""
	say "== the proc view: ps -e, opens and /proc reads vs bare (SANDLOCK_BASE: without it)"
	if ! bash "$here/procview.sh" 2>&1; then
		say "run: proc view benchmark did not complete"
		status=1
	fi
fi

# ---- concurrency ---------------------------------------------------------------
say ""
say "== stress: $STRESS_THREADS threads x $STRESS_RUNS sandboxes, every output checked"
if [[ -x $B/bench/stress ]]; then
	if ! "$B/bench/stress" -t "$STRESS_THREADS" -n "$STRESS_RUNS" -p "$B/tests/probes/probe"; then
		say "run: the stress run failed (a wrong output, a leak, or it could not run)"
		status=1
	fi
else
	missing "$B/bench/stress: build it with make B=${B#"$root"/} bench"
fi

exit "$status"
