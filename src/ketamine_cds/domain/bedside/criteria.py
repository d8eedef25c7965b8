"""Whether a protocol's notification or stop criterion holds on the latest observations.

Readings the product takes, each stated where it is shown to the clinician:

- a vital sign is judged on its most recent recorded value;
- "sustained" holds when the two most recent values of that vital both meet the threshold;
- symptoms are those present in the most recent observation; "severe" needs the symptom to be
  marked severe there;
- a percentage rule compares with the episode's baseline value (no baseline: cannot be judged,
  which is itself shown);
- "no analgesic effect after" a time holds when that time has passed since the infusion started
  and the latest pain score is not below the baseline score.
"""

from __future__ import annotations

import operator
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from ketamine_cds.domain.bedside.state import EpisodeState
from ketamine_cds.domain.episode import Baseline, Observation
from ketamine_cds.domain.protocols.schema import Criterion
from ketamine_cds.domain.vocabulary import Vital

_COMPARE: dict[str, tuple[Callable[[float, float], bool], str]] = {
    "gt": (operator.gt, ">"),
    "ge": (operator.ge, "≥"),
    "lt": (operator.lt, "<"),
    "le": (operator.le, "≤"),
}
_VITAL_NAMES = {
    Vital.HEART_RATE: "heart rate",
    Vital.SYSTOLIC_BP: "systolic blood pressure",
    Vital.DIASTOLIC_BP: "diastolic blood pressure",
    Vital.RESPIRATORY_RATE: "respiratory rate",
    Vital.SPO2: "SpO2",
    Vital.PAIN: "pain",
    Vital.SEDATION: "sedation",
}


@dataclass(frozen=True)
class Hit:
    """A criterion that holds, what was seen, and when it was seen."""

    criterion: Criterion
    seen: str
    observed_at: datetime


def vital_values(state: EpisodeState, vital: Vital) -> list[tuple[datetime, float]]:
    """Every recorded value of ``vital``, oldest first."""
    return state.vital_values(vital.value)


def latest_observation(state: EpisodeState) -> Observation | None:
    """The most recent observation, if any."""
    return state.observations[-1][1] if state.observations else None


def evaluate(  # noqa: PLR0911 - one return per kind of trigger keeps each reading visible
    criterion: Criterion,
    state: EpisodeState,
    baseline: Baseline,
    pain_goal: int,
    at: datetime,
) -> Hit | None:
    """The hit if ``criterion`` holds now, else None."""
    latest = latest_observation(state)
    if criterion.vital is not None:
        return _vital(criterion, state, baseline)
    if criterion.symptoms is not None:
        if latest is None:
            return None
        pool = latest.severe if criterion.severe else latest.symptoms
        present = [s.value for s in criterion.symptoms if s in pool]
        if not present:
            return None
        label = "severe " if criterion.severe else ""
        return Hit(criterion, f"{label}{', '.join(present)}", latest.at)
    if criterion.pain_above_goal:
        pains = state.pains()
        if pains and pains[-1][1] > pain_goal:
            return Hit(criterion, f"pain {pains[-1][1]}/10 above goal {pain_goal}", pains[-1][0])
        return None
    began = state.first_started_at
    if criterion.no_effect_after is not None and began is not None:
        elapsed = (at - began).total_seconds() / 3600
        pains = state.pains(since=began)
        if elapsed >= criterion.no_effect_after.hours and pains and pains[-1][1] >= baseline.pain:
            return Hit(
                criterion,
                f"pain {pains[-1][1]}/10, not below baseline {baseline.pain}/10, after "
                f"{elapsed:.4g} h",
                pains[-1][0],
            )
    return None


def _vital(criterion: Criterion, state: EpisodeState, baseline: Baseline) -> Hit | None:
    assert criterion.vital is not None  # noqa: S101 - checked by the caller
    assert criterion.comparison is not None  # noqa: S101 - the schema requires it with a vital
    assert criterion.value is not None  # noqa: S101 - the schema requires it with a vital
    values = vital_values(state, criterion.vital)
    needed = 2 if criterion.sustained else 1
    if len(values) < needed:
        return None
    compare, symbol = _COMPARE[criterion.comparison]
    name = _VITAL_NAMES[criterion.vital]
    threshold = criterion.value
    if criterion.from_baseline_percent:
        base = getattr(baseline, criterion.vital.value, None)
        if base is None:
            return None
        threshold = float(base) * (1 + criterion.value / 100)
        symbol = f"{symbol} baseline {base:g} + {criterion.value:g} % ="
    recent = values[-needed:]
    if all(compare(value, threshold) for _, value in recent):
        shown = " then ".join(f"{value:g}" for _, value in recent)
        return Hit(criterion, f"{name} {shown} ({symbol} {threshold:g})", recent[-1][0])
    return None
