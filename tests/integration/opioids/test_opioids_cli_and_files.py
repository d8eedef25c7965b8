"""The med and opioid-plan commands, the FHIR round trip and the published regimen schema."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
import yaml
from library import med_of_file
from pydantic import BaseModel
from typer.testing import CliRunner

from ketamine_cds.domain.opioids.output import MedOut, TimelineOut
from ketamine_cds.domain.opioids.regimen import Regimen
from ketamine_cds.entrypoints.cli.app import app

ROOT = Path(__file__).resolve().parents[3]
EXAMPLES = ROOT / "examples" / "regimens"
SCHEMA = ROOT / "schemas" / "regimen.schema.json"
runner = CliRunner()


def run(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_med_json_has_the_documented_keys() -> None:
    """--json gives table {id, version}, items[], total_med_mg, range_med_mg and warnings[]."""
    code, out, _ = run("med", str(EXAMPLES / "seed000-phase2.yaml"), "--json")
    assert code == 0
    data = json.loads(out)
    assert data["table"]["id"] == "cdc-2022"
    assert data["table"]["version"]
    for item in data["items"]:
        assert {"drug", "route", "daily_dose", "daily_dose_unit", "factor", "med_mg"} <= set(item)
    assert data["total_med_mg"] == pytest.approx(300.0)
    assert data["range_med_mg"] == [pytest.approx(300.0), pytest.approx(330.0)]
    assert isinstance(data["warnings"], list)
    assert data["warnings"]


def test_med_text_shows_sources_and_ends_with_the_notice() -> None:
    """Human-readable output names each factor's source and ends with the notice line."""
    code, out, _ = run("med", str(EXAMPLES / "fentanyl-patch-25.yaml"), "--table", "cdc-2016")
    assert code == 0
    assert "25 µg/h x 2.4 = 60 mg/day" in out
    assert "CDC 2016 fact sheet" in out
    assert out.rstrip().splitlines()[-1].startswith("-- Decision support, not a prescriber")


@pytest.mark.parametrize(
    ("fhir", "regimen"),
    [
        ("seed000-phase1.fhir.json", "seed000-phase1.yaml"),
        ("fentanyl-patch-25.fhir.json", "fentanyl-patch-25.yaml"),
    ],
)
@pytest.mark.parametrize("table", ["cdc-2022", "cdc-2016", "anzca-fpm-2021"])
def test_fhir_bundle_gives_the_same_med_as_the_regimen_file(
    fhir: str, regimen: str, table: str
) -> None:
    """A Bundle of MedicationRequests and the equivalent regimen file give the same MED."""
    from_fhir = med_of_file(EXAMPLES / fhir, table)
    from_file = med_of_file(EXAMPLES / regimen, table)
    assert from_fhir.total_med_mg == pytest.approx(from_file.total_med_mg)
    assert from_fhir.regimen_range_med_mg == pytest.approx(from_file.regimen_range_med_mg)
    assert [i.med_mg for i in from_fhir.items] == pytest.approx([i.med_mg for i in from_file.items])


def _request(**dosage: object) -> dict[str, object]:
    return {
        "resourceType": "MedicationRequest",
        "id": "r1",
        "status": "active",
        "intent": "order",
        "subject": {"reference": "Patient/p"},
        "medicationCodeableConcept": {
            "coding": [{"system": "http://www.nlm.nih.gov/research/umls/rxnorm", "code": "7052"}],
            "text": "morphine",
        },
        "dosageInstruction": [dosage],
    }


def test_a_single_fhir_request_with_time_of_day(tmp_path: Path) -> None:
    """Morphine 10 mg at 08:00 and 20:00 (timeOfDay) by an ingredient code: 20 MED."""
    path = tmp_path / "r.json"
    path.write_text(
        json.dumps(
            _request(
                timing={"repeat": {"timeOfDay": ["08:00:00", "20:00:00"]}},
                route={"text": "oral"},
                doseAndRate=[{"doseQuantity": {"value": 10, "unit": "mg", "code": "mg"}}],
            )
        )
    )
    assert med_of_file(path).total_med_mg == pytest.approx(20.0)


def test_fhir_without_unit_is_refused_naming_the_request(tmp_path: Path) -> None:
    """A doseQuantity in tablets for an ingredient code has no strength and is refused."""
    path = tmp_path / "r.json"
    path.write_text(
        json.dumps(
            _request(
                timing={"repeat": {"frequency": 1, "period": 4, "periodUnit": "h"}},
                route={"text": "oral"},
                doseAndRate=[{"doseQuantity": {"value": 1, "unit": "tablet", "code": "{tbl}"}}],
            )
        )
    )
    code, _, err = run("med", str(path))
    assert code == 2
    assert err.startswith("error: MedicationRequest r1 (morphine)")


