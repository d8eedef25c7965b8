"""The timeline in words and as a table: the chart's description and its data-table fallback.

A screen reader reads the description; the table holds every value the chart draws, with its
unit, for anyone who cannot read the picture (or wants the exact figure).
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo
from functools import partial

import numpy as np

from ketamine_cds.adapters.render.timeline import MARKER_WORDS, Marker, RateStep, Timeline
from ketamine_cds.domain.protocols.figures import exact, num


def rate_text(mg_per_h: float) -> str:
    """A rate exactly, as the plan shows doses (unit arithmetic's float noise removed)."""
    return f"{num(exact(mg_per_h))} mg/h"


def moment_text(moment: datetime, tz: tzinfo | None = None) -> str:
    """A time for a ward reader: day, month and clock time (``2 Jun 15:00``)."""
    local = moment.astimezone(tz) if tz is not None else moment
    return f"{local.day} {local:%b %H:%M}"


@dataclass(frozen=True)
class TableRow:
    """One moment of the timeline: the values in force then, and what happened."""

    at: datetime
    time: str
    rate_mg_per_h: str
    pain: str
    med_mg_per_day: str
    plasma_ng_per_ml: str
    events: str


def _in_force(steps: tuple[RateStep, ...], moment: datetime) -> float | None:
    times = [step.at for step in steps]
    index = bisect_right(times, moment) - 1
    return None if index < 0 else steps[index].mg_per_h


def table_rows(timeline: Timeline, tz: tzinfo | None = None) -> list[TableRow]:
    """A row for every moment something was set, scored or marked, oldest first."""
    moments = sorted(
        {s.at for s in timeline.rate}
        | {p.at for p in timeline.pain}
        | {m.at for m in timeline.med}
        | {m.at for m in timeline.markers}
    )
    pains = {p.at: p.score for p in timeline.pain}
    meds = {m.at: m.mg_per_day for m in timeline.med}
    med_times = [m.at for m in timeline.med]
    rows = []
    for moment in moments:
        rate = _in_force(timeline.rate, moment)
        med_index = bisect_right(med_times, moment) - 1
        med = meds.get(moment, timeline.med[med_index].mg_per_day if med_index >= 0 else None)
        rows.append(
            TableRow(
                at=moment,
                time=moment_text(moment, tz),
                rate_mg_per_h="" if rate is None else rate_text(rate),
                pain="" if moment not in pains else f"{pains[moment]}/10",
                med_mg_per_day="" if med is None else f"{num(exact(med))} mg/day",
                plasma_ng_per_ml=_plasma_at(timeline, moment),
                events="; ".join(m.text for m in timeline.markers if m.at == moment),
            )
        )
    return rows


def _plasma_at(timeline: Timeline, moment: datetime) -> str:
    plasma = timeline.plasma
    if plasma is None or not len(plasma.hours):
        return ""
    hours = timeline.hours(moment)
    if not plasma.hours[0] <= hours <= plasma.hours[-1]:
        return ""
    level = float(np.interp(hours, plasma.hours, plasma.ng_per_ml))
    return f"{level:.3g} ng/mL"


def describe(timeline: Timeline, tz: tzinfo | None = None) -> str:
    """The chart in sentences: the rate steps, the pain scores, MED, plasma level, events."""
    when = partial(moment_text, tz=tz)
    parts = [
        (
            f"Ketamine infusion under {timeline.protocol} for {timeline.weight}, from "
            f"{when(timeline.started_at)} to {when(timeline.ends_at)}."
        )
    ]
    if timeline.rate:
        steps = "; ".join(f"{rate_text(s.mg_per_h)} from {when(s.at)}" for s in timeline.rate)
        parts.append(f"Rate: {steps}.")
    else:
        parts.append("No rate was set.")
    if timeline.ceiling_mg_per_h is not None:
        parts.append(f"Soft ceiling {rate_text(timeline.ceiling_mg_per_h)}.")
    parts.append(_pain_sentence(timeline, when))
    if timeline.med:
        values = "; ".join(
            f"{num(exact(m.mg_per_day))} mg/day at {when(m.at)}" for m in timeline.med
        )
        parts.append(f"Opioid, oral morphine equivalent: {values}.")
    plasma = timeline.plasma
    if plasma is not None and len(plasma.ng_per_ml):
        peak = int(np.argmax(plasma.ng_per_ml))
        at = timeline.started_at + timedelta(hours=float(plasma.hours[peak]))
        parts.append(
            f"Predicted plasma ketamine ({plasma.label}; a prediction, not a measurement): "
            f"peak {float(plasma.ng_per_ml[peak]):.3g} ng/mL at {when(at)}."
        )
    if timeline.markers:
        parts.append("Events: " + "; ".join(_marker_text(m, when) for m in timeline.markers) + ".")
    return " ".join(parts)


def _pain_sentence(timeline: Timeline, when: Callable[[datetime], str]) -> str:
    scores = [p.score for p in timeline.pain]
    goal = f"goal {timeline.pain_goal}/10, baseline {timeline.baseline_pain}/10"
    if not scores:
        return f"No pain score recorded ({goal})."
    latest = timeline.pain[-1]
    return (
        f"Pain: {len(scores)} score{'s' if len(scores) != 1 else ''} from {min(scores)} to "
        f"{max(scores)} out of 10 ({goal}); latest {latest.score}/10 at {when(latest.at)}."
    )


def _marker_text(marker: Marker, when: Callable[[datetime], str]) -> str:
    return f"{MARKER_WORDS[marker.kind]} at {when(marker.at)} ({marker.text})"
