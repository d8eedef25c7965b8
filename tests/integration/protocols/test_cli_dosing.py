"""The dosing commands as a user runs them: output, exit status, and one-sentence refusals."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
from typer.testing import CliRunner

from ketamine_cds.domain.references import SEEDS
from ketamine_cds.entrypoints.cli.app import app

ROOT = Path(__file__).resolve().parents[3]
runner = CliRunner()


def run(*args: str, env: dict[str, str] | None = None) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args), env=env)
    return result.exit_code, result.stdout, result.stderr


def test_plan_text_names_protocol_version_rules_and_sources() -> None:
    """The readable plan shows the protocol and version, each dose with rule and source."""
    code, out, _ = run("plan", "--protocol", "cancer-continuous", "--weight-kg", "70")
    assert code == 0
    assert "cancer-continuous v1.0.0" in out
    assert "7 mg/h = 7 mL/h at 1 mg/mL → pump 7.0 mL/h" in out
    short = "Cancer-hospital ketamine protocol, oncology nursing article (2016 or later)"
    assert f"[ceiling-0-2-mg-per-kg-per-h; {short} [seed 001], Ketamine Protocol Details]" in out
    assert f"References:\n  [seed 001] {SEEDS['seed 001']}" in out
    assert "1 mg/mL (default; give the bag's own)" in out
    assert "Decision support, not a prescriber" in out


def test_plan_json_follows_the_published_schema_and_concentration() -> None:
    """--json is the published shape; a stated concentration changes mL/h, not mg/h."""
    code, out, _ = run(
        "plan",
        "--protocol",
        "cancer-continuous",
        "--weight-kg",
        "70",
        "--concentration-mg-per-ml",
        "2",
        "--json",
    )
    assert code == 0
    payload = json.loads(out)
    schema = json.loads((ROOT / "schemas" / "plan.schema.json").read_text(encoding="utf-8"))
    jsonschema.validate(payload, schema)
    phase = payload["phases"][0]
    assert phase["rate_mg_per_h"] == 7.0
    assert phase["rate_ml_per_h"] == 3.5
    assert payload["protocol"] == {
        **payload["protocol"],
        "id": "cancer-continuous",
        "version": "1.0.0",
    }


def test_weight_in_pounds_is_converted_and_shown() -> None:
    """A weight in pounds is converted, and the conversion appears in the plan."""
    code, out, _ = run("plan", "--protocol", "cancer-continuous", "--weight-lb", "154")
    assert code == 0
    assert "154 lb × 0.45359237 kg/lb = 69.85 kg" in out


@pytest.mark.parametrize(
    ("rate", "verdict", "code"),
    [
        ("10", "within_protocol", 0),
        ("18", "soft_limit_exceeded", 3),
        ("70", "hard_limit_exceeded", 4),
    ],
)
def test_check_verdicts_and_exit_status(rate: str, verdict: str, code: int) -> None:
    """Seed 001 case 2 (70 kg): 10 mg/h within; 18 mg/h over the 14 mg/h ceiling; 70 hard."""
    status, out, _ = run(
        "check",
        "--protocol",
        "cancer-continuous",
        "--weight-kg",
        "70",
        "--rate-mg-per-h",
        rate,
        "--json",
    )
    payload = json.loads(out)
    assert status == code
    assert payload["verdict"] == verdict
    if verdict == "soft_limit_exceeded":
        assert payload["limit"]["value"] == "14 mg/h"
        cited = f"{SEEDS['seed 001']} [seed 001], Ketamine Protocol Details"
        assert payload["limit"]["sources"] == [cited]
        assert "physician" in payload["override"]
    if verdict == "hard_limit_exceeded":
        assert payload["limit"]["id"] == "hard-rate-icu-sedation"
        assert "Nothing overrides" in payload["override"]


def test_check_a_bolus_with_its_time() -> None:
    """Mercadante's 0.5 mg/kg over 30 min is within its protocol; 1 mg/kg at once is refused."""
    code, out, _ = run(
        "check",
        "--protocol",
        "mercadante-bolus",
        "--weight-kg",
        "70",
        "--dose-mg",
        "35",
        "--over-min",
        "30",
        "--json",
    )
    assert (code, json.loads(out)["verdict"]) == (0, "within_protocol")
    code, out, _ = run(
        "check", "--protocol", "mercadante-bolus", "--weight-kg", "70", "--dose-mg", "70", "--json"
    )
    assert (code, json.loads(out)["verdict"]) == (4, "hard_limit_exceeded")


