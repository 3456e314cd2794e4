#!/usr/bin/env bash
# A real sandboxed run: the command may read one project directory and the
# system trees, nothing else.  Shows an allowed read, a denied read, a
# denied write, a denied network connection and the sandbox's hostname.
set -eu
cd "$(dirname "$0")/.."
sandlock=./build/sandlock
[ -x "$sandlock" ] || { echo "demo: build first (make)" >&2; exit 1; }

work=$(mktemp -d /tmp/sandlock-demo-XXXXXX)
trap 'rm -rf "$work"' EXIT
mkdir "$work/project"
echo "hello from the project" > "$work/project/README"
echo "api_key=0123456789" > "$work/secret.env"

# Debian 12 is merged-usr: /bin, /lib and /lib64 are links into /usr.
system=(-r /usr -r /lib -r /bin -r /etc)
[ -e /lib64 ] && system+=(-r /lib64)

echo "\$ sandlock run ${system[*]} -r $work/project --name demo -- python3 - <<PY ..."
"$sandlock" run "${system[@]}" -r "$work/project" --name demo -- \
	/usr/bin/python3 - "$work" <<'PY'
import os, socket, sys
work = sys.argv[1]

def attempt(what, fn):
    try:
        print(f"  {what:<44} ok: {fn()}")
    except OSError as e:
        print(f"  {what:<44} denied: {e.strerror}")

attempt("read  project/README", lambda: open(f"{work}/project/README").read().strip())
attempt("read  secret.env (outside the policy)", lambda: open(f"{work}/secret.env").read())
attempt("write project/new.txt (read-only tree)", lambda: open(f"{work}/project/new.txt", "w"))
attempt("connect 127.0.0.1:22 (no network rules)",
        lambda: socket.create_connection(("127.0.0.1", 22), timeout=2))
attempt("hostname", lambda: os.uname().nodename)
PY
echo "exit status: $?"
