"""The ward board: every active infusion on one screen, the way a charge nurse scans it.

Per episode: the patient (demonstration data marked as such), protocol and version, the rate
running now in mg/h and mL/h for its bag, the last pain score and how old it is, the next
assessment due (an overdue one says "overdue" and is drawn in red), and the open alerts of the
latest recommendation, with its age (the board stores none of its own). The rate running is the
engine's own replay of the events (corrections applied), the same reading the chart draws.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, tzinfo

from ketamine_cds.adapters.render.timeline import build_timeline
from ketamine_cds.entrypoints.web.presenters.formatting import (
    WARD_ZONE,
    RateFigure,
    ago,
    clock,
    iso,
    rate_figure,
)
from ketamine_cds.entrypoints.web.presenters.patients import PatientLabel, patient_label
from ketamine_cds.entrypoints.web.presenters.recommendation import (
    ALERT_WORDS,
    DANGER,
    stored_recommendation,
)
from ketamine_cds.service.record_queries import WardEpisode


@dataclass(frozen=True)
class BoardAlert:
    """An open alert, by its kind in words."""

    kind: str
    label: str
    text: str
    danger: bool


@dataclass(frozen=True)
class BoardRow:
    """One active infusion."""

    episode_id: int
    patient: PatientLabel
    protocol: str
    weight: str
    state: str
    rate: RateFigure | None
    pain: str | None
    pain_age: str | None
    pain_iso: str | None
    pain_goal: int
    above_goal: bool
    next_due: str | None
    next_due_iso: str | None
    overdue: bool
    alerts: tuple[BoardAlert, ...]
    alerts_as_of: str | None
    verified: bool


@dataclass(frozen=True)
class BoardView:
    """The board: its rows, when it was drawn, and counts for the heading."""

    rows: tuple[BoardRow, ...]
    drawn_at: str
    drawn_iso: str
    overdue: int
    with_alerts: int
    zone: str


def first_sentence(text: str) -> str:
    """The alert's first sentence: the board is scanned; the episode page has the rest."""
    head, dot, rest = text.partition(". ")
    return f"{head}." if dot and rest else text


def _state(ward: WardEpisode, rate: float | None) -> str:
    if not ward.summary.order_verified:
        return "awaiting pharmacist verification"
    if rate is None:
        return "verified, not started"
    return "paused" if rate == 0 else "running"


def board_row(ward: WardEpisode, now: datetime, tz: tzinfo = WARD_ZONE) -> BoardRow:
    """One episode's line on the board."""
    header = ward.summary.header
    timeline = build_timeline(ward.episode, until=now)
    running = timeline.rate[-1].mg_per_h if timeline.rate else None
    last_pain = timeline.pain[-1] if timeline.pain else None
    latest = ward.summary.latest
    recommendation = None if latest is None else stored_recommendation(latest)
    due = None if recommendation is None else recommendation.next_assessment_at
    alerts = () if recommendation is None else recommendation.alerts
    return BoardRow(
        episode_id=header.id,
        patient=patient_label(header.patient),
        protocol=f"{header.protocol_id} v{header.protocol_version}",
        weight=timeline.weight,
        state=_state(ward, running),
        rate=None if running is None else rate_figure(running, header.concentration_mg_per_ml),
        pain=None if last_pain is None else f"{last_pain.score}/10",
        pain_age=None if last_pain is None else ago(last_pain.at, now),
        pain_iso=None if last_pain is None else iso(last_pain.at),
        pain_goal=header.pain_goal,
        above_goal=last_pain is not None and last_pain.score > header.pain_goal,
        next_due=None if due is None else f"{clock(due, tz)} ({ago(due, now)})",
        next_due_iso=None if due is None else iso(due),
        overdue=due is not None and due < now,
        alerts=tuple(
            BoardAlert(
                a.kind, ALERT_WORDS.get(a.kind, a.kind), first_sentence(a.text), a.kind in DANGER
            )
            for a in alerts
        ),
        alerts_as_of=None if latest is None else ago(latest.made_at, now),
        verified=ward.summary.order_verified,
    )


def ward_board(episodes: Sequence[WardEpisode], now: datetime, tz: tzinfo = WARD_ZONE) -> BoardView:
    """The board of the active episodes, the most urgent first (overdue, then alerts)."""
    rows = [board_row(ward, now, tz) for ward in episodes]
    rows.sort(key=lambda r: (not r.overdue, not any(a.danger for a in r.alerts), not r.alerts))
    return BoardView(
        rows=tuple(rows),
        drawn_at=clock(now, tz),
        drawn_iso=iso(now),
        overdue=sum(r.overdue for r in rows),
        with_alerts=sum(bool(r.alerts) for r in rows),
        zone=str(tz),
    )
