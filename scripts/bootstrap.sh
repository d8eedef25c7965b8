#!/usr/bin/env bash
# Creates .venv and installs the product with its pinned dependencies.
# Sourced by scripts/demo.sh and scripts/test.sh; safe to run again (it only installs what changed).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$here"

python="${PYTHON:-python3}"
if ! command -v "$python" >/dev/null 2>&1; then
  echo "ketamine-cds needs Python 3.11 or newer ('$python' was not found)." >&2
  exit 2
fi

apt_install() {
  # Debian ships venv and some system libraries as separate packages; install them when we can.
  if [[ $(id -u) == 0 ]] && command -v apt-get >/dev/null 2>&1; then
    DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
  else
    echo "Please install these system packages first: $*" >&2
    exit 2
  fi
}

if [[ ! -x .venv/bin/python ]]; then
  if ! "$python" -m venv .venv >/dev/null 2>&1; then
    rm -rf .venv
    ver=$("$python" -c 'import sys; print(f"{sys.version_info[0]}.{sys.version_info[1]}")')
    apt_install "python${ver}-venv"
    "$python" -m venv .venv
  fi
fi

# The record's tests start a throw-away PostgreSQL server of their own (Debian's binaries, run as
# an unprivileged user in a temporary folder); install the server when it is missing.
if ! compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null && ! command -v initdb >/dev/null 2>&1; then
  if [[ $(id -u) == 0 ]] && command -v apt-get >/dev/null 2>&1; then
    apt_install postgresql
  else
    echo "PostgreSQL's server is not installed; the record's PostgreSQL tests need it (apt-get install postgresql)." >&2
  fi
fi

# The pages' PDF (WeasyPrint: Pango, HarfBuzz and fonts), the browser tests (Debian's Chromium,
# never a browser download) and the screenshots (pdftoppm, pdftotext from poppler-utils).
web_packages=(chromium poppler-utils libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0
  fonts-dejavu-core fonts-liberation2)
missing=()
if command -v dpkg-query >/dev/null 2>&1; then
  for package in "${web_packages[@]}"; do
    if [[ $(dpkg-query -W -f='${Status}' "$package" 2>/dev/null) != "install ok installed" ]]; then
      missing+=("$package")
    fi
  done
fi
if (( ${#missing[@]} )); then
  if [[ $(id -u) == 0 ]] && command -v apt-get >/dev/null 2>&1; then
    apt_install "${missing[@]}"
  else
    echo "The PDF and browser tests need these system packages: ${missing[*]} (apt-get install)." >&2
  fi
fi

stamp=.venv/.installed
inputs=$(cat pyproject.toml requirements.lock 2>/dev/null | sha256sum | cut -d' ' -f1)
if [[ ! -f $stamp ]] || [[ $(cat "$stamp") != "$inputs" ]]; then
  .venv/bin/python -m pip install -q --upgrade pip >/dev/null
  .venv/bin/python -m pip install -q -c requirements.lock -e ".[dev]"
  echo "$inputs" > "$stamp"
fi
