"""The ward board: the rate running in mg/h and mL/h, last pain and its age, overdue first."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from web_rows import START, answer_at, episode, header, stored, stored_answer

from ketamine_cds.entrypoints.web.presenters.ward_board import ward_board
from ketamine_cds.service.record_queries import EpisodeSummary, WardEpisode


def _line(  # noqa: PLR0913 - the episode and how it is set up
    protocols, events, *, patient="TEST-1", episode_id=1, concentration=1.0, at_minutes=None
):
    made = None
    if at_minutes is not None:
        answer = answer_at(protocols, events, at_minutes, patient)
        made = stored_answer(answer, episode_id * 10, episode_version=len(events))
    head = header(patient=patient, concentration=concentration, episode_id=episode_id)
    summary = EpisodeSummary(head, len(events), bool(events), made)
    return WardEpisode(summary, episode(*events, patient=patient))


def test_a_running_infusion_shows_its_rate_pain_and_next_assessment(protocols):
    """9 mg/h from a 1 mg/mL bag is 9.0 mL/h; pain 6/10 is above the goal of 4, 30 min old."""
    events = (
        stored(1, 0, type="rate_change", rate="7 mg/h", by="nina"),
        stored(2, 60, type="rate_change", rate="9 mg/h", by="nina"),
        stored(3, 90, type="observation", pain=6),
    )
    now = START + timedelta(minutes=120)
    board = ward_board([_line(protocols, events, at_minutes=90)], now)
    (row,) = board.rows
    assert row.state == "running"
    assert row.rate is not None
    assert (row.rate.mg_text, row.rate.ml_text) == ("9 mg/h", "9.0 mL/h")
    assert row.pain == "6/10"
    assert row.pain_age == "30 min ago"
    assert row.above_goal
    assert row.next_due is not None
    assert any(a.kind == "notify" for a in row.alerts)


def test_an_overdue_assessment_is_flagged_and_listed_first(protocols):
    """The episode whose next assessment has passed comes first and says overdue."""
    calm = (
        stored(1, 0, type="rate_change", rate="7 mg/h", by="nina"),
        stored(2, 30, type="observation", pain=3),
    )
    late = (
        stored(1, 0, type="rate_change", rate="7 mg/h", by="nina"),
        stored(2, 30, type="observation", pain=8),
    )
    lines = [
        _line(protocols, calm, patient="CALM", episode_id=1, at_minutes=31),
        _line(protocols, late, patient="LATE", episode_id=2, at_minutes=31),
    ]
    due = min(r.next_due_iso for r in ward_board(lines, START).rows if r.next_due_iso is not None)
    assert due
    board = ward_board(lines, START + timedelta(hours=6))
    assert board.rows[0].patient.identifier == "LATE"
    assert board.rows[0].overdue
    assert board.overdue >= 1


def test_a_paused_infusion_runs_0_mg_per_h(protocols):
    """After a pause the rate running is 0 mg/h and the state says paused."""
    events = (
        stored(1, 0, type="rate_change", rate="7 mg/h", by="nina"),
        stored(2, 20, type="pause", by="nina", reason="vivid dreams"),
    )
    (row,) = ward_board([_line(protocols, events)], START + timedelta(minutes=30)).rows
    assert row.state == "paused"
    assert row.rate is not None
    assert row.rate.mg_text == "0 mg/h"


def test_an_unverified_order_and_demonstration_data_say_so(protocols):
    """No event yet: awaiting the pharmacist; a DEMO- patient is marked as demonstration data."""
    line = _line(protocols, (), patient="DEMO-seed-001")
    line = replace(line, summary=replace(line.summary, order_verified=False))
    (row,) = ward_board([line], START).rows
    assert row.state == "awaiting pharmacist verification"
    assert row.patient.demonstration
    assert row.rate is None
    assert row.pain is None


def test_without_a_bag_the_board_shows_mg_per_h_only(protocols):
    """An episode without its bag's concentration shows no mL/h."""
    events = (stored(1, 0, type="rate_change", rate="7 mg/h", by="nina"),)
    (row,) = ward_board([_line(protocols, events, concentration=None)], START).rows
    assert row.rate is not None
    assert row.rate.ml_text is None