@pytest.mark.parametrize(
    ("dosage", "message"),
    [
        (
            {
                "timing": {"repeat": {"frequency": 0, "period": 4, "periodUnit": "h"}},
                "route": {"text": "oral"},
                "doseAndRate": [{"doseQuantity": {"value": 5, "code": "mg"}}],
            },
            "error: in r.json: not valid FHIR R4",
        ),
        (
            {
                "timing": {"repeat": {"frequency": 1, "period": 0, "periodUnit": "h"}},
                "route": {"text": "oral"},
                "doseAndRate": [{"doseQuantity": {"value": 5, "code": "mg"}}],
            },
            "error: MedicationRequest r1 (morphine): timing period must be above zero",
        ),
        (
            {
                "timing": {"repeat": {"frequency": 1, "period": 4, "periodUnit": "h"}},
                "route": {"text": "oral"},
                "doseAndRate": [{"doseQuantity": {"value": 5}}],
            },
            "error: MedicationRequest r1 (morphine): a dose of 5 units needs a product code",
        ),
        (
            {
                "timing": {"repeat": {"frequency": 1, "period": 4, "periodUnit": "h"}},
                "doseAndRate": [{"doseQuantity": {"value": 5, "code": "mg"}}],
            },
            "error: MedicationRequest r1 (morphine): the route is missing",
        ),
    ],
)
def test_bad_fhir_dosage_is_refused(
    tmp_path: Path, dosage: dict[str, object], message: str
) -> None:
    """Zero frequency or period, a dose without unit or a missing route: exit 2, item named."""
    path = tmp_path / "r.json"
    path.write_text(json.dumps(_request(**dosage)))
    code, _, err = run("med", str(path))
    assert code == 2
    assert err.startswith(message)


def test_fhir_unknown_code_is_refused(tmp_path: Path) -> None:
    """A code outside the shipped RxNorm table is named in the refusal."""
    data = _request(route={"text": "oral"})
    data["medicationCodeableConcept"] = {
        "coding": [{"system": "http://www.nlm.nih.gov/research/umls/rxnorm", "code": "161"}]
    }
    path = tmp_path / "r.json"
    path.write_text(json.dumps(data))
    code, _, err = run("med", str(path))
    assert code == 2
    assert "codes given: 161" in err


def test_bad_regimen_file_exits_2_with_one_sentence(tmp_path: Path) -> None:
    """A patch without its µg/h is refused: exit 2, 'error: <sentence>.' naming the item."""
    path = tmp_path / "bad.yaml"
    path.write_text("items:\n  - {drug: fentanyl, route: transdermal, change_every_days: 3}\n")
    code, out, err = run("med", str(path))
    assert code == 2
    assert out == ""
    assert err.strip() == (
        "error: in bad.yaml, item 1 (fentanyl transdermal): a patch needs its delivery rate, "
        "e.g. 'patch: 25 µg/h'."
    )


def test_opioid_plan_convert_states_the_clinicians_choice() -> None:
    """convert shows the default reduction, its usual range and source."""
    code, out, _ = run(
        "opioid-plan", "convert", str(EXAMPLES / "seed000-phase2.yaml"), "--to", "morphine"
    )
    assert code == 0
    assert "150 mg/day" in out
    assert "chosen by the clinician" in out
    assert "25-50 %" in out
    assert "Fine PG" in out


def test_opioid_plan_convert_json_with_a_chosen_reduction() -> None:
    """--reduction 30 to SC morphine under ANZCA: 330 / 3 x 0.7 = 77 mg/day."""
    code, out, _ = run(
        "opioid-plan",
        "convert",
        str(EXAMPLES / "seed000-phase2.yaml"),
        "--to",
        "morphine",
        "--route",
        "sc",
        "--reduction",
        "30",
        "--table",
        "anzca-fpm-2021",
        "--json",
    )
    assert code == 0
    data = json.loads(out)["conversion"]
    assert data["target_daily"] == pytest.approx(77.0)
    assert data["reduction_is_default"] is False
    assert data["usual_reduction_percent"] == [25.0, 50.0]


def test_opioid_plan_taper_and_timeline() -> None:
    """taper lists steps from the MED; timeline reports the peak and change."""
    code, out, _ = run(
        "opioid-plan",
        "taper",
        str(EXAMPLES / "seed000-phase2.yaml"),
        "--step-percent",
        "20",
        "--every-days",
        "3",
        "--first-day",
        "14",
        "--json",
    )
    assert code == 0
    schedule = json.loads(out)["schedule"]
    assert [s["daily"] for s in schedule["steps"]] == pytest.approx([300, 240, 180, 120, 60, 0])
    assert any("after day 12" in w for w in schedule["warnings"])
    code, out, _ = run("opioid-plan", "timeline", str(EXAMPLES / "seed001-case2-timeline.yaml"))
    assert code == 0
    assert "Peak 1400 on day 4" in out


def test_regimen_schema_file_matches_the_model() -> None:
    """schemas/regimen.schema.json is the model's JSON Schema, re-exported."""
    published = json.loads(SCHEMA.read_text(encoding="utf-8"))
    assert published == Regimen.model_json_schema()


