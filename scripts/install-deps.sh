#!/usr/bin/env bash
# Installs the Debian 12 packages sandlock needs to build, test and
# benchmark.  Idempotent: packages already present are left alone.
# Usage: scripts/install-deps.sh [--fuzz]   (needs root or sudo)
#   --fuzz   also clang and its runtime libraries, for `make fuzz`
set -euo pipefail

packages=(
	# build
	build-essential    # gcc 12, make
	pkg-config
	libseccomp-dev     # seccomp BPF assembly (compiled in the parent)
	libssl-dev         # OpenSSL 3: HTTPS interception by the HTTP ACL proxy
	# tests
	python3            # /usr/bin/python3, used by the integration tests
	curl               # an HTTP/HTTPS client through the HTTP ACL proxy (tests)
	openssl            # the tests' and bench/http.sh's certificates
	ca-certificates    # the system trust bundle the HTTPS tests inject a CA into
	util-linux         # setpriv: runs the tests a second time unprivileged
	git                # the built-in profiles at their jobs (tests/integration/profiles.c)
	sqlite3            # ... a database made under -p default
	nodejs             # ... a script under -p node (/usr/bin/node)
	valgrind           # make check-valgrind
	# benchmarks and tooling
	hyperfine
	bubblewrap
	redis-server       # bench/redis.sh: a server under port_remap
	redis-tools        # its redis-cli and redis-benchmark
	clang-format
	cppcheck
)
if [ "${1:-}" = "--fuzz" ]; then
	packages+=(clang libclang-rt-14-dev) # libFuzzer
fi

missing=()
for p in "${packages[@]}"; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
		missing+=("$p")
	fi
done

if [ "${#missing[@]}" -eq 0 ]; then
	echo "install-deps: all ${#packages[@]} packages present"
	exit 0
fi

sudo=""
if [ "$(id -u)" -ne 0 ]; then
	if command -v sudo >/dev/null 2>&1; then
		sudo="sudo"
	else
		echo "install-deps: need root to install: ${missing[*]}" >&2
		exit 1
	fi
fi

echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
