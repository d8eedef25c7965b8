"""Role tests for every use case of the record: allowed roles succeed, every other role is
refused with the one sentence naming the role needed, and the refusal is kept in the audit trail."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from fakes import FakeRecord
from record_builders import WARD, event, plan, started, ward

from ketamine_cds.domain.episode import Episode
from ketamine_cds.domain.roles import NotPermittedError
from ketamine_cds.service.audit_trail import verify_audit
from ketamine_cds.service.record import (
    import_episode,
    recommend_now,
    record_event,
    start_episode,
    verify_order,
)
from ketamine_cds.service.record_queries import (
    export_episode,
    list_episodes,
    replay_stored,
    show_episode,
)
from ketamine_cds.service.users import add_user, list_users

EVENTS: dict[str, dict[str, Any]] = {
    "observation": {"pain": 5},
    "rate_change": {"rate": "7 mg/h", "by": "the pump"},
    "pause": {"by": "bedside"},
    "resume": {"by": "bedside"},
    "stop": {"by": "bedside", "reason": "stop criterion"},
    "dose_given": {"dose": "5 mg", "by": "bedside"},
    "prn_given": {"drug": "lorazepam", "dose": "1 mg", "by": "bedside"},
    "opioid_use": {"med_mg_per_24h": 60},
    "physician_override": {"physician": "phil", "reason": "pain crisis, reviewed"},
    "physician_decision": {"physician": "phil", "decision": "continue as is"},
    "phase_change": {"to_phase": "infusion", "by": "bedside"},
}


def _importable(fake: FakeRecord) -> Episode:
    base = plan(fake)
    at = base.started_at.isoformat()
    data = base.model_dump(mode="json", exclude_none=True)
    data["events"] = [{"type": "rate_change", "at": at, "rate": "7 mg/h", "by": "nurse"}]
    return Episode.model_validate(data)


Case = tuple[str, str, Callable[[FakeRecord, str, int], object]]
CASES: list[Case] = [
    (
        "starting an episode",
        "physician",
        lambda f, who, _ep: start_episode(f.deps, who, plan(f), 1.0),
    ),
    (
        "importing an episode",
        "physician",
        lambda f, who, _ep: import_episode(f.deps, who, _importable(f), None),
    ),
    (
        "verifying an episode's order",
        "pharmacist",
        lambda f, who, ep: verify_order(f.deps, who, ep),
    ),
    (
        "asking for a recommendation",
        "physician, pharmacist or nurse",
        lambda f, who, ep: recommend_now(f.deps, who, ep),
    ),
    (
        "reading an episode",
        "physician, pharmacist or nurse",
        lambda f, who, ep: show_episode(f.deps, who, ep),
    ),
    (
        "reading an episode",
        "physician, pharmacist or nurse",
        lambda f, who, _ep: list_episodes(f.deps, who),
    ),
    (
        "reading an episode",
        "physician, pharmacist or nurse",
        lambda f, who, ep: export_episode(f.deps, who, ep),
    ),
    (
        "reading an episode",
        "physician, pharmacist or nurse",
        lambda f, who, ep: replay_stored(f.deps, who, ep),
    ),
    ("adding a user", "admin", lambda f, who, _ep: add_user(f.deps, who, f"new-{who}", "nurse")),
    ("listing users", "admin", lambda f, who, _ep: list_users(f.deps, who)),
    (
        "verifying the audit trail",
        "physician, pharmacist, nurse or admin",
        lambda f, who, _ep: verify_audit(f.deps, who),
    ),
]
WHAT = {
    "observation": ("recording an observation", "physician or nurse"),
    "rate_change": ("recording a rate change", "physician or nurse"),
    "pause": ("recording a pause", "physician or nurse"),
    "resume": ("recording a restart", "physician or nurse"),
    "stop": ("recording a stop", "physician or nurse"),
    "dose_given": ("recording a bolus or dose", "physician"),
    "prn_given": ("recording an as-needed adjunct", "physician or nurse"),
    "opioid_use": ("recording opioid use", "physician, pharmacist or nurse"),
    "physician_override": ("overriding a soft limit", "physician"),
    "physician_decision": ("recording a physician's decision", "physician"),
    "phase_change": ("recording a phase change", "physician or nurse"),
}
for kind, fields in EVENTS.items():
    CASES.append(
        (
            *WHAT[kind],
            lambda f, who, ep, kind=kind, fields=fields: record_event(
                f.deps, who, ep, event(f, kind, **fields)
            ),
        ),
    )

_ALLOWED_NAMES = {"physician": "phil", "pharmacist": "paula", "nurse": "nina", "admin": "ann"}


@pytest.mark.parametrize(
    ("what", "roles", "call"), CASES, ids=lambda v: v if isinstance(v, str) else ""
)
@pytest.mark.parametrize("who", list(WARD))
def test_every_use_case_allows_its_roles_and_refuses_the_others(
    what: str, roles: str, call: Callable[[FakeRecord, str, int], object], who: str
) -> None:
    """A role named in the table succeeds; any other is refused in one sentence, audited."""
    fake = ward()
    episode_id = started(fake)
    allowed = {r for r in _ALLOWED_NAMES if r in roles.replace(",", " ").split()}
    role = WARD[who]
    if role in allowed:
        call(fake, who, episode_id)
        assert verify_audit(fake.deps, "nina").intact
        return
    entries_before = len(fake.store.audit)
    with pytest.raises(NotPermittedError) as refused:
        call(fake, who, episode_id)
    article = "an" if role == "admin" else "a"
    assert str(refused.value) == (
        f"{what[:1].upper()}{what[1:]} needs the {roles} role; {who} is {article} {role}"
    )
    kept = fake.store.audit[entries_before:]
    assert [e.action.split(".")[0] for e in kept] == ["refused"]
    assert kept[0].actor == who
    assert verify_audit(fake.deps, "nina").intact


def test_an_unknown_user_is_told_how_to_be_added() -> None:
    """A name the record does not know gets one sentence saying an admin adds users."""
    fake = ward()
    with pytest.raises(ValueError, match="there is no user 'zoe' in the record; an admin adds"):
        list_episodes(fake.deps, "zoe")


def test_the_first_user_must_be_an_admin() -> None:
    """An empty record takes an admin as its first user, and nothing else."""
    fake = FakeRecord()
    with pytest.raises(ValueError, match="the first user must be an admin"):
        add_user(fake.deps, None, "nina", "nurse")
    assert add_user(fake.deps, None, "ann", "admin").role == "admin"
