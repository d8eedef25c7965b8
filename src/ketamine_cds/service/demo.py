"""The demonstration ward: users with published passwords, and the seed cases as patients.

Demonstration data is marked in every patient identifier (``DEMO-``), and every page and API
answer about such a patient says so (``demonstration_data``). The seed cases' episodes are moved
in time so that they look current on today's clock: every time of an episode moves by the same
amount, so intervals, rates and the engine's answers are those of the case; a case shown as still
running keeps only its events up to the moment chosen as "now"
(docs/adr/0094-demonstration-ward.md).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from ketamine_cds.domain.episode import Baseline, Episode, PatientRef, ProtocolRef
from ketamine_cds.domain.errors import UserInputError
from ketamine_cds.domain.roles import Role
from ketamine_cds.service.access_ports import AccessDeps
from ketamine_cds.service.credentials import set_password
from ketamine_cds.service.record import import_episode, start_episode
from ketamine_cds.service.record_support import RecordDeps
from ketamine_cds.service.users import add_user

DEMO_PREFIX = "DEMO-"
DEMO_NOTICE = "Demonstration data: not a real patient."

# Published on purpose: the demonstration ward is for trying the product, never for patients.
DEMO_USERS: tuple[tuple[str, Role, str], ...] = (
    ("demo-admin", "admin", "demonstration admin"),
    ("demo-physician", "physician", "demonstration physician"),
    ("demo-pharmacist", "pharmacist", "demonstration pharmacist"),
    ("demo-nurse", "nurse", "demonstration nurse"),
)
DEMO_PHYSICIAN = "demo-physician"

# The example episodes the ward shows: (file stem, events that have happened by now (None: all),
# how long ago the last of them happened). Seed 001's two cases and seed 002's are shown running:
# case 1 at 19 mg/h on day 3, case 2 at 15 mg/h above its 14 mg/h ceiling (the soft-limit alert
# the case report's course raises), seed 002 after ketamine was resumed on POD 7.
WARD: tuple[tuple[str, int | None, timedelta], ...] = (
    ("seed-001-case-1", 4, timedelta(minutes=40)),
    ("seed-001-case-2", 5, timedelta(minutes=70)),
    ("seed-002", 9, timedelta(hours=2)),
    ("cancer-continuous", None, timedelta(hours=4, minutes=30)),  # its next look is overdue
    ("noncancer-subcutaneous", 4, timedelta(minutes=30)),
    ("marshfield-inpatient", None, timedelta(hours=26)),
)


@dataclass(frozen=True)
class DemoCase:
    """One example episode as the ward shows it.

    ``keep``: how many of its events have happened by "now" (None: all of them);
    ``last_ago``: how long before now the last kept event (or the start) happened.
    """

    name: str
    episode: Episode
    keep: int | None
    last_ago: timedelta
    concentration_mg_per_ml: float | None = 1.0


@dataclass(frozen=True)
class DemoWard:
    """What was loaded: the users (name, role, password) and the episodes (patient, id)."""

    users: tuple[tuple[str, Role, str], ...]
    episodes: tuple[tuple[str, int], ...]


def is_demonstration(patient: str) -> bool:
    """Whether a patient identifier is the demonstration ward's (not a real patient)."""
    return patient.startswith(DEMO_PREFIX)


def retimed(case: DemoCase, now: datetime) -> Episode:
    """The case's episode, cut at "now" and moved so its last kept event was ``last_ago`` ago."""
    episode = case.episode
    events = episode.events if case.keep is None else episode.events[: case.keep]
    last = events[-1].at if events else episode.started_at
    target = (now - case.last_ago).replace(second=0, microsecond=0)
    shift = target - last

    def moved(moment: datetime | None) -> datetime | None:
        return None if moment is None else moment + shift

    patient = episode.patient.id or case.name
    return episode.model_copy(
        update={
            "patient": episode.patient.model_copy(update={"id": f"{DEMO_PREFIX}{patient}"}),
            "started_at": episode.started_at + shift,
            "events": [
                event.model_copy(
                    update={"at": event.at + shift, "recorded_at": moved(event.recorded_at)}
                )
                for event in events
            ],
        }
    )


def ward_cases(read: Callable[[str], Episode]) -> list[DemoCase]:
    """The ward's cases, each episode read by ``read`` from its example file's stem."""
    return [DemoCase(name, read(name), keep, ago) for name, keep, ago in WARD]


def new_order() -> Episode:
    """An infusion just ordered by the physician, awaiting the pharmacist's verification."""
    return Episode(
        patient=PatientRef(id="new-order", weight="80 kg"),
        protocol=ProtocolRef(id="cancer-continuous"),
        started_at=datetime(2024, 1, 1, 8, 0, tzinfo=UTC),
        baseline=Baseline(pain=7),
        pain_goal=4,
    )


def load_demo(
    record: RecordDeps, access: AccessDeps, cases: list[DemoCase], fresh: Episode | None
) -> DemoWard:
    """Load the demonstration ward into an empty record.

    ``fresh``: an episode just ordered (no events), awaiting the pharmacist's verification.
    """
    with record.uow(writing=False) as uow:
        if uow.users.all():
            raise UserInputError(
                "this record already has users: the demonstration ward goes only into a new "
                "record (set KETAMINE_CDS_DATA_DIR to an empty folder, or use 'serve --demo')"
            )
    admin = DEMO_USERS[0][0]
    for name, role, password in DEMO_USERS:
        add_user(record, None if name == admin else admin, name, role)
        set_password(access, name, name, password)
    now = record.clock.now()
    loaded: list[tuple[str, int]] = []
    for case in cases:
        episode = retimed(case, now)
        started = import_episode(record, DEMO_PHYSICIAN, episode, case.concentration_mg_per_ml)
        loaded.append((started.header.patient, started.header.id))
    if fresh is not None:
        ordered = retimed(DemoCase("new-order", fresh, 0, timedelta(minutes=10)), now)
        started = start_episode(record, DEMO_PHYSICIAN, ordered, 1.0)
        loaded.append((started.header.patient, started.header.id))
    return DemoWard(DEMO_USERS, tuple(loaded))
