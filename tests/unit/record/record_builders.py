"""Builds a fake record with a ward's users and an episode, for the use-case tests."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from fakes import FakeRecord

from ketamine_cds.adapters.episode_files import parse_episode_data
from ketamine_cds.domain.episode import AnyEvent, Episode
from ketamine_cds.service.record import start_episode, verify_order
from ketamine_cds.service.record_support import EVENT_ADAPTER
from ketamine_cds.service.users import add_user

WARD = {"ann": "admin", "phil": "physician", "paula": "pharmacist", "nina": "nurse"}


def ward() -> FakeRecord:
    """A fake record holding the ward's four users."""
    fake = FakeRecord()
    add_user(fake.deps, None, "ann", "admin")
    for name, role in WARD.items():
        if name != "ann":
            add_user(fake.deps, "ann", name, role)  # type: ignore[arg-type]
    return fake


def plan(fake: FakeRecord, **extra: Any) -> Episode:
    """A new episode's plan: 70 kg on cancer-continuous, starting now."""
    data = {
        "patient": {"id": "p-1", "weight": "70 kg"},
        "protocol": {"id": "cancer-continuous"},
        "started_at": fake.clock.now().isoformat(),
        "baseline": {"pain": 8},
        "pain_goal": 4,
        **extra,
    }
    return parse_episode_data(data, "the plan")


def started(fake: FakeRecord, *, verified: bool = True) -> int:
    """An episode started by the physician (and verified by the pharmacist); its id."""
    header = start_episode(fake.deps, "phil", plan(fake), 1.0).header
    if verified:
        verify_order(fake.deps, "paula", header.id)
    return header.id


def event(fake: FakeRecord, kind: str, after_min: float = 1, **fields: Any) -> AnyEvent:
    """One event ``after_min`` minutes from the clock's time now (and the clock moved there)."""
    at = fake.clock.advance(minutes=after_min) - timedelta(seconds=1)
    return EVENT_ADAPTER.validate_python({"type": kind, "at": at.isoformat(), **fields})
