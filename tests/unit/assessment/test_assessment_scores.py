"""Screening and baseline scores: LANSS, the NPQ descriptors, BPI and PSEQ."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ketamine_cds.domain.assessment.measures import (
    bpi_interference,
    bpi_severity,
    pseq_band,
    pseq_total,
)
from ketamine_cds.domain.assessment.patient import Bpi, Lanss, PatientRecord, Pseq
from ketamine_cds.domain.assessment.screening import LANSS_ITEMS, score_lanss, screen_neuropathic

ANSWER = st.one_of(st.none(), st.booleans())


@given(st.lists(st.booleans(), min_size=7, max_size=7))
def test_complete_lanss_is_the_sum_of_the_weights_answered_yes(answers: list[bool]) -> None:
    """A complete LANSS is the sum of the yes weights, 0-24, positive exactly at 12 or more."""
    lanss = Lanss(**{item.field: a for item, a in zip(LANSS_ITEMS, answers, strict=True)})
    result = score_lanss(lanss)
    expected = sum(item.weight for item, a in zip(LANSS_ITEMS, answers, strict=True) if a)
    assert result.score == expected
    assert 0 <= expected <= 24
    assert result.positive is (expected >= 12)


@given(st.lists(ANSWER, min_size=7, max_size=7))
def test_incomplete_lanss_decides_only_when_the_missing_items_cannot_change_it(
    answers: list[bool | None],
) -> None:
    """With items missing the score is withheld; a verdict only if no answer can flip it."""
    lanss = Lanss(**{item.field: a for item, a in zip(LANSS_ITEMS, answers, strict=True)})
    result = score_lanss(lanss)
    pairs = list(zip(LANSS_ITEMS, answers, strict=True))
    low = sum(i.weight for i, a in pairs if a)
    high = low + sum(i.weight for i, a in pairs if a is None)
    if None in answers:
        assert result.score is None
        expected = True if low >= 12 else False if high < 12 else None
        assert result.positive is expected
    else:
        assert result.score == low


def test_screen_is_incomplete_without_descriptors_or_examination() -> None:
    """An empty record neither passes nor fails the neuropathic screen."""
    assert screen_neuropathic(PatientRecord()).status == "incomplete"


def test_descriptors_without_signs_are_not_enough() -> None:
    """One line of evidence (the patient's words) without examination signs is negative."""
    record = PatientRecord.model_validate(
        {"pain": {"descriptors": ["tingling"], "examination_signs": []}}
    )
    screen = screen_neuropathic(record)
    assert screen.status == "negative"
    assert [d.value for d in screen.npq_descriptors] == ["tingling"]


def test_bpi_severity_needs_all_four_items() -> None:
    """Severity is not scored with an intensity item missing, and names it."""
    result = bpi_severity(Bpi(worst=8, least=4, average=6))
    assert result.value is None
    assert result.missing == ("questionnaires.bpi.now",)


def test_bpi_interference_needs_four_of_seven() -> None:
    """Three interference items are too few; four are enough."""
    assert bpi_interference(Bpi(mood=5, sleep=4, walking_ability=6)).value is None
    assert bpi_interference(Bpi(mood=5, sleep=4, walking_ability=6, normal_work=1)).value == 4.0


def test_pseq_needs_all_ten_and_checks_range() -> None:
    """A PSEQ with an item missing is not scored; an answer of 7 is refused."""
    assert pseq_total(Pseq(answers=[6] * 9 + [None])).value is None
    with pytest.raises(ValueError, match="item 3"):
        Pseq(answers=[1, 1, 7, 1, 1, 1, 1, 1, 1, 1])


@pytest.mark.parametrize(
    ("total", "band"),
    [
        (0, "severe"),
        (19, "severe"),
        (20, "moderate"),
        (30, "moderate"),
        (31, "mild"),
        (40, "mild"),
        (41, "minimal"),
        (60, "minimal"),
    ],
)
def test_pseq_bands_follow_eppoc(total: int, band: str) -> None:
    """ePPOC bands: severe 0-19, moderate 20-30, mild 31-40, minimal 41-60."""
    assert pseq_band(total) == band
