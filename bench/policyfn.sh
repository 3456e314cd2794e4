#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# policyfn.sh - the cost of a syscall held for a policy callback, against
# the plain supervisor round trip (bench/policyfn.c): an
# openat(DIR, O_DIRECTORY) timed inside the sandbox, CALLS times per run,
#   bare      not notified (the kernel and Landlock alone)
#   handler   a user handler that continues: the plain round trip
#   policyfn  a trivial callback (returns 0): the round trip, the hand-off
#             to the callback's thread and back, the event
#   filtered  the callback with opens left out of its events: notified,
#             no callback
# ROUNDS rounds, each running every mode once in a shuffled order; per
# mode the median of the rounds.  Prints the medians and the ratios.
#
# Environment: B (build directory, default build), ROUNDS (default 5),
# CALLS (default 5000).
# Exit status: 0 when it ran, 1 when the driver is missing or a run failed.

set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/.." && pwd)
B=${B:-build}
case $B in /*) ;; *) B=$root/$B ;; esac
DRIVER=$B/bench/policyfn
ROUNDS=${ROUNDS:-5}
CALLS=${CALLS:-5000}

fail() {
	printf 'policyfn: error: %s\n' "$*" >&2
	exit 1
}
[[ -x $DRIVER ]] || fail "$DRIVER not found: build it first (make bench)"
command -v shuf >/dev/null || fail "shuf not found (coreutils)"

modes=(bare handler policyfn filtered)
declare -A runs
for ((r = 0; r < ROUNDS; r++)); do
	for m in $(printf '%s\n' "${modes[@]}" | shuf); do
		line=$("$DRIVER" "$m" "$CALLS") || fail "$m did not run"
		runs[$m]+="${line#*ns=} "
	done
done

median() {
	# shellcheck disable=SC2086 # the values are words on purpose
	printf '%s\n' $1 | sort -g | awk '{v[NR] = $1} END {print v[int((NR + 1) / 2)]}'
}
declare -A med
for m in "${modes[@]}"; do
	med[$m]=$(median "${runs[$m]}")
	printf 'policyfn: %-9s %10.1f ns per openat (median of %d rounds of %d)\n' \
		"$m" "${med[$m]}" "$ROUNDS" "$CALLS"
done
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.2f", a / b}'; }
diff_us() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.1f", (a - b) / 1000}'; }
printf 'policyfn: held for a callback / plain round trip: %sx (+%s us per held call)\n' \
	"$(ratio "${med[policyfn]}" "${med[handler]}")" "$(diff_us "${med[policyfn]}" "${med[handler]}")"
printf 'policyfn: filtered out / plain round trip: %sx\n' \
	"$(ratio "${med[filtered]}" "${med[handler]}")"
printf 'policyfn: plain round trip / bare: %sx\n' "$(ratio "${med[handler]}" "${med[bare]}")"