@pytest.mark.parametrize(
    ("args", "sentence"),
    [
        (("plan", "--protocol", "no-such", "--weight-kg", "70"), "there is no protocol 'no-such'"),
        (
            ("plan", "--protocol", "cancer-continuous", "--weight-kg", "700"),
            "outside the adult range this product supports (30 to 300 kg)",
        ),
        (
            ("plan", "--protocol", "cancer-continuous", "--weight-kg", "12"),
            "outside the adult range",
        ),
        (
            (
                "check",
                "--protocol",
                "cancer-continuous",
                "--weight-kg",
                "70",
                "--rate-mg-per-h",
                "-3",
            ),
            "not a rate to check",
        ),
        (
            (
                "check",
                "--protocol",
                "cancer-continuous",
                "--weight-kg",
                "70",
                "--rate-mg-per-h",
                "7000",
            ),
            "if it was entered in µg/h it is 7 mg/h",
        ),
        (
            ("check", "--protocol", "cancer-continuous", "--weight-kg", "70", "--dose-mg", "30000"),
            "if it was entered in µg it is 30 mg",
        ),
        (
            ("check", "--protocol", "cancer-continuous", "--weight-kg", "70"),
            "give either --rate-mg-per-h or --dose-mg",
        ),
        (
            ("plan", "--protocol", "cancer-continuous", "--weight-kg", "70", "--weight-lb", "150"),
            "give the patient's weight once",
        ),
    ],
)
def test_bad_input_gets_one_sentence_and_exit_2(args: tuple[str, ...], sentence: str) -> None:
    """Unknown protocol, weight out of range, absurd rate, µg for mg: one sentence, exit 2."""
    code, out, err = run(*args)
    assert code == 2
    assert sentence in err
    assert err.startswith("error: ")
    assert err.count("\n") == 1
    assert out == ""


def test_a_malformed_protocol_file_is_refused(tmp_path: Path) -> None:
    """protocol validate names the file, the place and the unknown key."""
    text = (ROOT / "src/ketamine_cds/protocols/cancer-continuous.yaml").read_text(encoding="utf-8")
    bad = tmp_path / "cancer-continuous.yaml"
    bad.write_text(
        text.replace(
            "kind: institutional_protocol", "kind: institutional_protocol\napproved_by: nobody"
        ),
        encoding="utf-8",
    )
    code, _, err = run("protocol", "validate", str(bad))
    assert code == 2
    assert "cancer-continuous.yaml: unknown key 'approved_by' at the top level" in err


def test_a_hospital_adds_its_own_protocol_as_a_file(tmp_path: Path) -> None:
    """A protocol file in KETAMINE_CDS_PROTOCOL_DIRS is listed, planned and checked."""
    text = (ROOT / "src/ketamine_cds/protocols/cancer-continuous.yaml").read_text(encoding="utf-8")
    local = text.replace("id: cancer-continuous", "id: local-cancer").replace(
        "limit: 20 mg/h", "limit: 16 mg/h"
    )
    (tmp_path / "local-cancer.yaml").write_text(local, encoding="utf-8")
    env = {"KETAMINE_CDS_PROTOCOL_DIRS": str(tmp_path)}
    code, out, _ = run("protocols", "--json", env=env)
    assert code == 0
    assert "local-cancer" in {p["id"] for p in json.loads(out)}
    code, out, _ = run(
        "check",
        "--protocol",
        "local-cancer",
        "--weight-kg",
        "100",
        "--rate-mg-per-h",
        "17",
        "--json",
        env=env,
    )
    assert code == 3
    assert json.loads(out)["limit"]["value"] == "16 mg/h"


def test_protocol_schema_is_printed_and_matches_the_published_file() -> None:
    """`protocol schema` prints the JSON Schema published in schemas/protocol.schema.json."""
    code, out, _ = run("protocol", "schema")
    assert code == 0
    published = json.loads((ROOT / "schemas" / "protocol.schema.json").read_text(encoding="utf-8"))
    assert json.loads(out) == published


def test_protocols_lists_every_protocol_and_show_prints_one() -> None:
    """The listing has all twenty shipped protocols; show prints one with its version."""
    code, out, _ = run("protocols", "--json")
    assert code == 0
    assert len(json.loads(out)) >= 20
    code, out, _ = run("protocol", "show", "marshfield-inpatient", "--json")
    assert code == 0
    assert json.loads(out)["version"] == "1.0.0"
