"""The audit trail: what each entry holds, how entries chain, and how a broken chain is named.

Every write to the record appends one entry: who (actor and role), what (action), to what
(subject), when, the SHA-256 digest of what was written, the versions it was computed with, the
previous entry's hash and its own. Its own hash covers every other field, so changing any entry,
or the row its digest names, or removing one from the middle, breaks the chain at that entry.

The encoding is canonical JSON: keys sorted, no insignificant white space, UTF-8, times in UTC
ISO 8601 with microseconds. It is built with pydantic's encoder (the domain reads no files and
parses nothing; it only turns values it holds into bytes).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime

from pydantic_core import to_json

GENESIS_HASH = "0" * 64


def _sorted(value: object) -> object:
    if isinstance(value, Mapping):
        return {str(key): _sorted(value[key]) for key in sorted(value, key=str)}
    if isinstance(value, list | tuple):
        # A recommendation's inputs list every event's digest: strings need no walk.
        return [item if type(item) is str else _sorted(item) for item in value]
    if isinstance(value, datetime):
        return utc_text(value)
    return value


def utc_text(moment: datetime) -> str:
    """A time as the chain writes it: UTC, ISO 8601, microseconds, ``+00:00``."""
    return moment.astimezone(UTC).isoformat(timespec="microseconds")


def canonical_bytes(value: object) -> bytes:
    """``value`` as canonical JSON bytes (sorted keys, compact, UTF-8)."""
    return to_json(_sorted(value))


def canonical_text(value: object) -> str:
    """``value`` as canonical JSON text."""
    return canonical_bytes(value).decode("utf-8")


def digest(value: object) -> str:
    """The SHA-256 hex digest of ``value``'s canonical JSON."""
    return hashlib.sha256(canonical_bytes(value)).hexdigest()


def digest_text(text: str) -> str:
    """The SHA-256 hex digest of text already encoded (e.g. a protocol file's content)."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class AuditEntry:
    """One link of the chain."""

    seq: int
    at: datetime
    actor: str
    role: str
    action: str
    subject: str
    payload_digest: str
    versions: Mapping[str, str] = field(default_factory=dict)
    prev_hash: str = GENESIS_HASH
    hash: str = ""

    def content(self) -> dict[str, object]:
        """Every field the hash covers (all but the hash itself)."""
        return {
            "seq": self.seq,
            "at": utc_text(self.at),
            "actor": self.actor,
            "role": self.role,
            "action": self.action,
            "subject": self.subject,
            "payload_digest": self.payload_digest,
            "versions": dict(self.versions),
            "prev_hash": self.prev_hash,
        }

    def computed_hash(self) -> str:
        """The hash this entry should carry, from its content."""
        return digest(self.content())


@dataclass(frozen=True)
class EntryDraft:
    """What a use case says about a write; the chain adds the position and the hashes."""

    actor: str
    role: str
    action: str
    subject: str
    payload_digest: str
    versions: Mapping[str, str] = field(default_factory=dict)


def chain_after(mark: tuple[int, str], draft: EntryDraft, at: datetime) -> AuditEntry:
    """The entry that follows the one at ``mark``, its position and hash.

    Before the first entry the mark is ``(0, GENESIS_HASH)``.
    """
    unhashed = _unhashed(mark, draft, at)
    return AuditEntry(**{**unhashed.__dict__, "hash": unhashed.computed_hash()})


def _unhashed(mark: tuple[int, str], draft: EntryDraft, at: datetime) -> AuditEntry:
    seq, prev_hash = mark
    return AuditEntry(
        seq=seq + 1,
        at=at,
        actor=draft.actor,
        role=draft.role,
        action=draft.action,
        subject=draft.subject,
        payload_digest=draft.payload_digest,
        versions=dict(draft.versions),
        prev_hash=prev_hash,
    )


# Stand-ins for the two fields only the chain's head can give: neither can occur in a real
# entry (a hash is hexadecimal; a position counts entries), and the canonical text escapes
# every quote inside a value, so the text around each is found exactly once.
_PREV_STAND_IN = "p" * 64
_SEQ_STAND_IN = 10**15 + 7


@dataclass(frozen=True)
class ChainText:
    """An entry's canonical text around its ``prev_hash`` and ``seq``, for a database to chain.

    ``head + prev_hash + middle + str(seq) + tail`` is the text whose SHA-256 is the entry's
    hash (:func:`chain_after`), so the head row can be read, the hash made and the entry
    written in one statement, without the writer's process in between.
    """

    head: str
    middle: str
    tail: str


def chain_text(draft: EntryDraft, at: datetime) -> ChainText:
    """The canonical text of the entry ``draft`` makes at ``at``, cut at its two unknowns."""
    text = canonical_text(_unhashed((_SEQ_STAND_IN - 1, _PREV_STAND_IN), draft, at).content())
    prev_key, seq_key = f'"prev_hash":"{_PREV_STAND_IN}"', f'"seq":{_SEQ_STAND_IN}'
    if text.count(prev_key) != 1 or text.count(seq_key) != 1:
        raise ValueError("an audit entry's text holds a chain stand-in; it cannot be chained")
    before, _, after = text.partition(prev_key)
    middle, _, tail = after.partition(seq_key)
    return ChainText(before + '"prev_hash":"', '"' + middle + '"seq":', tail)


def chain_next(head: AuditEntry | None, draft: EntryDraft, at: datetime) -> AuditEntry:
    """The entry that follows ``head`` (the first entry when ``head`` is None)."""
    return chain_after((0, GENESIS_HASH) if head is None else (head.seq, head.hash), draft, at)


@dataclass(frozen=True)
class ChainBreak:
    """The first entry that does not hold, and why, in one sentence."""

    seq: int
    reason: str

    def sentence(self) -> str:
        """The break as one sentence naming the entry."""
        return f"audit entry {self.seq} {self.reason}"


def verify_chain(entries: Iterable[AuditEntry]) -> ChainBreak | None:
    """The first entry that breaks the chain, or None when every link holds.

    An entry breaks the chain when its position is not the next one (an entry removed or
    inserted), its previous hash is not the hash of the entry before, or its own hash does not
    match its content (the entry was changed).
    """
    previous: AuditEntry | None = None
    for entry in entries:
        expected_seq = 1 if previous is None else previous.seq + 1
        if entry.seq != expected_seq:
            return ChainBreak(expected_seq, f"is missing (the next entry stored is {entry.seq})")
        expected_prev = GENESIS_HASH if previous is None else previous.hash
        if entry.prev_hash != expected_prev:
            return ChainBreak(
                entry.seq, f"({entry.action} {entry.subject}) does not follow the entry before it"
            )
        if entry.computed_hash() != entry.hash:
            return ChainBreak(
                entry.seq, f"({entry.action} {entry.subject}) was changed after it was written"
            )
        previous = entry
    return None
