"""Response to ketamine by the definition of Good et al. (seed 000), computed from an episode.

Seed 000, "Outcomes Reported with Ketamine Use for Cancer Pain": responders were defined as
patients who

1. achieve a verbal rating scale (VRS) score of 0 (10 = worst imaginable pain, 0 = no pain), or
2. have a 50 % or greater reduction in mean VRS;

and, in addition, fulfil one of two surrogate criteria:

* a 50 % or greater reduction in the 24-hour opioid dose, or a 50 % or greater reduction in the
  number of opioid breakthrough doses, or
* improvement in mobility or function.

The source does not say over which time the means are taken. The product's reading (decision
record 0111): the mean before ketamine is the baseline pain with every score recorded before
the first dose or rate; the mean on ketamine is every score in the 24 hours up to the moment
assessed, after the first dose or rate; "a score of 0" is the latest score in that window. The
24-hour opioid figures compared are the latest recorded at or before the first dose or rate and
the latest in the window. Function is the clinician's judgement recorded in an ``assessment``
event. A criterion with nothing to compute it from is unknown, never assumed: the verdict is
then ``undetermined``, naming what is missing.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from statistics import fmean
from typing import Literal

from pydantic import BaseModel, ConfigDict

from ketamine_cds.domain.episode import Episode, OpioidUse, OutcomeAssessment
from ketamine_cds.domain.outcomes.replayed import Replayed, last_measurement, replayed
from ketamine_cds.domain.protocols.schema import Protocol
from ketamine_cds.domain.references import cite

DEFINITION_SOURCE = cite(
    "seed 000, Outcomes Reported with Ketamine Use for Cancer Pain (Good et al., reference 22)"
)
WINDOW = timedelta(hours=24)
HALF = 0.5
Verdict = Literal["responder", "non_responder", "undetermined"]
READINGS = (
    (
        "Mean VRS before ketamine: the baseline pain and every score recorded before the first "
        "dose or rate (the product's reading; the source gives no period)."
    ),
    (
        "Mean VRS on ketamine: every score in the 24 hours up to the moment assessed, after the "
        "first dose or rate; 'a score of 0' is the latest of them (the product's reading)."
    ),
    (
        "24-hour opioid figures: the latest recorded at or before the first dose or rate, "
        "against the latest in the same 24 hours (the product's reading)."
    ),
    (
        "Function: the clinician's judgement recorded in an assessment ('better', 'unchanged', "
        "'worse'); the source names mobility or function without a scale."
    ),
)


class _Out(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Score(_Out):
    """A pain score and when it was recorded."""

    at: datetime
    score: int


class OpioidFigure(_Out):
    """A 24-hour opioid figure as recorded."""

    at: datetime
    med_mg_per_24h: float | None
    breakthrough_doses_24h: int | None


class Criterion(_Out):
    """One criterion of the definition: met, not met, or unknown, and what it was computed from."""

    id: str
    text: str
    met: bool | None
    computed_from: str


class ResponseAssessment(_Out):
    """Whether the patient responded, with every figure the verdict was computed from."""

    verdict: Verdict
    definition_source: str
    assessed_at: datetime
    ketamine_started_at: datetime | None
    window_from: datetime | None
    pain_criterion: bool | None
    surrogate_criterion: bool | None
    criteria: list[Criterion]
    baseline_scores: list[Score]
    window_scores: list[Score]
    baseline_mean: float | None
    window_mean: float | None
    opioid_before: OpioidFigure | None
    opioid_after: OpioidFigure | None
    function: str | None
    function_at: datetime | None
    missing: list[str]
    readings: list[str]


def either(*values: bool | None) -> bool | None:
    """Three-valued OR: true if any is true, false if all are false, else unknown."""
    if any(v is True for v in values):
        return True
    if all(v is False for v in values):
        return False
    return None


def both(*values: bool | None) -> bool | None:
    """Three-valued AND: false if any is false, true if all are true, else unknown."""
    if any(v is False for v in values):
        return False
    if all(v is True for v in values):
        return True
    return None


def _halved(before: float | None, after: float | None) -> bool | None:
    if before is None or after is None:
        return None
    if before <= 0:
        return False
    return after <= HALF * before


def _figure(use: OpioidUse | None) -> OpioidFigure | None:
    if use is None:
        return None
    return OpioidFigure(
        at=use.at,
        med_mg_per_24h=use.med_mg_per_24h,
        breakthrough_doses_24h=use.breakthrough_doses_24h,
    )


def assess_response(
    episode: Episode,
    protocol: Protocol,
    at: datetime | None = None,
    *,
    seen: Replayed | None = None,
) -> ResponseAssessment:
    """Good et al.'s definition applied at ``at`` (by default, the last measurement).

    ``seen``: the episode already replayed at ``at`` or later (only what is timed by ``at``
    counts).
    """
    moment = last_measurement(episode) if at is None else at
    seen = seen if seen is not None and seen.at >= moment else replayed(episode, protocol, moment)
    events = [event for event in seen.events if event.at <= moment]
    began = seen.state.first_started_at
    pains = [(t, score) for t, score in seen.state.pains() if t <= moment]
    if began is None or began > moment:
        return _not_started(moment, pains)
    since = max(began, moment - WINDOW)
    baseline = [Score(at=episode.started_at, score=episode.baseline.pain)] + [
        Score(at=t, score=s) for t, s in pains if t < began
    ]
    window = [Score(at=t, score=s) for t, s in pains if t >= since and t >= began]
    base_mean = fmean(s.score for s in baseline)
    on_mean = fmean(s.score for s in window) if window else None
    uses = [e for e in events if isinstance(e, OpioidUse)]
    before = next((u for u in reversed(uses) if u.at <= began), None)
    after = next((u for u in reversed(uses) if since <= u.at and u.at > began), None)
    assessments = [
        e for e in events if isinstance(e, OutcomeAssessment) and e.function and e.at >= began
    ]
    judged = assessments[-1] if assessments else None
    criteria = _criteria(
        base_mean=base_mean,
        baseline=baseline,
        on_mean=on_mean,
        window=window,
        before=before,
        after=after,
        judged=judged,
    )
    pain = either(criteria[0].met, criteria[1].met)
    surrogate = either(criteria[2].met, criteria[3].met, criteria[4].met)
    verdict = both(pain, surrogate)
    missing = [c.computed_from for c in criteria if c.met is None]
    return ResponseAssessment(
        verdict="undetermined"
        if verdict is None
        else ("responder" if verdict else "non_responder"),
        definition_source=DEFINITION_SOURCE,
        assessed_at=moment,
        ketamine_started_at=began,
        window_from=since,
        pain_criterion=pain,
        surrogate_criterion=surrogate,
        criteria=criteria,
        baseline_scores=baseline,
        window_scores=window,
        baseline_mean=round(base_mean, 3),
        window_mean=None if on_mean is None else round(on_mean, 3),
        opioid_before=_figure(before),
        opioid_after=_figure(after),
        function=None if judged is None else judged.function,
        function_at=None if judged is None else judged.at,
        missing=missing if verdict is None else [],
        readings=list(READINGS),
    )


def _scores(scores: list[Score]) -> str:
    return ", ".join(f"{s.score} at {s.at:%Y-%m-%d %H:%M}" for s in scores)


def _criteria(  # noqa: PLR0913 - each is one figure of the definition
    *,
    base_mean: float,
    baseline: list[Score],
    on_mean: float | None,
    window: list[Score],
    before: OpioidUse | None,
    after: OpioidUse | None,
    judged: OutcomeAssessment | None,
) -> list[Criterion]:
    latest = window[-1] if window else None
    zero = None if latest is None else latest.score == 0
    halved_pain = None if on_mean is None else (base_mean > 0 and on_mean <= HALF * base_mean)
    where = (
        "no pain score in the 24 hours assessed"
        if on_mean is None
        else f"mean {on_mean:.3g} of {len(window)} score{'s' if len(window) > 1 else ''} on "
        f"ketamine ({_scores(window)})"
    )
    med_before = None if before is None else before.med_mg_per_24h
    med_after = None if after is None else after.med_mg_per_24h
    bt_before = None if before is None else before.breakthrough_doses_24h
    bt_after = None if after is None else after.breakthrough_doses_24h
    return [
        Criterion(
            id="vrs-zero",
            text="A verbal rating scale score of 0.",
            met=zero,
            computed_from=(
                "no pain score in the 24 hours assessed"
                if latest is None
                else f"latest score {latest.score} at {latest.at:%Y-%m-%d %H:%M}"
            ),
        ),
        Criterion(
            id="vrs-mean-halved",
            text="A 50 % or greater reduction in mean VRS.",
            met=halved_pain,
            computed_from=(f"mean {base_mean:.3g} before ketamine ({_scores(baseline)}); {where}"),
        ),
        Criterion(
            id="opioid-24h-halved",
            text="A 50 % or greater reduction in the 24-hour opioid dose.",
            met=_halved(med_before, med_after),
            computed_from=_pair("24-hour MED", " mg", before, after, med_before, med_after),
        ),
        Criterion(
            id="breakthrough-halved",
            text="A 50 % or greater reduction in the number of opioid breakthrough doses.",
            met=_halved(
                None if bt_before is None else float(bt_before),
                None if bt_after is None else float(bt_after),
            ),
            computed_from=_pair(
                "breakthrough doses in 24 h", "", before, after, bt_before, bt_after
            ),
        ),
        Criterion(
            id="function-better",
            text="Improvement in mobility or function.",
            met=None if judged is None else judged.function == "better",
            computed_from=(
                "no assessment of function on ketamine"
                if judged is None
                else f"function '{judged.function}' assessed by {judged.by} at "
                f"{judged.at:%Y-%m-%d %H:%M}"
            ),
        ),
    ]


def _pair(  # noqa: PLR0913, PLR0917 - a figure before and after, with their events
    what: str,
    unit: str,
    before: OpioidUse | None,
    after: OpioidUse | None,
    old: float | None,
    new: float | None,
) -> str:
    if before is None or old is None:
        return f"no {what} recorded at or before the first dose or rate"
    if after is None or new is None:
        return f"no {what} recorded in the 24 hours assessed"
    return (
        f"{what}: {old:g}{unit} at {before.at:%Y-%m-%d %H:%M} before ketamine, "
        f"{new:g}{unit} at {after.at:%Y-%m-%d %H:%M}"
    )


def _not_started(moment: datetime, pains: list[tuple[datetime, int]]) -> ResponseAssessment:
    return ResponseAssessment(
        verdict="undetermined",
        definition_source=DEFINITION_SOURCE,
        assessed_at=moment,
        ketamine_started_at=None,
        window_from=None,
        pain_criterion=None,
        surrogate_criterion=None,
        criteria=[],
        baseline_scores=[Score(at=t, score=s) for t, s in pains],
        window_scores=[],
        baseline_mean=None,
        window_mean=None,
        opioid_before=None,
        opioid_after=None,
        function=None,
        function_at=None,
        missing=["no ketamine was given: no dose or rate is recorded"],
        readings=list(READINGS),
    )
