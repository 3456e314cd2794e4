#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# onbehalf.sh - what a call made on the sandbox's behalf costs: chmod of a
# file in a writable tree, which sandlock notifies, resolves, decides and
# makes itself with the child's credentials (src/features/fsmeta.c),
# against the bare chmod.  $B/bench/obchmod (bench/obchmod.c) times CALLS
# chmods in its own process and prints the mean ns per call, with as many
# fchmods on an open fd beside them (the fd form: notified too, decided on
# the object the fd names, made on the supervisor's reopen of it).
#
# Then the same for sendmsg ($B/bench/obsendmsg, bench/obsendmsg.c:
# SM_CALLS datagrams on a socketpair, to a pathname socket in the writable
# tree, and with one fd passed, against send(), never notified), which
# sandlock notifies and makes on its own copy of the socket
# (src/features/unixsock.c).
#
# Then a blocking TCP connect to a listener of its own on loopback
# ($B/bench/obconnect, bench/obconnect.c: CN_CALLS connects), bare, under
# a host:port rule (the supervisor decides on the address and connects on
# its copy of the socket) and under a :port rule (Landlock's port rule
# decides, on the supervisor's confined worker), as the current user.
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
# Environment: B, SANDLOCK, OBCHMOD (default $B/bench/obchmod), OBSENDMSG
# (default $B/bench/obsendmsg), ROUNDS (default 5), CALLS (default 20000),
# SM_CALLS (default 5000), OBCONNECT (default $B/bench/obconnect),
# CN_CALLS (default 3000), KEEP.
#
# Exit status: 0 when the measurement ran, 1 when a tool or a binary is
# missing or a candidate cannot run.

set -euo pipefail

BENCH_NAME=onbehalf
BENCH_KEEP='onbehalf.txt sendmsg.txt connect.txt'
# shellcheck source=bench/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
OBCHMOD=${OBCHMOD:-$B/bench/obchmod}
OBSENDMSG=${OBSENDMSG:-$B/bench/obsendmsg}
ROUNDS=${ROUNDS:-5}
CALLS=${CALLS:-20000}
SM_CALLS=${SM_CALLS:-5000}
OBCONNECT=${OBCONNECT:-$B/bench/obconnect}
CN_CALLS=${CN_CALLS:-3000}
need_built "$OBCHMOD" bench
need_built "$OBSENDMSG" bench
need_built "$OBCONNECT" bench

bench_dir=$(cd "$(dirname "$OBCHMOD")" && pwd)
# obchmod may be linked against libsandlock (the Makefile's bench rule):
# its directory's parent is then read too.
grants=("${SL_TREES[@]}" -r "$bench_dir" -r "$(dirname "$bench_dir")")

mkdir -p "$work/own" "$work/nobody"
: >"$work/own/f"
: >"$work/nobody/f"

# Runs one candidate of program $2 (chmod or sendmsg), appending
# "candidate=NAME calls=... KEY_ns=..."
candidate() {
	local prog=$OBCHMOD arg=f n=$CALLS
	if [[ ${2:-chmod} == sendmsg ]]; then
		prog=$OBSENDMSG arg=. n=$SM_CALLS
	fi
	case $1 in
	bare) "$prog" "$work/own/$arg" "$n" ;;
	sandlock) "$SANDLOCK" run "${grants[@]}" -w "$work/own" -- "$prog" "$work/own/$arg" "$n" ;;
	nobody)
		setpriv --reuid=65534 --regid=65534 --clear-groups -- \
			"$SANDLOCK" run "${grants[@]}" -w "$work/nobody" -- \
			"$prog" "$work/nobody/$arg" "$n"
		;;
	esac | sed "s/^/candidate=$1 /"
}

# One connect candidate: bare, host (a host:port rule), port (a :port rule).
connect_candidate() {
	local port
	port=$("$PY" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
	case $1 in
	bare) "$OBCONNECT" "$port" "$CN_CALLS" ;;
	host | port)
		local rule="127.0.0.1:$port"
		[[ $1 == port ]] && rule=":$port"
		"$SANDLOCK" run "${grants[@]}" --net-bind "$port" --net-allow "$rule" -- \
			"$OBCONNECT" "$port" "$CN_CALLS"
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

