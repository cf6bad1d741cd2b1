#!/usr/bin/env bash
# make bench: run every benchmark in bench/ (files named bench_*.py) against a private PostgreSQL
# cluster. Each benchmark measures its own baseline in the same run and prints one summary line,
# e.g. `upload: ratio=R uploads_per_s=U p99_ms=P errors=E lost=L`. Pass names to run only some:
#   scripts/bench.sh upload import
set -euo pipefail
cd "$(dirname "$0")/.."

selected=("$@")
benches=()
for file in bench/bench_*.py; do
  [ -e "$file" ] || continue
  name="$(basename "$file" .py)"; name="${name#bench_}"
  if [ ${#selected[@]} -eq 0 ] || printf '%s\n' "${selected[@]}" | grep -qx "$name"; then
    benches+=("$file")
  fi
done
if [ ${#benches[@]} -eq 0 ]; then
  echo "no benchmarks found in bench/" >&2
  exit 1
fi

status=0
for file in "${benches[@]}"; do
  echo "==> $file"
  scripts/with-postgres.sh .venv/bin/python "$file" || status=$?
done
exit $status