def test_example_regimens_validate_against_the_schema() -> None:
    """Every example regimen file is valid under the published schema."""
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    files = [
        *sorted(EXAMPLES.glob("seed00*-phase*.yaml")),
        EXAMPLES / "inpatient-mixed.yaml",
        EXAMPLES / "fentanyl-patch-25.yaml",
        EXAMPLES / "seed001-case2-day1.yaml",
        EXAMPLES / "seed000-last-discharge.yaml",
    ]
    for path in files:
        jsonschema.validate(yaml.safe_load(path.read_text(encoding="utf-8")), schema)
    bad = {"items": [{"drug": "oxycodone", "route": "oral", "dose": "10 mg", "colour": "red"}]}
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(bad, schema)


@pytest.mark.parametrize(
    ("schema", "model"),
    [("med.schema.json", MedOut), ("med-timeline.schema.json", TimelineOut)],
)
def test_output_schema_files_match_the_models(schema: str, model: type[BaseModel]) -> None:
    """schemas/med.schema.json and med-timeline.schema.json are the output models' schemas."""
    published = json.loads((ROOT / "schemas" / schema).read_text(encoding="utf-8"))
    assert published == model.model_json_schema()


@pytest.mark.parametrize(
    ("file", "table", "code"),
    [
        ("seed000-phase2.yaml", "cdc-2022", 0),
        ("inpatient-mixed.yaml", "cdc-2022", 3),
        ("inpatient-mixed.yaml", "anzca-fpm-2021", 0),
        ("seed000-phase1.fhir.json", "cdc-2016", 0),
    ],
)
def test_med_json_validates_against_its_schema(file: str, table: str, code: int) -> None:
    """Complete and incomplete MED output both match the published schema."""
    schema = json.loads((ROOT / "schemas" / "med.schema.json").read_text(encoding="utf-8"))
    exit_code, out, _ = run("med", str(EXAMPLES / file), "--table", table, "--json")
    assert exit_code == code
    data = json.loads(out)
    jsonschema.validate(data, schema)
    assert (data["total_med_mg"] is None) == (code == 3)


def test_an_incomplete_med_is_null_with_its_covered_part() -> None:
    """The mixed inpatient regimen under CDC 2022: total null, covered part and what is left out."""
    code, out, _ = run("med", str(EXAMPLES / "inpatient-mixed.yaml"), "--json")
    assert code == 3
    data = json.loads(out)
    assert data["total_med_mg"] is None
    assert data["complete"] is False
    # oral oxycodone 20 mg x 1.5 + patches 100 µg/h x 2.4; the PCA and the SC infusion are left out
    assert data["covered_med_mg"] == pytest.approx(270.0)
    assert {(o["drug"], o["route"]) for o in data["left_out"]} == {
        ("hydromorphone", "intravenous"),
        ("morphine", "subcutaneous"),
    }


def test_timeline_json_validates_against_its_schema() -> None:
    """The seed 001 case 2 timeline output matches the published schema."""
    schema = json.loads((ROOT / "schemas" / "med-timeline.schema.json").read_text("utf-8"))
    code, out, _ = run(
        "opioid-plan", "timeline", str(EXAMPLES / "seed001-case2-timeline.yaml"), "--json"
    )
    assert code == 0
    data = json.loads(out)
    jsonschema.validate(data, schema)
    assert data["peak"] == {"day": 4.0, "med_mg": 1400.0}


# The keys the first published version wrote: they may gain company, never go away.
MED_KEYS_V1 = {
    "table",
    "items",
    "total_med_mg",
    "complete",
    "regimen_range_med_mg",
    "range_med_mg",
    "totals_by_table",
    "warnings",
}
ITEM_KEYS_V1 = {
    "name",
    "drug",
    "route",
    "daily_dose",
    "daily_dose_unit",
    "daily_dose_range",
    "factor",
    "med_mg",
    "source",
}
TIMELINE_KEYS_V1 = {
    "points",
    "peak",
    "last",
    "change_from_peak_percent",
    "change_from_first_percent",
}
POINT_KEYS_V1 = {"day", "label", "med_mg", "computed", "complete", "source"}


def test_published_json_keys_are_kept() -> None:
    """Every key med and timeline wrote before is still written, complete or not."""
    for table in ("cdc-2022", "anzca-fpm-2021"):
        _, out, _ = run("med", str(EXAMPLES / "inpatient-mixed.yaml"), "--table", table, "--json")
        data = json.loads(out)
        assert set(data) >= MED_KEYS_V1
        assert all(set(item) >= ITEM_KEYS_V1 for item in data["items"])
    _, out, _ = run(
        "opioid-plan", "timeline", str(EXAMPLES / "seed001-case2-timeline.yaml"), "--json"
    )
    line = json.loads(out)
    assert set(line) >= TIMELINE_KEYS_V1
    assert all(set(point) >= POINT_KEYS_V1 for point in line["points"])