for p in chmod sendmsg; do
	for s in "${sides[@]}"; do
		candidate "$s" "$p" >"$work/check.out" 2>&1 ||
			fail "$s ($p) cannot run: $(head -c 400 "$work/check.out")"
	done
done
: >"$work/onbehalf.txt"
: >"$work/sendmsg.txt"
: >"$work/connect.txt"
for ((r = 1; r <= ROUNDS; r++)); do
	note "round $r/$ROUNDS: ${#sides[@]} candidates x $CALLS chmods, x $SM_CALLS sendmsgs"
	for s in $(shuf -e "${sides[@]}"); do
		candidate "$s" chmod >>"$work/onbehalf.txt" 2>"$work/err.out" ||
			fail "$s failed in round $r: $(head -c 400 "$work/err.out")"
		candidate "$s" sendmsg >>"$work/sendmsg.txt" 2>"$work/err.out" ||
			fail "$s (sendmsg) failed in round $r: $(head -c 400 "$work/err.out")"
	done
	for s in $(shuf -e bare host port); do
		connect_candidate "$s" >>"$work/connect.txt" 2>"$work/err.out" ||
			fail "connect ($s) failed in round $r: $(head -c 400 "$work/err.out")"
	done
done

"$PY" - "$work/onbehalf.txt" "$ROUNDS" "$CALLS" "$label" "$work/sendmsg.txt" "$SM_CALLS" \
	"$work/connect.txt" "$CN_CALLS" <<'EOF'
import statistics, sys

path, rounds, calls, label, sm_path, sm_calls, cn_path, cn_calls = sys.argv[1:]
rows = {}
for line in open(path):
    kv = dict(f.split("=", 1) for f in line.split())
    rows.setdefault(kv["candidate"], []).append(kv)

def med(name, key):
    v = [float(r[key]) for r in rows.get(name, [])]
    return statistics.median(v) / 1000 if v else None

for key, call in (("chmod_ns", "chmod (a path)"), ("fchmod_ns", "fchmod (an open fd)")):
    bare = med("bare", key)
    print()
    print(f"on-behalf {call}, median over {rounds} rounds of {calls} calls (us per call)")
    for name, what in (("bare", "bare"), ("sandlock", label),
                       ("nobody", "sandlock, as nobody")):
        v = med(name, key)
        if v is None:
            continue
        extra = "" if name == "bare" else f"   +{v - bare:.1f} us on-behalf"
        print(f"  {what:<50} {v:8.2f}{extra}")

rows = {}
for line in open(sm_path):
    kv = dict(f.split("=", 1) for f in line.split())
    rows.setdefault(kv["candidate"], []).append(kv)
print()
print(f"on-behalf sendmsg, median over {rounds} rounds of {sm_calls} calls (us per call)")
names = [(n, w) for n, w in (("bare", "bare"), ("sandlock", label.replace(" (capabilities dropped per call)", "")),
                             ("nobody", "sandlock, as nobody")) if n in rows]
print(f"  {'':<22}" + "".join(f"{w[:22]:>24}" for _, w in names))
for key, what in (("pair_ns", "socketpair, no name"), ("path_ns", "to a pathname socket"),
                  ("rights_ns", "socketpair, one fd"), ("send_ns", "send (not notified)")):
    print(f"  {what:<22}" + "".join(f"{med(n, key):24.2f}" for n, _ in names))

rows = {}
for line in open(cn_path):
    kv = dict(f.split("=", 1) for f in line.split())
    rows.setdefault(kv["candidate"], []).append(kv)
bare = med("bare", "connect_ns")
print()
print(f"on-behalf TCP connect (loopback, blocking), median over {rounds} rounds of {cn_calls} calls (us per call)")
for name, what in (("bare", "bare connect"), ("host", "sandlock, host:port rule (supervisor decides)"),
                   ("port", "sandlock, :port rule (Landlock decides)")):
    v = med(name, "connect_ns")
    extra = "" if name == "bare" else f"   {v / bare:5.2f}x"
    print(f"  {what:<50} {v:8.2f}{extra}")
EOF
