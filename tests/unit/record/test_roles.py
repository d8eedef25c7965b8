"""Who may do what: the table of roles, and the one-sentence refusal naming the role needed."""

from __future__ import annotations

import pytest

from ketamine_cds.domain.roles import (
    ALLOWED,
    ROLES,
    NotPermittedError,
    event_action,
    may,
    refusal,
    require,
)

# What the sources and hospital practice say (docs/adr/0052): the expected table, written out.
EXPECTED = {
    "episode.start": {"physician"},
    "episode.import": {"physician"},
    "episode.read": {"nurse", "pharmacist", "physician"},
    "episode.verify": {"pharmacist"},
    "episode.recommend": {"nurse", "pharmacist", "physician"},
    "event.observation": {"nurse", "physician"},
    "event.rate_change": {"nurse", "physician"},
    "event.pause": {"nurse", "physician"},
    "event.resume": {"nurse", "physician"},
    "event.stop": {"nurse", "physician"},
    "event.dose_given": {"physician"},
    "event.prn_given": {"nurse", "physician"},
    "event.opioid_use": {"nurse", "pharmacist", "physician"},
    "event.physician_override": {"physician"},
    "event.physician_decision": {"physician"},
    "event.phase_change": {"nurse", "physician"},
    "event.entered_in_error": {"nurse", "pharmacist", "physician"},
    "user.add": {"admin"},
    "user.list": {"admin"},
    "audit.verify": {"nurse", "pharmacist", "physician", "admin"},
}


def test_the_table_is_the_expected_one() -> None:
    """Every action has exactly the roles the decision record gives it."""
    assert {action: set(roles) for action, roles in ALLOWED.items()} == EXPECTED


@pytest.mark.parametrize(("action", "role"), [(a, r) for a in EXPECTED for r in ROLES])
def test_may_follows_the_table(action: str, role: str) -> None:
    """``may`` answers yes exactly for the roles listed."""
    assert may(role, action) is (role in EXPECTED[action])  # type: ignore[arg-type]


def test_an_admin_does_nothing_clinical() -> None:
    """No clinical action admits the admin role."""
    clinical = [a for a in EXPECTED if a.startswith(("episode.", "event."))]
    assert not any(may("admin", a) for a in clinical)  # type: ignore[arg-type]


def test_a_refusal_is_one_sentence_naming_the_role() -> None:
    """The refusal says what was asked, the role needed and the actor's own role."""
    assert refusal("episode.start", "nina", "nurse") == (
        "Starting an episode needs the physician role; nina is a nurse"
    )
    assert refusal("event.observation", "paula", "pharmacist") == (
        "Recording an observation needs the physician or nurse role; paula is a pharmacist"
    )
    with pytest.raises(
        NotPermittedError, match="Adding a user needs the admin role; phil is a physician"
    ):
        require("physician", "user.add", "phil")


def test_event_types_map_to_their_actions() -> None:
    """Each event type of the episode format has its action; an unknown type is refused."""
    assert event_action("dose_given") == "event.dose_given"
    with pytest.raises(ValueError, match="not an event type"):
        event_action("teleport")
