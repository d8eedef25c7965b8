#!/usr/bin/env bash
# Sets up on a fresh machine, then shows the product working on its embedded defaults.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bash "$here/scripts/bootstrap.sh"
cd "$here"
cli=.venv/bin/ketamine-cds
echo "== Protocols shipped =="
"$cli" protocols
echo
echo "== Dose plan: cancer-continuous protocol (seed 001) for a 70 kg patient =="
"$cli" plan --protocol cancer-continuous --weight-kg 70
echo
echo "== Dose check: 18 mg/h for the same patient (above the 14 mg/h ceiling) =="
"$cli" check --protocol cancer-continuous --weight-kg 70 --rate-mg-per-h 18 || true
echo
echo "== Bedside: seed 001 case 2 replayed, a recommendation after every event =="
"$cli" replay examples/episodes/seed-001-case-2.yaml
echo
echo "== Assessment: a typical chronic non-cancer candidate (seed 004) =="
"$cli" assess examples/patients/seed004-candidate.yaml --protocol noncancer-subcutaneous
echo
echo "== Oral morphine equivalent: the seed 000 patient's first regimen, from FHIR R4 =="
"$cli" med examples/regimens/seed000-phase1.fhir.json
echo
echo "== The ward application on the demonstration ward (Ctrl-C stops it) =="
exec "$cli" serve --demo
