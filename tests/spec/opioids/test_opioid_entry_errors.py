"""Entry errors are refused with their likely reading; the highest doses the sources show are not.

Sources: the CDC 2022 MME table (Dowell et al., MMWR Recomm Rep 2022;71(RR-3), "Fentanyl
transdermal (in mcg/hr)", factor 2.4: a 25 µg/h patch is 60 mg/day); the ANZCA FPM 2021 table
(transdermal fentanyl 3 per µg/h); seed 001, case 1 (IV hydromorphone 63 mg in a day on a 100 µg/h
patch; discharged on transdermal fentanyl 300 µg/h and oral hydromorphone 8 mg every 4 hours)
and case 2 ("the oral morphine equivalent dose totaled 1,400 mg" on day 4); seed 000, Discussion
("reduction of MED from about 700 mg/day at the peak"); High-dose fentanyl patch for cancer pain,
J Am Board Fam Pract 2004;17(5):388-90 (transdermal fentanyl 1,000 µg/h, ten 100 µg/h patches).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from library import REF, med_of_file, timeline_file
from typer.testing import CliRunner

from ketamine_cds.domain.errors import UserInputError
from ketamine_cds.domain.opioids.regimen import Regimen
from ketamine_cds.entrypoints.cli.app import app
from ketamine_cds.service import opioids

EXAMPLES = Path(__file__).resolve().parents[3] / "examples" / "regimens"
PATCH_25_MG = "if it was entered in µg/h it is 25 µg/h = 60 mg/day oral morphine equivalent"


def med(*items: dict[str, Any], table: str = "cdc-2022") -> float | None:
    return opioids.med_of(REF, Regimen.model_validate({"items": list(items)}), table).total_med_mg


def test_a_patch_of_25_mg_per_h_is_refused_saying_25_ug_per_h_is_60_mg_a_day(
    tmp_path: Path,
) -> None:
    """'25 mg/h' is 25,000 µg/h: refused (exit 2), and 25 µg/h x 2.4 = 60 mg/day is spelled out."""
    path = tmp_path / "patch.yaml"
    path.write_text(
        "items:\n  - {drug: fentanyl, route: transdermal, patch: 25 mg/h, change_every_days: 3}\n",
        encoding="utf-8",
    )
    result = CliRunner().invoke(app, ["med", str(path)])
    assert result.exit_code == 2
    assert result.stdout == ""
    assert "25,000 µg/h" in result.stderr
    assert PATCH_25_MG + " (cdc-2022)" in result.stderr


def test_the_reading_uses_the_table_chosen() -> None:
    """Under ANZCA (3 per µg/h) the same reading is 25 µg/h = 75 mg/day."""
    with pytest.raises(UserInputError, match=r"25 µg/h = 75 mg/day .* \(anzca-fpm-2021\)"):
        med({"drug": "fentanyl", "route": "td", "patch": "25 mg/h"}, table="anzca-fpm-2021")


def _fhir_patch(tmp_path: Path, rate_code: str, where: str) -> Path:
    """The shipped 25 µg/h FHIR example with its µg/h turned into mg/h, in rate or strength."""
    data = json.loads((EXAMPLES / "fentanyl-patch-25.fhir.json").read_text(encoding="utf-8"))
    resource = data["entry"][0]["resource"]
    if where == "strength":
        strength = resource["contained"][0]["ingredient"][0]["strength"]
        strength["numerator"]["code"] = rate_code.split("/", maxsplit=1)[0]
    else:
        dosage = resource["dosageInstruction"][0]
        dosage["doseAndRate"] = [{"rateQuantity": {"value": 25, "code": rate_code}}]
    path = tmp_path / "patch.fhir.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


@pytest.mark.parametrize("where", ["rate", "strength"])
def test_a_fhir_patch_in_mg_per_h_is_refused_with_the_same_reading(
    tmp_path: Path, where: str
) -> None:
    """A rateQuantity or a contained Medication's strength of 25 mg/h: the same refusal."""
    with pytest.raises(UserInputError) as refused:
        med_of_file(_fhir_patch(tmp_path, "mg/h", where))
    assert PATCH_25_MG in str(refused.value)
    assert str(refused.value).startswith("MedicationRequest fentanyl-patch")


@pytest.mark.parametrize("where", ["rate", "strength"])
def test_the_same_fhir_patch_in_ug_per_h_is_60(tmp_path: Path, where: str) -> None:
    """Written in µg/h, the same resource is 60 mg/day (CDC 2022, 25 x 2.4)."""
    result = med_of_file(_fhir_patch(tmp_path, "ug/h", where))
    assert result.total_med_mg == pytest.approx(60.0)


def test_the_highest_published_patch_dose_is_accepted() -> None:
    """Ten 100 µg/h patches (1,000 µg/h, J Am Board Fam Pract 2004) are 2,400 mg/day under CDC."""
    patches = {"drug": "fentanyl", "route": "td", "patch": "100 µg/h", "patches": 10}
    assert med(patches) == pytest.approx(2400.0)


def test_seed_001_case_1_doses_are_accepted() -> None:
    """Case 1: 100 µg/h + IV hydromorphone 63 mg/day (ANZCA: 300 + 945); at discharge 300 µg/h
    + oral hydromorphone 8 mg every 4 h (CDC 2022: 720 + 240 = 960)."""
    day_2 = [
        {"drug": "fentanyl", "route": "td", "patch": "100 µg/h"},
        {"drug": "hydromorphone", "route": "iv", "pca_total_24h": "63 mg"},
    ]
    assert med(*day_2, table="anzca-fpm-2021") == pytest.approx(1245.0)
    discharge = [
        {"drug": "fentanyl", "route": "td", "patch": "300 µg/h"},
        {"drug": "hydromorphone", "route": "po", "dose": "8 mg", "every_hours": 4},
    ]
    assert med(*discharge) == pytest.approx(960.0)


def test_seed_figures_are_accepted_as_recorded_points(tmp_path: Path) -> None:
    """Seed 001 case 2's 1,400 mg/day and seed 000's 700 mg/day pass the plausibility bounds."""
    path = tmp_path / "episode.yaml"
    path.write_text(
        "points:\n"
        "  - {day: 1, recorded_med_mg: 700, source: 'seed 000, Discussion'}\n"
        "  - {day: 4, recorded_med_mg: 1400, source: 'seed 001, case 2, day 4'}\n",
        encoding="utf-8",
    )
    line = timeline_file(path)
    assert line.peak is not None
    assert (line.peak.day, line.peak.med_mg) == (4, 1400.0)


def test_ten_grams_of_oxycodone_a_day_is_refused_naming_the_bound() -> None:
    """10 g/day of oral oxycodone (15,000 mg/day OME) is above the 6,600 mg/day bound."""
    with pytest.raises(UserInputError) as refused:
        med({"drug": "oxycodone", "route": "po", "dose": "5 g", "doses_per_day": 2})
    message = str(refused.value)
    assert "above the plausible 6,600 mg/day" in message
    assert "10,000 mg/day oral morphine equivalent at factor 1.5" in message
    assert "if it was entered in mg it is 10 mg/day = 15 mg/day" in message
