#!/usr/bin/env bash
# Install the Debian packages `make test` needs, only those that are missing:
#   postgresql (second test run), chromium + fonts-noto-cjk (browser tests, CJK glyphs),
#   gettext (compilemessages), libmagic1 (content sniffing of uploads), pango (WeasyPrint PDFs), python3-venv (only if
#   `python3 -m venv` cannot work).
# A machine that has everything never calls apt.
#
#   scripts/system-deps.sh --runtime   only what the running app needs (libmagic1, pango,
#                                      fonts-noto-cjk); `make run` calls this one.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh

runtime_only=0
[ "${1:-}" = "--runtime" ] && runtime_only=1

missing=()
if [ "$runtime_only" -eq 0 ]; then
  [ -n "$(pg_bindir)" ] || missing+=(postgresql)
  [ -x /usr/bin/chromium ] || missing+=(chromium)
  command -v msgfmt >/dev/null 2>&1 || missing+=(gettext)
fi
# CJK glyphs in PDFs (and in the browser tests' screenshots).
dpkg -s fonts-noto-cjk >/dev/null 2>&1 || missing+=(fonts-noto-cjk)
# libmagic identifies uploads by their content (python-magic); Debian's base image has it.
ldconfig -p 2>/dev/null | grep -q 'libmagic\.so\.1' || missing+=(libmagic1)
# WeasyPrint lays out PDFs (portfolio summaries, receipt confirmations) with Pango.
ldconfig -p 2>/dev/null | grep -q 'libpangoft2-1\.0\.so\.0' || missing+=(libpango-1.0-0 libpangoft2-1.0-0)
if [ ! -x .venv/bin/python ]; then
  # Debian's system python3 needs python3-venv for `python3 -m venv` (ensurepip); try it.
  probe="$(mktemp -d)"
  python3 -m venv "$probe/venv" >/dev/null 2>&1 || missing+=(python3-venv)
  rm -rf "$probe"
fi

if [ ${#missing[@]} -eq 0 ]; then
  echo "system packages present"
  exit 0
fi

step "apt-get install ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
as_root env DEBIAN_FRONTEND=noninteractive apt-get update -q
as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}"
