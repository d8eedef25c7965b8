"""Baseline measures of seed 004 ("Context"): the Brief Pain Inventory and the PSEQ.

BPI (Cleeland; scoring as in the BPI User Guide): pain severity is the mean of the four intensity
items (worst, least, average, now), each 0-10; pain interference is the mean of the seven
interference items, and may be scored when at least four of the seven are answered. This product
scores severity only when all four intensity items are answered (the User Guide's composite is
the mean of four items; it gives no rule for fewer).

PSEQ (Nicholas, Eur J Pain 2007;11:153-163): ten items, each 0-6; the total is their sum, 0-60,
higher meaning more confidence to carry on despite pain. Scored only when all ten are answered.
Interpretive bands are the ePPOC reference bands (severe 0-19, moderate 20-30, mild 31-40,
minimal 41-60), which seed 004 names as its outcome dataset.
"""

from __future__ import annotations

from dataclasses import dataclass

from ketamine_cds.domain.assessment.citation import Citation
from ketamine_cds.domain.assessment.patient import Bpi, Pseq

BPI_SOURCE = Citation(
    document="Cleeland CS. The Brief Pain Inventory User Guide (MD Anderson, 2009)",
    section="How to score the BPI: pain severity and pain interference",
)
PSEQ_SOURCE = Citation(
    document="Nicholas MK. The pain self-efficacy questionnaire: taking pain into account. "
    "Eur J Pain 2007;11:153-163",
    section="PSEQ: ten items scored 0-6, total 0-60",
)
EPPOC_SOURCE = Citation(
    document="electronic Persistent Pain Outcomes Collaboration (ePPOC) reference bands "
    "(named by seed 004, 'Context')",
    section="PSEQ severity: severe 0-19, moderate 20-30, mild 31-40, minimal 41-60",
)

BPI_SEVERITY_ITEMS = ("worst", "least", "average", "now")
BPI_INTERFERENCE_ITEMS = (
    "general_activity",
    "mood",
    "walking_ability",
    "normal_work",
    "relations_with_others",
    "sleep",
    "enjoyment_of_life",
)
BPI_INTERFERENCE_MINIMUM_ANSWERED = 4
PSEQ_ITEMS = (
    "I can enjoy things, despite the pain",
    "I can do most of the household chores, despite the pain",
    "I can socialise with my friends or family as often as I used to, despite the pain",
    "I can cope with my pain in most situations",
    "I can do some form of work, despite the pain",
    "I can still do many of the things I enjoy doing, despite the pain",
    "I can cope with my pain without medication",
    "I can still accomplish most of my goals in life, despite the pain",
    "I can live a normal lifestyle, despite the pain",
    "I can gradually become more active, despite the pain",
)
PSEQ_MAXIMUM = 60
_PSEQ_BANDS = ((41, "minimal"), (31, "mild"), (20, "moderate"), (0, "severe"))


@dataclass(frozen=True)
class MeasureScore:
    """A scored measure: the value (None when it cannot be scored), its meaning and source."""

    name: str
    value: float | None
    interpretation: str
    missing: tuple[str, ...]
    sources: tuple[Citation, ...]


def bpi_severity(answers: Bpi) -> MeasureScore:
    """BPI pain severity: the mean of worst, least, average and now (all four required).

    >>> bpi_severity(Bpi(worst=8, least=4, average=6, now=5)).value
    5.75
    """
    values = {name: getattr(answers, name) for name in BPI_SEVERITY_ITEMS}
    missing = tuple(f"questionnaires.bpi.{k}" for k, v in values.items() if v is None)
    if missing:
        return MeasureScore(
            name="BPI pain severity",
            value=None,
            interpretation=f"not scored: {len(missing)} of 4 intensity items unanswered",
            missing=missing,
            sources=(BPI_SOURCE,),
        )
    mean = sum(v for v in values.values() if v is not None) / len(BPI_SEVERITY_ITEMS)
    return MeasureScore(
        name="BPI pain severity",
        value=mean,
        interpretation=f"{mean:.2f}/10, mean of worst, least, average and now",
        missing=(),
        sources=(BPI_SOURCE,),
    )


def bpi_interference(answers: Bpi) -> MeasureScore:
    """BPI pain interference: the mean of the answered items, if at least four of seven.

    >>> bpi_interference(Bpi(general_activity=7, mood=5, walking_ability=6, sleep=4)).value
    5.5
    """
    values = {name: getattr(answers, name) for name in BPI_INTERFERENCE_ITEMS}
    answered = [v for v in values.values() if v is not None]
    missing = tuple(f"questionnaires.bpi.{k}" for k, v in values.items() if v is None)
    if len(answered) < BPI_INTERFERENCE_MINIMUM_ANSWERED:
        return MeasureScore(
            name="BPI pain interference",
            value=None,
            interpretation=(
                f"not scored: {len(answered)} of 7 items answered, at least "
                f"{BPI_INTERFERENCE_MINIMUM_ANSWERED} needed"
            ),
            missing=missing,
            sources=(BPI_SOURCE,),
        )
    mean = sum(answered) / len(answered)
    return MeasureScore(
        name="BPI pain interference",
        value=mean,
        interpretation=f"{mean:.2f}/10, mean of {len(answered)} of 7 interference items",
        missing=missing,
        sources=(BPI_SOURCE,),
    )


def pseq_band(total: int) -> str:
    """The ePPOC severity band of a PSEQ total."""
    for floor, band in _PSEQ_BANDS:
        if total >= floor:
            return band
    raise ValueError(f"PSEQ total {total} is below 0")


def pseq_total(answers: Pseq) -> MeasureScore:
    """PSEQ total: the sum of the ten items (all ten required), with its ePPOC band.

    >>> pseq_total(Pseq(answers=[3, 2, 4, 3, 1, 2, 0, 3, 2, 4])).value
    24
    """
    missing = tuple(
        f"questionnaires.pseq.answers[{i}]" for i, v in enumerate(answers.answers) if v is None
    )
    if missing:
        return MeasureScore(
            name="PSEQ",
            value=None,
            interpretation=f"not scored: {len(missing)} of 10 items unanswered",
            missing=missing,
            sources=(PSEQ_SOURCE,),
        )
    total = sum(v for v in answers.answers if v is not None)
    return MeasureScore(
        name="PSEQ",
        value=total,
        interpretation=(
            f"{total}/{PSEQ_MAXIMUM}; higher means more confidence to function despite pain; "
            f"ePPOC band: {pseq_band(total)}"
        ),
        missing=(),
        sources=(PSEQ_SOURCE, EPPOC_SOURCE),
    )
