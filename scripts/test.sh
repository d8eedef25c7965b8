#!/usr/bin/env bash
# Sets up on a fresh machine, then runs every check CI runs: lint, types, layering, tests.
# Every stage runs even when an earlier one fails, so one run shows everything to fix.
set -uo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bash "$here/scripts/bootstrap.sh" || exit 2
cd "$here"
export PATH="$here/.venv/bin:$PATH"

failed=()
stage() {
  local name=$1; shift
  echo "== $name =="
  "$@" || failed+=("$name")
}

stage "ruff" ruff check .
stage "mypy --strict src" mypy --strict src
stage "layers (import-linter)" lint-imports --no-cache
stage "domain purity" python scripts/check_domain_purity.py
# The record's tests run on SQLite and on a PostgreSQL server they start; here it must be there.
export KETAMINE_CDS_TEST_REQUIRE_POSTGRES=1
# The browser tests drive Debian's Chromium, which bootstrap.sh installs; here it must be there.
export KETAMINE_CDS_TEST_REQUIRE_BROWSER=1
stage "pytest" python -m pytest -q -n 2 -p no:cacheprovider "$@"

if (( ${#failed[@]} )); then
  echo "FAILED: ${failed[*]}"
  exit 1
fi
echo "all checks passed"
