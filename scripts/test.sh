#!/usr/bin/env bash
# Sets up on a fresh machine, then runs every check CI runs: lint, types, layering, tests.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bash "$here/scripts/bootstrap.sh"
cd "$here"
export PATH="$here/.venv/bin:$PATH"

echo "== ruff =="
ruff check src tests bench scripts
echo "== mypy --strict src =="
mypy --strict src
echo "== the domain imports no I/O =="
lint-imports --no-cache
python scripts/check_domain_purity.py
echo "== pytest =="
python -m pytest -q -n auto "$@"
