#!/usr/bin/env bash
# Every check `make test` (and CI) runs, in order. All steps run even when one fails, so one
# run shows everything that is red; the summary at the end lists each step's result and time,
# and the script exits non-zero if any step failed. FAIL_FAST=1 stops at the first failure.
#
# Expects .venv with requirements-dev.txt installed and the system packages of
# scripts/system-deps.sh (the Makefile sees to both).
set -uo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh

VENV="${VENV:-.venv}"
PY="$VENV/bin/python"
ARTIFACTS=test-artifacts
mkdir -p "$ARTIFACTS"
# Keep the test run away from a developer's settings.
unset DATABASE_URL LICHENG_STORAGE_DIR LICHENG_DEBUG
# Steps that load settings (makemigrations) get a throw-away data folder, never ./var.
LICHENG_VAR_DIR="$(mktemp -d /tmp/licheng-test-var.XXXXXX)"
export LICHENG_VAR_DIR
trap 'rm -rf "$LICHENG_VAR_DIR"' EXIT
VENV_ABS="$(realpath -m "$VENV")"

names=()
results=()
failed=0

run_step() {
  local name=$1
  shift
  step "$name"
  local start=$SECONDS status
  "$@"
  status=$?
  names+=("$name")
  results+=("$([ "$status" -eq 0 ] && echo ok || echo "FAILED (exit $status)")  $((SECONDS - start))s")
  if [ "$status" -ne 0 ]; then
    failed=1
    if [ "${FAIL_FAST:-0}" = 1 ]; then
      summary
      exit 1
    fi
  fi
}

summary() {
  step "summary"
  local i
  for i in "${!names[@]}"; do
    printf '  %-40s %s\n' "${names[$i]}" "${results[$i]}"
  done
}

# pytest exits 5 when it collected no tests; a run that tests nothing is a failure too.
pytest_run() {
  local label=$1
  shift
  "$VENV/bin/pytest" -p no:cacheprovider -r fEs --durations=10 \
    --junitxml="$ARTIFACTS/junit-$label.xml" "$@"
  local status=$?
  case $status in
    0) ;;
    5) echo "error: pytest collected no tests ($label)" >&2 ;;
    *) echo "error: pytest exited $status ($label)" >&2 ;;
  esac
  return "$status"
}

# Compile every catalogue under licheng/ (each app's locale/ and licheng/locale); msgfmt
# errors make the step fail.
compile_messages() {
  local catalogues
  catalogues=$(find licheng -path '*/locale/*/LC_MESSAGES/*.po' | sort)
  if [ -z "$catalogues" ]; then
    echo "compilemessages: no .po catalogues found yet"
    return 0
  fi
  echo "$catalogues"
  (cd licheng && "$VENV_ABS/bin/django-admin" compilemessages)
}

run_step "ruff check" "$VENV/bin/ruff" check .
run_step "ruff format --check" "$VENV/bin/ruff" format --check .
run_step "mypy licheng bench" "$VENV/bin/mypy" licheng bench
run_step "makemigrations --check" "$PY" manage.py makemigrations --check --dry-run
run_step "compilemessages" compile_messages
# The two test runs are independent (own database, own temporary folders, free ports) and each
# uses about one core, so they run side by side; each one's output goes to its own log, printed
# whole when both are done. SERIAL_TESTS=1 runs them one after the other instead.
# Each run gets its own data folder, so neither sees the other's stored files.
run_sqlite() { LICHENG_VAR_DIR="$LICHENG_VAR_DIR/sqlite" pytest_run sqlite; }
run_postgres() {
  LICHENG_VAR_DIR="$LICHENG_VAR_DIR/postgres" scripts/with-postgres.sh bash -c "$(declare -f pytest_run); VENV='$VENV' ARTIFACTS='$ARTIFACTS' pytest_run postgres -m 'not browser'"
}
# run_logged LABEL: run_LABEL with its output in test-artifacts/pytest-LABEL.log and its
# duration in pytest-LABEL.seconds.
run_logged() {
  local begin=$SECONDS status
  "run_$1" >"$ARTIFACTS/pytest-$1.log" 2>&1
  status=$?
  echo $((SECONDS - begin)) >"$ARTIFACTS/pytest-$1.seconds"
  return "$status"
}
if [ "${SERIAL_TESTS:-0}" = 1 ] || [ "${FAIL_FAST:-0}" = 1 ]; then
  run_step "pytest (SQLite, with browser tests)" run_sqlite
  run_step "pytest (PostgreSQL, without browser)" run_postgres
else
  step "pytest on SQLite (with browser tests) and on PostgreSQL (without browser), side by side"
  run_logged sqlite &
  sqlite_pid=$!
  run_logged postgres &
  postgres_pid=$!
  wait "$sqlite_pid"; sqlite_status=$?
  wait "$postgres_pid"; postgres_status=$?
  sqlite_time=$(cat "$ARTIFACTS/pytest-sqlite.seconds" 2>/dev/null || echo "?")
  postgres_time=$(cat "$ARTIFACTS/pytest-postgres.seconds" 2>/dev/null || echo "?")
  for label in sqlite postgres; do
    step "pytest ($label) output"
    cat "$ARTIFACTS/pytest-$label.log"
  done
  record_step() {  # name status seconds
    names+=("$1")
    results+=("$([ "$2" -eq 0 ] && echo ok || echo "FAILED (exit $2)")  $3s")
    [ "$2" -eq 0 ] || failed=1
  }
  record_step "pytest (SQLite, with browser tests)" "$sqlite_status" "$sqlite_time"
  record_step "pytest (PostgreSQL, without browser)" "$postgres_status" "$postgres_time"
fi

summary
if [ "$failed" -ne 0 ]; then
  echo "make test: FAILED" >&2
  exit 1
fi
echo "make test: all checks passed"
