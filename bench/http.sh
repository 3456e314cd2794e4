#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# http.sh - the HTTP ACL proxy's cost: a load client in a sandbox
# ($B/bench/httpload, kept-alive connections, one request at a time each)
# against a loopback server of the same tool, "direct" (the sandbox's
# net_allow lets it reach the server) against "acl" (the same port made
# an intercepted one: every request goes through the supervisor's proxy,
# parsed, decided by an http_allow rule, forwarded), HTTP and HTTPS (the
# proxy terminating TLS with a CA this script makes, and verifying the
# server against another, through SSL_CERT_FILE).
#
# Scenarios: 1 connection (latency: the proxy's two extra hops), 8
# connections (throughput, every CPU busy: client, server and proxy
# share the machine), 8 connections to a server that waits 1 ms per
# request (a backend doing something), and HTTPS with 8 connections.
# ROUNDS rounds, each candidate back to back in a shuffled order;
# medians of requests per second and of the p50 latency, and the median
# of the pairs' ratios acl/direct (the target for HTTP keep-alive: at
# least 0.8).
#
# Then the proxy's memory: the sandlock process's resident set with
# IDLE kept-alive connections open through it (one request each, then
# idle), less the same with none; HTTP and HTTPS.
#
# Environment: B, SANDLOCK, ROUNDS (default 5), SECS (seconds per run,
# default 3), IDLE (default 1000), KEEP.
#
# Exit status: 0 when the measurement ran; 1 when a tool is missing or a
# run fails.

set -euo pipefail

BENCH_NAME=http
BENCH_KEEP='http.txt'
# shellcheck source=bench/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
ROUNDS=${ROUNDS:-5}
SECS=${SECS:-3}
IDLE=${IDLE:-1000}
LOAD=$B/bench/httpload
need_built "$LOAD" "build/bench/httpload"
command -v openssl >/dev/null || fail "openssl not found (apt-get install openssl)"
ulimit -n 8192 2>/dev/null || ulimit -n "$(ulimit -Hn)"

# The certificates: the interception CA (ca), the server's CA (up) and
# its leaf for localhost and 127.0.0.1.
pki() {
	local n
	for n in ca up; do
		openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$n.key" \
			-out "$n.pem" -days 2 -subj "/CN=bench-$n" \
			-addext basicConstraints=critical,CA:TRUE \
			-addext keyUsage=critical,keyCertSign,cRLSign 2>/dev/null
	done
	printf 'subjectAltName=DNS:localhost,IP:127.0.0.1\n' >srv.ext
	openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout srv.key -out srv.csr \
		-subj /CN=localhost 2>/dev/null
	openssl x509 -req -in srv.csr -CA up.pem -CAkey up.key -CAcreateserial -out srv.pem -days 2 \
		-extfile srv.ext 2>/dev/null
}
(cd "$work" && pki) || fail "openssl could not make the test certificates"
export SSL_CERT_FILE=$work/up.pem # what the proxy trusts upstream

pids=()
stop() {
	local p
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
	for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
}
trap 'stop; cleanup' EXIT

# A server; its port in the variable named $1.
serve() { # var, wait_us, [cert key]
	local out=$work/serve.$1
	"$LOAD" serve 0 "${@:2}" >"$out" &
	pids+=($!)
	local i
	for ((i = 0; i < 100; i++)); do
		[[ -s $out ]] && break
		sleep 0.05
	done
	[[ -s $out ]] || fail "httpload serve did not start"
	printf -v "$1" '%s' "$(head -1 "$out")"
}
serve p_fast 0
serve p_slow 1000
serve p_tls 0 "$work/srv.pem" "$work/srv.key"

# the client reads the CA certificates it trusts, never a key (a key under
# a grant is refused: the sandbox could read it)
TREES=("${SL_TREES[@]}" -r "$B/bench" -r "$work/ca.pem" -r "$work/up.pem")
# The sandbox options of a candidate: direct or acl, for a port, TLS or not.
opts() { # candidate, port, tls
	if [[ $1 == direct ]]; then
		echo "--net-allow 127.0.0.1:$2"
	elif [[ $3 == tls ]]; then
		echo "--http-port $2 --http-allow GET:localhost/* --http-ca $work/ca.pem --http-key $work/ca.key"
	else
		echo "--http-port $2 --http-allow GET:127.0.0.1/*"
	fi
}

