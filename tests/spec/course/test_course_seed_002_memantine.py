"""Seed 002's timeline replayed: the memantine prompts where the source places them.

Seed 002 (Grande et al., Anesth Analg 2008), "Case Description": ketamine 55 µg/kg/h (5 mg/h)
from POD 1; pain 1-3/10; "Oral memantine was started at 5 mg bid on POD 5 and ketamine was titrated
downward to 27.5 µg kg-1 h-1, and then to 13.8 µg kg-1 h-1 on POD 6. This attempted ketamine
taper was unsuccessful ... with resumption of ketamine to 55 µg kg-1 h-1 on POD 7 ... Also on POD
7, the memantine dose was doubled to 10 mg bid"; "A successful slower ketamine taper was initiated
on POD 8 with a dose decrease to 36.8 µg kg-1 h-1 and discontinuation finally on POD 11";
"Memantine (10 mg bid) ... continued unchanged".
"""

from __future__ import annotations

import pytest
from bedside_build import ev, kinds, rec
from course_build import (
    SEED_002,
    SEED_002_BEFORE_TAPER,
    SEED_002_HALVING,
    SEED_002_RESCUE,
    SEED_002_SLOW_TAPER,
    memantine,
    pod,
    seed_002,
)

from ketamine_cds.domain.bedside import Recommendation


def _memantine_alerts(recommendation: Recommendation) -> list[str]:
    return [a.text for a in recommendation.alerts if a.rule == "start-memantine"]


def _memantine_reasons(recommendation: Recommendation) -> list[str]:
    return [r.text for r in recommendation.reasons if r.rule in {"to-memantine", "start-memantine"}]


def test_pain_controlled_before_the_taper_names_memantine_5_mg_twice_daily() -> None:
    """POD 4, pain 2/10 on 55 µg/kg/h: the engine says memantine 5 mg bid comes with the taper."""
    recommendation = rec(seed_002(SEED_002_BEFORE_TAPER), pod(4))
    assert recommendation.action == "continue"
    texts = _memantine_reasons(recommendation)
    assert any("start memantine 5 mg twice daily" in t for t in texts)
    assert not _memantine_alerts(recommendation)


def test_a_reduction_without_memantine_recorded_is_an_alert() -> None:
    """The source started memantine with the first reduction; a taper without it is flagged."""
    halved_only = [SEED_002_HALVING[0], SEED_002_HALVING[2]]
    recommendation = rec(seed_002([*SEED_002_BEFORE_TAPER, *halved_only]), pod(5, 2))
    alerts = _memantine_alerts(recommendation)
    assert alerts
    assert "physician_needed" in kinds(recommendation)
    assert "5 mg twice daily" in alerts[0]


def test_with_memantine_started_the_reduction_raises_no_memantine_alert() -> None:
    """POD 5 as the source did it: memantine 5 mg bid recorded, so nothing more to prompt."""
    events = [*SEED_002_BEFORE_TAPER, *SEED_002_HALVING[:3]]
    assert not _memantine_alerts(rec(seed_002(events), pod(5, 2)))


def test_the_failed_halving_taper_is_rescued_at_55_and_memantine_doubled() -> None:
    """POD 6, pain 7/10 at 13.8 µg/kg/h: back to 55 µg/kg/h (5.005 mg/h) and memantine 10 mg bid."""
    recommendation = rec(seed_002([*SEED_002_BEFORE_TAPER, *SEED_002_HALVING]), pod(6, 20))
    assert recommendation.action == "increase"
    assert recommendation.rate_mg_per_h == pytest.approx(55 * 91 / 1000)
    alerts = _memantine_alerts(recommendation)
    assert len(alerts) == 1
    assert "raise memantine to 10 mg twice daily" in alerts[0]


def test_the_slower_taper_to_36_8_succeeds_without_a_failed_step_or_memantine_prompt() -> None:
    """POD 8, 55 to 36.8 µg/kg/h cuts a third, under the halving that failed; pain stays 2/10."""
    events = [*SEED_002_BEFORE_TAPER, *SEED_002_HALVING, *SEED_002_RESCUE, *SEED_002_SLOW_TAPER[:2]]
    recommendation = rec(seed_002(events), pod(8, 2))
    assert recommendation.action == "taper"
    assert recommendation.rate_mg_per_h == pytest.approx(36.8 * 91 / 1000)
    assert "taper_step_failed_before" not in kinds(recommendation)
    assert not _memantine_alerts(recommendation)


def test_after_the_stop_memantine_continues_and_belongs_on_the_discharge_list() -> None:
    """POD 11, ketamine stopped: memantine 10 mg bid continues and must be on every list."""
    recommendation = rec(seed_002(), pod(11, 4))
    assert recommendation.action == "discontinue"
    texts = _memantine_reasons(recommendation)
    assert any("10 mg twice daily" in t and "discharge list" in t for t in texts)


def test_a_taper_failing_with_memantine_already_doubled_has_no_higher_step() -> None:
    """The source gives no dose above 10 mg bid: a second failed taper asks the physician."""
    events = [
        *SEED_002_BEFORE_TAPER,
        memantine(pod(4, 1), "started", "10 mg"),
        ev("rate_change", pod(5), rate="27.5 µg/kg/h", by="attending"),
        ev("observation", pod(5, 6), pain=7),
    ]
    recommendation = rec(seed_002(events), pod(5, 6))
    assert recommendation.action == "increase"
    assert not _memantine_alerts(recommendation)
    assert any("no higher dose" in t for t in _memantine_reasons(recommendation))


def test_memantine_stopped_after_the_ketamine_is_an_alert() -> None:
    """Stopping memantine after the infusion is what seed 002 warns of: the engine flags it."""
    events = [*SEED_002, memantine(pod(11, 5), "stopped")]
    recommendation = rec(seed_002(events), pod(11, 6))
    assert _memantine_alerts(recommendation)
