"""The order set's view model: titration steps through the dose check, citations, identifiers."""

from __future__ import annotations

from datetime import UTC, datetime
from itertools import pairwise

import pytest
from library import SOURCE, shipped

from ketamine_cds.adapters.data_files import limit_table
from ketamine_cds.adapters.patient_files import load_evidence_table
from ketamine_cds.domain.assessment.evidence import evidence_for
from ketamine_cds.domain.units import BodyWeight
from ketamine_cds.entrypoints.web.presenters.order_set import (
    EVIDENCE_UNASSESSED,
    OrderSetView,
    PatientIdentifiers,
    order_set_view,
)
from ketamine_cds.entrypoints.web.presenters.titration import AT_CEILING
from ketamine_cds.entrypoints.web.templating import render
from ketamine_cds.service.planning import plan

WHEN = datetime(2024, 6, 2, 8, 0, tzinfo=UTC)


def view(protocol: str, kg: float = 70, **kwargs) -> OrderSetView:
    return order_set_view(
        plan(SOURCE, protocol, BodyWeight.from_kg(kg)),
        kwargs.pop("patient", PatientIdentifiers(identifier="TEST-1")),
        shipped(protocol),
        limit_table(),
        generated_at=WHEN,
        **kwargs,
    )


def test_cancer_continuous_steps_2_mg_per_h_every_2_h_up_to_the_ceiling():
    """Seed 001: start 0.1 mg/kg/h, raise 2 mg/h every 2 h, at most 0.2 mg/kg/h (70 kg: 14 mg/h)."""
    start, ceiling = 0.1 * 70, min(0.2 * 70, 20)
    expected = [start + 2 * n for n in range(4)] + [ceiling]  # 13 + 2 passes 14: last step to 14
    table = view("cancer-continuous").phases[0].titration
    assert table is not None
    assert [s.value for s in table.steps] == expected
    assert [s.earliest_h for s in table.steps] == [0, 2, 4, 6, 8]
    assert [s.ml_pump for s in table.steps] == [7.0, 9.0, 11.0, 13.0, 14.0]  # at 1 mg/mL
    assert [s.label for s in table.steps[:-1]] == ["within protocol"] * 4
    assert table.steps[-1].label == AT_CEILING
    assert table.steps[-1].at_limit
    assert table.steps[-1].per_kg == "0.2 mg/kg/h"


def test_a_percentage_titration_steps_at_the_low_end_and_stops_at_the_ceiling():
    """Correll: up 25-50 % a day; the table takes 25 % (the engine's reading), to 0.5 mg/kg/h."""
    table = view("correll-crps").phases[0].titration
    assert table is not None
    values = [s.value for s in table.steps]
    assert values[:3] == pytest.approx([10, 12.5, 15.625])
    assert values[-1] == pytest.approx(35)  # 0.5 mg/kg/h for 70 kg
    assert all(b / a == pytest.approx(1.25) for a, b in pairwise(values[:-1]))
    assert [s.earliest_h for s in table.steps][:2] == [0, 24]
    assert any("25-50 %" in note for note in table.notes)


def test_a_schedule_titration_lists_the_schedule():
    """Jackson's burst: 100, 300, 500 mg/24 h, a day each."""
    table = view("jackson-burst").phases[0].titration
    assert table is not None
    assert [s.value for s in table.steps] == pytest.approx([100 / 24, 300 / 24, 500 / 24])


def test_a_bolus_titration_doubles_doses_through_the_dose_check():
    """Fine's escalating bolus: 0.1 mg/kg doubled every 15 min, to the 0.35 mg/kg ceiling."""
    table = view("fine-escalating-bolus").phases[0].titration
    assert table is not None
    assert table.unit == "mg"
    assert [s.value for s in table.steps] == pytest.approx([7, 14, 24.5])
    assert [s.earliest_h for s in table.steps] == [0, 0.25, 0.5]
    assert table.steps[-1].label == AT_CEILING


def test_no_table_where_the_source_gives_no_titration():
    """A titration the source leaves unspecified gets words, not invented steps."""
    phase = view("noncancer-subcutaneous").phases[0]
    assert phase.titration is None
    assert "no titration" in phase.titration_words


def test_sources_are_listed_once_and_rules_cite_them_by_number():
    """Seed 001 is reference [1]; a rule shows '[1] Ketamine Protocol Details'."""
    v = view("cancer-continuous")
    assert v.references[0].number == 1
    assert v.references[0].text.endswith("[seed 001]")
    assert v.monitoring[0].citation.short == "[1] Ketamine Protocol Details"
    texts = [r.text for r in v.references]
    assert len(texts) == len(set(texts))
    cited = {c.number for h in v.hard_limits for c in h.citations}
    assert cited <= {r.number for r in v.references} | {None}


def test_the_evidence_level_is_shown_when_the_indication_was_assessed():
    """Seed 003 grades refractory cancer pain; without an assessment the note says why none."""
    assessed = view(
        "cancer-continuous",
        evidence=evidence_for(load_evidence_table(), "refractory_cancer_pain"),
    )
    assert assessed.evidence.level == "III"
    assert view("cancer-continuous").evidence.message == EVIDENCE_UNASSESSED


def test_a_plan_and_protocol_that_do_not_match_are_refused():
    """The checks of the steps must use the protocol the plan was built from."""
    with pytest.raises(ValueError, match="the plan is for cancer-continuous"):
        order_set_view(
            plan(SOURCE, "cancer-continuous", BodyWeight.from_kg(70)),
            PatientIdentifiers(),
            shipped("correll-crps"),
            limit_table(),
            generated_at=WHEN,
        )


def test_the_page_escapes_identifiers_and_leaves_lines_for_missing_ones():
    """A name is text, never markup; a missing date of birth prints as a line to fill in."""
    html = render(
        "order_set.html",
        o=view("cancer-continuous", patient=PatientIdentifiers(name="<b>Ann</b>", identifier="X")),
    )
    assert "&lt;b&gt;Ann&lt;/b&gt;" in html
    assert "<b>Ann</b>" not in html
    assert 'aria-label="Date of birth: to be written in by hand"' in html
    assert "Decision support, not a prescriber" in html
    assert html.count("<main") == 1