# One run: "round=R scen=S cand=C rps=N p50_us=N p99_us=N errors=N".
run() { # round, scenario, candidate, port, conns, tls
	local -a o
	read -r -a o <<<"$(opts "$3" "$4" "$6")"
	o=("${o[@]//GET:/GET }")
	local host=127.0.0.1 ca=()
	if [[ $6 == tls ]]; then
		host=localhost
		ca=("$work/up.pem")
		[[ $3 == acl ]] && ca=("$work/ca.pem")
	fi
	local r
	r=$("$SANDLOCK" run "${TREES[@]}" "${o[@]}" -- "$LOAD" load 127.0.0.1 "$4" "$host" "$5" \
		"$SECS" "${ca[@]}") || fail "$2/$3: the load run failed"
	[[ $r == *errors=0 ]] || fail "$2/$3: $r"
	echo "round=$1 scen=$2 cand=$3 $r"
}

scenarios=("http-1conn $p_fast 1 -" "http-8conn $p_fast 8 -" "http-8conn-1ms $p_slow 8 -"
	"https-8conn $p_tls 8 tls")
: >"$work/http.txt"
for ((r = 1; r <= ROUNDS; r++)); do
	note "round $r/$ROUNDS"
	for s in "${scenarios[@]}"; do
		read -r name port conns tls <<<"$s"
		for c in $(shuf -e direct acl); do
			run "$r" "$name" "$c" "$port" "$conns" "$tls" >>"$work/http.txt"
		done
	done
done

"$PY" - "$work/http.txt" <<'EOF'
import re, statistics as st, sys
rows = [dict(re.findall(r"(\w+)=(\S+)", l)) for l in open(sys.argv[1])]
print(f"{'scenario':<16}{'direct rps':>12}{'acl rps':>10}{'ratio':>8}"
      f"{'direct p50':>12}{'acl p50':>10}")
verdicts = []
for scen in dict.fromkeys(r["scen"] for r in rows):
    by = {}
    for r in rows:
        if r["scen"] == scen:
            by.setdefault(r["round"], {})[r["cand"]] = r
    pairs = [v for v in by.values() if "direct" in v and "acl" in v]
    med = lambda c, k: st.median(float(p[c][k]) for p in pairs)
    ratio = st.median(float(p["acl"]["rps"]) / float(p["direct"]["rps"]) for p in pairs)
    print(f"{scen:<16}{med('direct','rps'):>12.0f}{med('acl','rps'):>10.0f}{ratio:>8.2f}"
          f"{med('direct','p50_us'):>10.0f}us{med('acl','p50_us'):>8.0f}us")
    if scen.startswith("http-"):
        verdicts.append((scen, ratio))
for scen, ratio in verdicts:
    print(f"http: {scen}: acl/direct {ratio:.2f} (target 0.80): "
          f"{'PASS' if ratio >= 0.8 else 'MISS'}")
EOF

# The proxy's memory with IDLE connections open through it.
rss_kb() { awk '/^VmRSS/ { print $2 }' "/proc/$1/status"; }
idle_rss() { # port, conns, tls
	local -a o
	read -r -a o <<<"$(opts acl "$1" "$3")"
	o=("${o[@]//GET:/GET }")
	local host=127.0.0.1 ca=()
	[[ $3 == tls ]] && host=localhost ca=("$work/ca.pem")
	local fifo=$work/idle.in out=$work/idle.out
	rm -f "$fifo"
	mkfifo "$fifo"
	"$SANDLOCK" run "${TREES[@]}" --max-open-files 4096 "${o[@]}" -- "$LOAD" idle 127.0.0.1 "$1" \
		"$host" "$2" "${ca[@]}" <"$fifo" >"$out" &
	local pid=$! i
	exec 9>"$fifo"
	for ((i = 0; i < 600; i++)); do
		grep -q ready "$out" 2>/dev/null && break
		sleep 0.05
	done
	grep -q "ready $2" "$out" || fail "idle: $(cat "$out")"
	sleep 0.5
	rss_kb "$pid"
	exec 9>&-
	wait "$pid" || true
}
for t in - tls; do
	port=$p_fast
	[[ $t == tls ]] && port=$p_tls
	base=$(idle_rss "$port" 1 "$t")
	full=$(idle_rss "$port" "$IDLE" "$t")
	label=HTTP
	[[ $t == tls ]] && label=HTTPS
	note "$label: the proxy's memory for $IDLE idle connections: $(((full - base) / 1024)) MiB" \
		"($(((full - base) * 1024 / IDLE)) bytes each; sandlock's RSS $((base / 1024)) -> $((full / 1024)) MiB)"
done
