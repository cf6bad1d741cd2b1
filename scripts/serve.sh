#!/usr/bin/env bash
# Serve Licheng in the foreground: gunicorn on 127.0.0.1:$PORT, one background-task worker and the
# periodic runner (reminders, receipt windows, retention, backups). Ctrl-C (or SIGTERM) stops all
# three; if one dies, the others are stopped too.
set -euo pipefail
cd "$(dirname "$0")/.."

PORT="${PORT:-8000}"
WEB_WORKERS="${LICHENG_WEB_WORKERS:-3}"
VENV="${VENV:-.venv}"

"$VENV/bin/python" manage.py db_worker --queue-name '*' &
worker=$!
"$VENV/bin/python" manage.py periodic &
periodic=$!
"$VENV/bin/gunicorn" licheng.wsgi \
  --bind "127.0.0.1:${PORT}" \
  --workers "$WEB_WORKERS" \
  --timeout 60 --graceful-timeout 10 \
  --no-control-socket &
web=$!

stopping=0
stop() {
  [ "$stopping" -eq 1 ] && return
  stopping=1
  echo "stopping web server ($web), task worker ($worker) and periodic runner ($periodic)…" >&2
  kill -TERM "$web" "$worker" "$periodic" 2>/dev/null || true
  wait "$web" "$worker" "$periodic" 2>/dev/null || true
}
trap 'stop; exit 130' INT
trap 'stop; exit 143' TERM
trap stop EXIT

echo "Licheng is starting on http://127.0.0.1:${PORT}/ (Ctrl-C stops the web server, the worker and the periodic runner)" >&2
# Whichever stops first (crash or signal) brings the other down through the EXIT trap.
set +e
wait -n "$web" "$worker" "$periodic"
status=$?
set -e
exit "$status"
