# Shared helpers for the scripts in this folder (sourced, not run).

# Print a bold step heading, so long logs stay readable.
step() { printf '\n\033[1m==> %s\033[0m\n' "$*"; }

# Run as root when we are not (sudo if present), for apt only.
as_root() {
  if [ "$(id -u)" -eq 0 ]; then
    "$@"
  elif command -v sudo >/dev/null 2>&1; then
    sudo "$@"
  else
    echo "error: '$*' needs root and sudo is not available" >&2
    return 1
  fi
}

# Newest PostgreSQL server binaries installed by Debian's postgresql package.
pg_bindir() {
  local dir
  dir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
  if [ -n "$dir" ] && [ -x "$dir/initdb" ]; then
    echo "$dir"
  fi
}
