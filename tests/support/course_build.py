"""Worked episodes for the course-of-care tests: seed 002's timeline, and a record to hold them.

Hours are counted from the afternoon of postoperative day 1 (POD 1), when seed 002's infusion
began; POD n begins 24 (n - 1) hours later.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from bedside_build import build, ev
from library import shipped
from record_db import RecordDb, sqlite_record

from ketamine_cds.adapters.data_files import limit_table
from ketamine_cds.domain.episode import Episode
from ketamine_cds.domain.protocols.limits import LimitTable
from ketamine_cds.domain.protocols.schema import Protocol
from ketamine_cds.service.record import import_episode

SEED_002_PROTOCOL = "ultra-low-memantine"


def pod(day: int, hours: float = 0.0) -> float:
    """Hours from the start of the infusion to ``hours`` into postoperative day ``day``."""
    return 24.0 * (day - 1) + hours


def memantine(at_h: float, action: str, dose: str | None = None) -> dict[str, Any]:
    """Memantine by mouth twice daily, started or changed (or stopped, without a dose)."""
    if dose is None:
        return ev("companion_drug", at_h, drug="memantine", action=action, by="attending")
    return ev(
        "companion_drug",
        at_h,
        drug="memantine",
        action=action,
        dose=dose,
        doses_per_day=2,
        route="oral",
        by="attending",
    )


# Seed 002, "Case Description" and Figure 2, as events.
SEED_002_BEFORE_TAPER = [
    ev("opioid_use", 0, med_mg_per_24h=1500, breakthrough_doses_24h=24),
    ev("rate_change", 0, rate="55 µg/kg/h", by="APS"),
    ev("observation", 5, pain=2),  # "After 5 h ... tolerable at 2 of 10"
    ev("observation", pod(4), pain=2),  # "pain intensity remained at 1-3 of 10"
]
SEED_002_HALVING = [
    ev("rate_change", pod(5), rate="27.5 µg/kg/h", by="attending"),
    memantine(pod(5), "started", "5 mg"),  # "Oral memantine was started at 5 mg bid on POD 5"
    ev("observation", pod(5, 2), pain=3),
    ev("rate_change", pod(6), rate="13.8 µg/kg/h", by="attending"),
    ev("observation", pod(6, 20), pain=7),  # "an increase in pain intensity"
]
SEED_002_RESCUE = [
    ev("rate_change", pod(7), rate="55 µg/kg/h", by="attending"),
    memantine(pod(7), "changed", "10 mg"),  # "the memantine dose was doubled to 10 mg bid"
    ev("observation", pod(7, 6), pain=2),
]
SEED_002_SLOW_TAPER = [
    ev("rate_change", pod(8), rate="36.8 µg/kg/h", by="attending"),  # POD 8
    ev("observation", pod(8, 2), pain=2),
    ev("observation", pod(10), pain=2),
    ev("stop", pod(11), by="attending"),  # "discontinuation finally on POD 11"
    ev("observation", pod(11, 4), pain=2),
]
SEED_002 = [*SEED_002_BEFORE_TAPER, *SEED_002_HALVING, *SEED_002_RESCUE, *SEED_002_SLOW_TAPER]


def seed_002(events: list[dict[str, Any]] | None = None) -> Episode:
    """Seed 002's patient (about 91 kg: 55 µg/kg/h is 5 mg/h) on ultra-low-memantine."""
    return build(
        SEED_002 if events is None else events,
        protocol=SEED_002_PROTOCOL,
        weight="91 kg",
        goal=3,
        baseline={"pain": 9},
    )


def limits() -> LimitTable:
    """The product's limit table."""
    return limit_table()


def protocol(protocol_id: str) -> Protocol:
    """A shipped protocol."""
    return shipped(protocol_id)


def record_with(folder: Path, *episodes: Episode) -> RecordDb:
    """A SQLite record with the ward's users and ``episodes`` imported by the physician."""
    record = sqlite_record(folder)
    record.add_ward()
    for episode in episodes:
        import_episode(record.deps, "phil", episode, 1.0)
    return record
