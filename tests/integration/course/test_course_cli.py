"""The course of care from the command line, on a SQLite record holding seed 002's episode.

``episode response``, ``episode med``, ``episode transitions``, ``episode discharge`` (exit 3
naming the missing NMDA antagonist; the PDF of the summary and letter), ``opioid-plan doses``
and ``cohort report`` with its CSV.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from course_build import record_with, seed_002
from course_letter import seed_004_episode
from pypdf import PdfReader
from typer.testing import CliRunner

from ketamine_cds.entrypoints.cli.app import app

WITHOUT_MEMANTINE = """\
label: discharge to a nursing home
medicines:
  - {drug: gabapentin, dose: 700 mg, doses_per_day: 3, route: oral}
opioids:
  items:
    - {drug: methadone, dose: 40 mg, doses_per_day: 3, route: oral}
"""
WITH_MEMANTINE = WITHOUT_MEMANTINE.replace(
    "medicines:\n",
    "medicines:\n  - {drug: memantine, dose: 10 mg, doses_per_day: 2, route: oral}\n",
)


@pytest.fixture
def url(tmp_path: Path) -> str:
    """A record with seed 002's episode (1) and a seed 004 patient's (2)."""
    return record_with(tmp_path, seed_002(), seed_004_episode()).url


def _cli(url: str, *args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(
        app, list(args), env={"KETAMINE_CDS_DATABASE_URL": url, "KETAMINE_CDS_USER": ""}
    )
    return result.exit_code, result.stdout, result.stderr


def _file(folder: Path, name: str, text: str) -> str:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def test_response_as_json_names_the_verdict_and_its_criteria(url: str) -> None:
    """Seed 002: pain 9 → 2 and the criteria each with what it was computed from."""
    code, out, _ = _cli(url, "episode", "response", "1", "--as", "nina", "--json")
    assert code == 0
    answer = json.loads(out)
    assert answer["episode_id"] == 1
    assert {c["id"] for c in answer["criteria"]} == {
        "vrs-zero", "vrs-mean-halved", "opioid-24h-halved", "breakthrough-halved", "function-better"
    }  # fmt: skip
    assert answer["baseline_mean"] == 9


def test_med_as_json_gives_the_points_the_chart_draws(url: str) -> None:
    """The MED points of the episode, oldest first."""
    code, out, _ = _cli(url, "episode", "med", "1", "--as", "nina", "--json")
    assert code == 0
    assert [p["mg_per_day"] for p in json.loads(out)["points"]] == [1500]


def test_discharge_without_memantine_exits_3_naming_it(url: str, tmp_path: Path) -> None:
    """The critical alert on stderr, the summary blocked, exit status 3, memantine named."""
    listed = _file(tmp_path, "without.yaml", WITHOUT_MEMANTINE)
    code, out, err = _cli(url, "episode", "discharge", "1", "--medicines", listed, "--as", "nina")
    assert code == 3
    assert "CRITICAL: Memantine" in err
    assert "memantine is missing from without.yaml" in err
    assert out == ""


def test_discharge_with_memantine_writes_the_summary_and_letter_pdf(
    url: str, tmp_path: Path
) -> None:
    """Exit 0 and a PDF whose text holds the regimen and the emergency plan."""
    listed = _file(tmp_path, "with.yaml", WITH_MEMANTINE)
    pdf = tmp_path / "letter.pdf"
    code, out, _ = _cli(
        url, "episode", "discharge", "1", "--medicines", listed, "--pdf", str(pdf),
        "--contact", "Acute Pain Service 555 0100", "--gp", "Dr G", "--as", "nina",
    )  # fmt: skip
    assert code == 0
    assert "discharge summary issued" in out
    text = " ".join(" ".join((p.extract_text() or "").split()) for p in PdfReader(pdf).pages)
    assert "memantine 10 mg twice daily, oral" in text
    assert "methadone 40 mg three times daily, oral" in text
    assert "Emergency plan: if the pain comes back" in text
    assert "Acute Pain Service 555 0100" in text


def test_a_physician_leaves_memantine_off_with_a_reason(url: str, tmp_path: Path) -> None:
    """--leave-off needs the physician and a reason; then the summary is issued."""
    listed = _file(tmp_path, "without.yaml", WITHOUT_MEMANTINE)
    code, _, err = _cli(
        url, "episode", "discharge", "1", "--medicines", listed, "--leave-off", "memantine",
        "--as", "phil",
    )  # fmt: skip
    assert code == 2
    assert "--leave-off and --reason go together" in err
    code, out, _ = _cli(
        url, "episode", "discharge", "1", "--medicines", listed, "--leave-off", "memantine",
        "--reason", "stopped for dizziness, reviewed", "--as", "phil", "--json",
    )  # fmt: skip
    assert code == 0
    answer = json.loads(out)
    assert answer["blocked"] is False
    assert answer["alerts"][0]["acknowledged_by"] == "phil"


def test_a_bad_medicines_file_is_one_sentence(url: str, tmp_path: Path) -> None:
    """An unknown key in the medicines file: exit 2, the file and the key named."""
    listed = _file(tmp_path, "bad.yaml", "medicines:\n  - {drug: memantine, strength: 10 mg}\n")
    code, _, err = _cli(url, "episode", "discharge", "1", "--medicines", listed, "--as", "nina")
    assert code == 2
    assert "bad.yaml" in err
    assert "strength" in err


def test_transitions_as_json_carry_checks_and_predicted_levels(url: str) -> None:
    """Seed 002 at its end: no ketamine running, the memantine steps still listed."""
    code, out, _ = _cli(url, "episode", "transitions", "1", "--as", "nina", "--json")
    assert code == 0
    answer = json.loads(out)
    assert [d["dose"] for d in answer["drugs"]] == ["5 mg", "10 mg"]
    assert answer["options"] == []


def test_cohort_report_writes_the_measures_as_csv(url: str, tmp_path: Path) -> None:
    """Both episodes counted: the seed 004 patient responds; seed 002's worked episode records
    no opioid figure on ketamine and no function, so it is undetermined, not a non-responder."""
    out_csv = tmp_path / "audit.csv"
    code, out, _ = _cli(url, "cohort", "report", "--csv", str(out_csv), "--as", "nina", "--json")
    assert code == 0
    report = json.loads(out)
    assert report["episodes"] == 2
    assert report["response"]["responders"] == 1
    assert report["response"]["undetermined"] == 1
    assert report["response"]["non_responders"] == 0
    rows = list(csv.DictReader(io.StringIO(out_csv.read_text(encoding="utf-8"))))
    assert (rows[0]["measure"], rows[0]["n"]) == ("episodes", "2")
    code, out, _ = _cli(
        url, "cohort", "report", "--population", "non_cancer", "--as", "nina", "--json"
    )
    assert json.loads(out)["episodes"] == 1


def test_cohort_report_refuses_an_admin(url: str) -> None:
    """An admin sees nothing clinical: one sentence naming the roles, exit 2."""
    code, _, err = _cli(url, "cohort", "report", "--as", "ann")
    assert code == 2
    assert "needs the physician, pharmacist or nurse role" in err


def test_opioid_plan_doses_gives_tablets(tmp_path: Path) -> None:
    """oxycodone 10 mg four times a day (60 mg MED) as oxycodone, halved: 10 mg 12-hourly."""
    regimen = _file(
        tmp_path, "r.yaml",
        "items:\n  - {drug: oxycodone, route: oral, dose: 10 mg, doses_per_day: 4}\n",
    )  # fmt: skip
    code, out, _ = _cli("sqlite://", "opioid-plan", "doses", regimen, "--to", "oxycodone",
                        "--reduction", "50", "--json")  # fmt: skip
    assert code == 0
    proposed = json.loads(out)["target"]["proposed"]
    assert [(u["strength"], u["count"]) for u in proposed["units"]] == [(10, 1)]
