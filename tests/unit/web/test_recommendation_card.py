"""The recommendation card: action, rate in mg/h and mL/h, reasons and alerts, rule and source."""

from __future__ import annotations

from datetime import timedelta

import pytest
from web_rows import START, episode, stored

from ketamine_cds.domain.bedside import recommend
from ketamine_cds.entrypoints.web.presenters.recommendation import (
    ALERT_WORDS,
    recommendation_card,
)


@pytest.fixture
def engine(protocols):
    protocol = protocols.get("cancer-continuous").protocol
    limits = protocols.limits().table

    def answer(*events, minutes: float):
        return recommend(episode(*events), protocol, limits, START + timedelta(minutes=minutes))

    return answer


def test_a_start_shows_seed_001s_rate_for_70_kg_in_mg_and_ml(engine):
    """Seed 001: start at 0.1 mg/kg/h, 7 mg/h for 70 kg, 7.0 mL/h from a 1 mg/mL bag."""
    answer = engine(minutes=0)
    card = recommendation_card(
        answer, stored_id=3, made_at=START, now=START, concentration_mg_per_ml=1.0
    )
    assert card.action == "start"
    assert card.action_words == "Start the infusion"
    assert card.rate is not None
    assert (card.rate.mg_text, card.rate.ml_text) == ("7 mg/h", "7.0 mL/h")
    assert card.sets_rate
    assert card.protocol == "cancer-continuous v1.0.0"
    assert card.check is not None
    assert card.check.label == "within protocol"
    assert card.check.limit == "soft limit 14 mg/h"


def test_every_reason_keeps_its_rule_and_a_numbered_source(engine):
    """Reasons carry the rule id; the source is cited by number and listed once in full."""
    card = recommendation_card(
        engine(minutes=0), stored_id=1, made_at=START, now=START, concentration_mg_per_ml=1.0
    )
    assert card.reasons
    for reason in card.reasons:
        assert reason.rule
        assert reason.source.startswith("[1] ")
        assert "seed 001" in reason.full_source
    assert [r.number for r in card.references] == [1]
    assert "[seed 001]" in card.references[0].text


def test_alerts_say_their_kind_in_words(engine):
    """Pain above goal asks to notify the team; the alert is labelled, not only coloured."""
    events = (
        stored(1, 0, type="rate_change", rate="7 mg/h", by="nina"),
        stored(2, 30, type="observation", pain=7),
    )
    card = recommendation_card(
        engine(*events, minutes=31),
        stored_id=2,
        made_at=START,
        now=START + timedelta(minutes=31),
        concentration_mg_per_ml=1.0,
    )
    kinds = {a.kind: a for a in card.alerts}
    assert "notify" in kinds
    assert kinds["notify"].label == ALERT_WORDS["notify"] == "Notify"
    assert kinds["notify"].level == "warning"
    assert kinds["notify"].rule


def test_a_rate_running_above_the_hard_limit_is_drawn_as_danger(engine):
    """80 mg/h for 70 kg is above the 1 mg/kg/h hard limit: stop, a hard-limit alert, danger."""
    events = (stored(1, 0, type="rate_change", rate="80 mg/h", by="nina"),)
    card = recommendation_card(
        engine(*events, minutes=5),
        stored_id=2,
        made_at=START,
        now=START + timedelta(minutes=5),
        concentration_mg_per_ml=1.0,
    )
    assert card.action_words == "Stop the infusion"
    hard = [a for a in card.alerts if a.kind == "hard_limit"]
    assert hard
    assert hard[0].label == "Hard limit"
    assert hard[0].level == "danger"
    assert card.level == "danger"
    assert not card.sets_rate


def test_an_assessment_due_in_the_past_is_overdue(engine):
    """The next assessment is compared with the time the page is drawn."""
    events = (
        stored(1, 0, type="rate_change", rate="7 mg/h", by="nina"),
        stored(2, 30, type="observation", pain=7),
    )
    answer = engine(*events, minutes=31)
    assert answer.next_assessment_at is not None
    later = answer.next_assessment_at + timedelta(minutes=5)
    card = recommendation_card(
        answer, stored_id=2, made_at=START, now=later, concentration_mg_per_ml=1.0
    )
    assert card.overdue
    assert "ago" in (card.next_assessment or "")
    on_time = recommendation_card(
        answer, stored_id=2, made_at=START, now=START, concentration_mg_per_ml=1.0
    )
    assert not on_time.overdue
