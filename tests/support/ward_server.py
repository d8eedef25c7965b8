"""A ward for the browser tests: a migrated record with its users and passwords, and the real
application (the app factory with the pages) to serve on a loopback port.

Each ward has a physician, a pharmacist and two nurses (passwords ``<name> password``) and
helpers that put an episode in the state a test starts from, through the record's own use
cases: started by the physician, verified by the pharmacist, a rate set some hours ago.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from ketamine_cds.adapters.db.migrate import upgrade
from ketamine_cds.bootstrap import RecordContainer, build, record_container
from ketamine_cds.domain.episode import Baseline, Episode, PatientRef, ProtocolRef
from ketamine_cds.entrypoints.http.app import create_app, shipped_extras
from ketamine_cds.service.credentials import set_password
from ketamine_cds.service.record import record_event, start_episode, verify_order
from ketamine_cds.service.record_queries import show_episode
from ketamine_cds.service.record_support import EVENT_ADAPTER
from ketamine_cds.service.users import add_user

USERS = (
    ("ann", "admin"),
    ("phil", "physician"),
    ("paula", "pharmacist"),
    ("nina", "nurse"),
    ("nora", "nurse"),
)


def password(name: str) -> str:
    """A test user's password (a passphrase that does not hold the name)."""
    return f"correct horse battery staple {len(name)} {name[::-1]}!"


@dataclass
class Ward:
    """One test database, its record, and the app serving it."""

    kind: str
    record: RecordContainer
    app: Any

    def episode(
        self, patient: str, *, started_h: float = 3, rate: str | None = "7 mg/h", pain: int = 3
    ) -> int:
        """An episode on cancer-continuous for 70 kg (bag 1 mg/mL), verified, running ``rate``.

        Started ``started_h`` hours ago; the rate set ten minutes later; the pain scored
        ``pain``/10 half an hour after that.
        """
        deps = self.record.deps
        now = datetime.now(UTC)
        start = now - timedelta(hours=started_h)
        episode = Episode(
            patient=PatientRef(id=patient, weight="70 kg"),
            protocol=ProtocolRef(id="cancer-continuous"),
            started_at=start,
            baseline=Baseline(pain=8),
            pain_goal=4,
        )
        episode_id = start_episode(deps, "phil", episode, 1.0).header.id
        verify_order(deps, "paula", episode_id, "checked against the order set")
        if rate is not None:
            self.record_event(
                episode_id,
                {
                    "type": "rate_change",
                    "at": start + timedelta(minutes=10),
                    "rate": rate,
                    "by": "nina",
                },
            )
            self.record_event(
                episode_id,
                {"type": "observation", "at": start + timedelta(minutes=40), "pain": pain},
            )
        return episode_id

    def record_event(self, episode_id: int, fields: dict[str, Any], user: str = "nina") -> None:
        """Record one event as ``user``."""
        event = EVENT_ADAPTER.validate_python(fields)
        record_event(self.record.deps, user, episode_id, event, recommend_after=True)

    def events(self, episode_id: int) -> list[Any]:
        """The episode's stored events."""
        return list(show_episode(self.record.deps, "phil", episode_id).events)


def open_ward(kind: str, url: str, folder: Path) -> Ward:
    """A migrated record at ``url`` with the ward's users, and the app that serves it."""
    environ = {
        "KETAMINE_CDS_DATABASE_URL": url,
        "KETAMINE_CDS_DATA_DIR": str(folder / "data"),
        "KETAMINE_CDS_SECRET_KEY": "test secret key for the browser tests, not for a ward",
    }
    container = build(environ)
    record = record_container(container.settings)
    upgrade(record.engine)
    for name, role in USERS:
        add_user(record.deps, None if role == "admin" else "ann", name, role)  # type: ignore[arg-type]
        set_password(record.access, "ann", name, password(name))
    app = create_app(container, record, container.settings, extras=shipped_extras())
    return Ward(kind, record, app)
