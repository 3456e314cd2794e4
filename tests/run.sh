#!/usr/bin/env bash
# Runs every test binary and prints one closing line "N passed, N failed".
#
# Unit tests run once.  Integration tests run as the current user and, when
# that user is root, a second time as an unprivileged user (nobody, through
# setpriv) from a copy of the build tree that user can read: sandlock must
# work without root.  Usage: tests/run.sh [name-filter...]
#
# SANDLOCK_TEST_MUST_WORK=1 (CI): a skip fails unless tests/expected-skips.txt
# lists it (see tests/harness.c).
set -u
cd "$(dirname "$0")/.."
B=${B:-build}
export SANDLOCK_TEST_EXPECTED_SKIPS="$PWD/tests/expected-skips.txt"
total_pass=0
total_fail=0
total_skip=0

run_suite() { # label, command...
	local label=$1
	shift
	local out
	out=$(mktemp)
	TH_LABEL="[$label]" "$@" 2>&1 | tee "$out"
	local line
	line=$(grep -a -E '^[0-9]+ passed, [0-9]+ failed$' "$out" | tail -n1)
	if [ -z "$line" ]; then
		echo "FAIL [$label] suite did not finish"
		total_fail=$((total_fail + 1))
	else
		total_pass=$((total_pass + $(echo "$line" | awk '{print $1}')))
		total_fail=$((total_fail + $(echo "$line" | awk '{print $3}')))
	fi
	local s
	s=$(grep -E '^[0-9]+ skipped$' "$out" | awk '{print $1}')
	total_skip=$((total_skip + ${s:-0}))
	rm -f "$out"
}

[ -x $B/tests/unit ] && run_suite unit $B/tests/unit "$@"
# The fuzz targets on their corpora (fuzz/corpus/<target>/): a property
# that fails aborts the replay.
if [ $# -eq 0 ]; then
	for r in $B/fuzz/*-replay; do
		[ -x "$r" ] || continue
		t=$(basename "$r" -replay)
		if "$r" "fuzz/corpus/$t" >/dev/null; then
			echo "ok   [fuzz] $t corpus"
			total_pass=$((total_pass + 1))
		else
			echo "FAIL [fuzz] $t corpus"
			total_fail=$((total_fail + 1))
		fi
	done
	# make install into a scratch directory, from a copy of the build
	run_suite install bash tests/install.sh
fi
if [ -x $B/tests/integration ]; then
	if [ "$(id -u)" -eq 0 ]; then
		run_suite root $B/tests/integration "$@"
		# A world-readable copy of the build tree for the unprivileged pass.
		copy=$(mktemp -d /tmp/sandlock-unpriv-XXXXXX)
		cp -a $B "$copy/build"
		cp tests/expected-skips.txt "$copy/"
		# the built-in profiles, beside the build tree as in the source
		cp -a profiles "$copy/"
		chmod -R a+rX "$copy"
		chmod 1777 "$copy"
		run_suite user setpriv --reuid=65534 --regid=65534 --clear-groups \
			env HOME=/tmp TMPDIR=/tmp \
			SANDLOCK_TEST_EXPECTED_SKIPS="$copy/expected-skips.txt" \
			"$copy/build/tests/integration" "$@"
		rm -rf "$copy"
	else
		run_suite user $B/tests/integration "$@"
		echo "note: not root, the root pass of the integration tests was not run"
	fi
fi

echo
[ "$total_skip" -gt 0 ] && echo "$total_skip skipped"
echo "$total_pass passed, $total_fail failed"
[ "$total_fail" -eq 0 ]
