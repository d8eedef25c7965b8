"""The audit page: who did what, to what, and when, with the chain's verification on top.

Each entry shows its action in words and as written, the row it names (an event with what it
recorded, so an override's reason is read where it was chained), and the digest the chain holds
for it. A refusal (of a role, a limit, a stale rate) is an entry too, marked "refused".
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import tzinfo

from ketamine_cds.domain.audit import AuditEntry
from ketamine_cds.domain.record import StoredEvent
from ketamine_cds.entrypoints.web.presenters.events import TYPE_WORDS, describe
from ketamine_cds.entrypoints.web.presenters.formatting import WARD_ZONE, clock, iso
from ketamine_cds.service.audit_reading import AuditPage
from ketamine_cds.service.audit_trail import AuditReport
from ketamine_cds.service.record_support import parse_event

ACTION_WORDS = {
    "episode.start": "started an episode",
    "episode.import": "imported an episode",
    "episode.verify": "verified the order",
    "event.record": "recorded an event",
    "event.import": "imported an event",
    "recommendation.store": "stored a recommendation",
    "user.add": "added a user",
    "session.login": "signed in",
    "session.logout": "signed out",
}
# Actions offered in the filter: the start of an action name matches every action under it.
ACTION_CHOICES = (
    ("", "any action"),
    ("event.", "events recorded"),
    ("refused.", "refusals"),
    ("episode.verify", "pharmacist verifications"),
    ("episode.start", "episodes started"),
    ("recommendation.", "recommendations stored"),
    ("session.", "sign-ins and sign-outs"),
    ("user.", "users added"),
)


@dataclass(frozen=True)
class AuditRow:
    """One entry of the trail."""

    seq: int
    at: str
    at_iso: str
    actor: str
    role: str
    action: str
    action_words: str
    refused: bool
    subject: str
    episode_id: int | None
    detail: str | None
    digest: str
    versions: str


@dataclass(frozen=True)
class AuditView:
    """The page: the chain's state, the rows, and where the next (older) page starts."""

    intact: bool
    chain_text: str
    matching: int
    rows: tuple[AuditRow, ...]
    next_offset: int | None
    actions: tuple[tuple[str, str], ...]


def in_episode(entry: AuditEntry, episode: int | None) -> bool:
    """Whether the entry is about the episode (``episode/3`` and ``episode/3/…``, not 30)."""
    if episode is None:
        return True
    subject = f"episode/{episode}"
    return entry.subject == subject or entry.subject.startswith(subject + "/")


def _words(action: str) -> tuple[str, bool]:
    if action.startswith("refused."):
        what = action.removeprefix("refused.")
        return f"refused: {ACTION_WORDS.get(what, what.replace('.', ' ').replace('_', ' '))}", True
    return ACTION_WORDS.get(action, action.replace(".", " ").replace("_", " ")), False


def _episode(subject: str) -> int | None:
    parts = subject.split("/")
    return (
        int(parts[1]) if len(parts) >= 2 and parts[0] == "episode" and parts[1].isdigit() else None
    )


def _detail(event: StoredEvent | None) -> str | None:
    if event is None:
        return None
    words = TYPE_WORDS.get(event.type, event.type)
    return f"{words} ({event.event_id}): {describe(parse_event(event.body))}"


def _row(entry: AuditEntry, event: StoredEvent | None, tz: tzinfo) -> AuditRow:
    words, refused = _words(entry.action)
    versions = ", ".join(
        f"{k} {v}" for k, v in sorted(entry.versions.items()) if not k.endswith("_hash")
    )
    return AuditRow(
        seq=entry.seq,
        at=clock(entry.at, tz),
        at_iso=iso(entry.at),
        actor=entry.actor,
        role=entry.role,
        action=entry.action,
        action_words=words,
        refused=refused,
        subject=entry.subject,
        episode_id=_episode(entry.subject),
        detail=_detail(event),
        digest=entry.payload_digest[:12],
        versions=versions,
    )


def audit_view(
    page: AuditPage,
    report: AuditReport,
    events: Mapping[tuple[int, int], StoredEvent],
    *,
    episode: int | None = None,
    tz: tzinfo = WARD_ZONE,
) -> AuditView:
    """The audit page for one page of entries and the chain's verification."""
    if report.broken is None:
        chain = f"Audit trail intact: all {report.entries} entries and the rows they name hold."
    else:
        chain = f"Audit trail broken: {report.broken.sentence()}."
    rows = tuple(
        _row(e, events.get(event_of(e) or (0, 0)), tz)
        for e in page.entries
        if in_episode(e, episode)
    )
    shown_to = page.query.offset + len(page.entries)
    return AuditView(
        intact=report.intact,
        chain_text=chain,
        matching=page.matching,
        rows=rows,
        next_offset=shown_to if shown_to < page.matching else None,
        actions=ACTION_CHOICES,
    )


def event_of(entry: AuditEntry) -> tuple[int, int] | None:
    """The (episode, position) of the event an entry names, if it names one."""
    parts = entry.subject.split("/")
    shaped = len(parts) == 4 and parts[0] == "episode" and parts[2] == "event"
    if shaped and parts[1].isdigit() and parts[3].isdigit():
        return int(parts[1]), int(parts[3])
    return None
