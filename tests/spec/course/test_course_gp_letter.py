"""The letter to the general practitioner for a seed 004 patient: regimen, plan, emergency, who.

Seed 004, "Proposal for best practice": "6. ... Any change in opioid regimen occurring during the
admission should be clearly communicated with the patient's general practitioner at discharge";
"4. Context ... Emergency after-discharge plan, especially for recrudescence of 'pain' ... Primary
practitioner communication and follow-up"; "Multidisciplinary review following infusion is
recommended"; BPI and PSEQ (assessment before and after); "After cessation the patient should
be observed in hospital for a period of 4 hours prior to discharge."
"""

from __future__ import annotations

import io
import re

import pytest
from course_letter import seed_004_summary
from pypdf import PdfReader

from ketamine_cds.entrypoints.web.letters import letter_pdf, render_letter


def _text(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def test_the_letter_holds_the_regimen_and_the_opioid_plan() -> None:
    """Every discharge medicine, the opioid in its dose, and the MED before and after."""
    text = _text(render_letter(seed_004_summary(), "gp_letter"))
    assert "Dear Dr A. General" in text
    assert "oxycodone controlled release 30 mg twice daily, oral" in text
    assert "pregabalin 150 mg twice daily, oral" in text
    assert "120 mg/day first recorded" in text
    assert "come to 90 mg/day" in text  # oxycodone 60 mg/day x 1.5 (CDC 2022)
    assert "Any change in the opioid regimen" in text


def test_the_letter_holds_the_emergency_plan_and_who_to_call() -> None:
    """The plan for returning pain names whom to call, in and out of hours, with its source."""
    text = _text(render_letter(seed_004_summary(), "gp_letter"))
    assert "Emergency plan: if the pain comes back" in text
    assert "call the Persistent Pain Service, 555 0100 (weekdays 8-5)" in text
    assert "the on-call anaesthetist via switchboard, 555 0000" in text
    assert "Faculty of Pain Medicine" in text  # seed 004 cited


def test_the_letter_holds_bpi_and_pseq_before_and_after() -> None:
    """BPI severity 7.25 → 3.25, interference 7.71 → 3.86, PSEQ 10 → 29."""
    summary = seed_004_summary()
    by_name = {m.name: m for m in summary.measures}
    assert by_name["BPI pain severity"].before == pytest.approx((9 + 5 + 7 + 8) / 4)
    assert by_name["BPI pain severity"].after == pytest.approx((5 + 2 + 3 + 3) / 4)
    assert by_name["PSEQ"].before == 10
    assert by_name["PSEQ"].after == 29
    text = _text(render_letter(summary, "gp_letter"))
    assert "7.25/10" in text
    assert "29/60" in text


def test_the_letter_gives_the_follow_up_and_the_response() -> None:
    """The review agreed, seed 004's multidisciplinary review, and Good et al.'s verdict."""
    summary = seed_004_summary()
    assert summary.response.verdict == "responder"
    text = _text(render_letter(summary, "gp_letter"))
    assert "Pain clinic review in 2 weeks" in text
    assert "Multidisciplinary review after the infusion" in text
    assert "Responder" in text


def test_a_discharge_within_4_hours_of_stopping_is_flagged() -> None:
    """Seed 004: observe 4 hours after cessation; a discharge 2 hours after is a warning."""
    early = seed_004_summary(after_stop_h=2)
    assert any("4 h after stopping" in w for w in early.warnings)
    assert not seed_004_summary(after_stop_h=5).warnings


def test_the_pdf_text_holds_the_regimen_and_the_emergency_plan() -> None:
    """The PDF is the pages printed: its text carries the regimen and the emergency plan."""
    reader = PdfReader(io.BytesIO(letter_pdf(seed_004_summary())))
    text = " ".join(" ".join((page.extract_text() or "").split()) for page in reader.pages)
    assert "oxycodone controlled release 30 mg twice daily, oral" in text
    assert "Emergency plan: if the pain comes back" in text
    assert "Dear Dr A. General" in text


def test_the_course_length_is_written_to_a_tenth_of_a_day() -> None:
    """Three days of ketamine read "3.0 days" in the letter and the summary, never "2.958 days"."""
    summary = seed_004_summary()
    summary = summary.model_copy(
        update={"ketamine": summary.ketamine.model_copy(update={"duration_days": 71 / 24})}
    )
    for kind in ("gp_letter", "discharge_summary"):
        text = _text(render_letter(summary, kind))
        assert "3.0 days" in text, kind
        assert "2.958" not in text, kind
