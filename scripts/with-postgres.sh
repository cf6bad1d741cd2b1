#!/usr/bin/env bash
# Run a command against a private, throw-away PostgreSQL cluster:
#
#   scripts/with-postgres.sh .venv/bin/pytest -m "not browser"
#
# initdb into a fresh folder under /tmp, listen on 127.0.0.1:$LICHENG_TEST_PG_PORT (default 55432,
# the next free port if taken) with its unix socket inside the data folder, export DATABASE_URL,
# run the command, then stop the cluster and delete the folder, also when the command fails or is
# interrupted. As root, the cluster runs as the `postgres` user (initdb refuses to run as root).
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh

if [ $# -eq 0 ]; then
  echo "usage: $0 COMMAND [ARGS...]" >&2
  exit 2
fi

PGBIN="$(pg_bindir)"
if [ -z "$PGBIN" ]; then
  echo "error: PostgreSQL server binaries not found under /usr/lib/postgresql (apt-get install postgresql)" >&2
  exit 1
fi

as_pg() {
  if [ "$(id -u)" -eq 0 ]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

port_free() {
  python3 - "$1" <<'PY'
import socket, sys
s = socket.socket()
try:
    s.bind(("127.0.0.1", int(sys.argv[1])))
except OSError:
    sys.exit(1)
finally:
    s.close()
PY
}

port="${LICHENG_TEST_PG_PORT:-55432}"
for _ in $(seq 1 20); do
  port_free "$port" && break
  port=$((port + 1))
done

datadir="$(mktemp -d /tmp/licheng-pg.XXXXXX)"
chmod 700 "$datadir"
[ "$(id -u)" -eq 0 ] && chown postgres: "$datadir"

cleanup() {
  local status=$?
  if [ -f "$datadir/postmaster.pid" ]; then
    as_pg "$PGBIN/pg_ctl" -D "$datadir" -m fast -w stop >/dev/null 2>&1 || true
    echo "PostgreSQL on port $port stopped" >&2
  fi
  rm -rf "$datadir"
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

step "PostgreSQL $("$PGBIN/postgres" --version | awk '{print $3}'): private cluster in $datadir on port $port"
as_pg "$PGBIN/initdb" -D "$datadir" -U licheng --auth=trust -E UTF8 --locale=C.UTF-8 >"$datadir.initdb.log" 2>&1 || {
  cat "$datadir.initdb.log" >&2
  rm -f "$datadir.initdb.log"
  exit 1
}
rm -f "$datadir.initdb.log"
# Durability is pointless for a test database; turning it off makes the run much faster.
as_pg "$PGBIN/pg_ctl" -D "$datadir" -w -t 60 -l "$datadir/server.log" start -o \
  "-c listen_addresses=127.0.0.1 -c port=$port -c unix_socket_directories=$datadir \
   -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=50" >/dev/null || {
  cat "$datadir/server.log" >&2
  exit 1
}
as_pg "$PGBIN/createdb" -h "$datadir" -p "$port" -U licheng licheng

export DATABASE_URL="postgres://licheng@127.0.0.1:${port}/licheng"
echo "DATABASE_URL=$DATABASE_URL" >&2
set +e
"$@"
status=$?
set -e
exit "$status"
