"""The audit chain: SHA-256 over canonical JSON, and the first entry that breaks it named."""

from __future__ import annotations

import hashlib
from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone

from hypothesis import given
from hypothesis import strategies as st

from ketamine_cds.domain.audit import (
    GENESIS_HASH,
    AuditEntry,
    EntryDraft,
    canonical_bytes,
    chain_after,
    chain_next,
    chain_text,
    digest,
    verify_chain,
)

T0 = datetime(2024, 5, 2, 8, 0, tzinfo=UTC)


def _chain(n: int) -> list[AuditEntry]:
    entries: list[AuditEntry] = []
    for i in range(n):
        draft = EntryDraft(
            "nina", "nurse", "event.record", f"episode/1/event/{i + 1}", digest({"i": i})
        )
        entries.append(
            chain_next(entries[-1] if entries else None, draft, T0 + timedelta(minutes=i))
        )
    return entries


def test_canonical_json_sorts_keys_and_has_no_spaces() -> None:
    """The encoding is independent of key order and compact, so a digest names the content."""
    assert canonical_bytes({"b": 1, "a": [1, {"d": 2, "c": "µ"}]}) == (
        '{"a":[1,{"c":"µ","d":2}],"b":1}'.encode()
    )
    assert digest({"b": 1, "a": 2}) == digest({"a": 2, "b": 1})


def test_digest_is_sha256_of_the_canonical_bytes() -> None:
    """The digest is the published SHA-256 of the canonical text (checked with hashlib directly)."""
    assert digest({"a": 1}) == hashlib.sha256(b'{"a":1}').hexdigest()


def test_times_are_written_in_utc_to_the_microsecond() -> None:
    """Two spellings of one instant give one digest."""
    plus_one = datetime(2024, 5, 2, 10, 0, tzinfo=timezone(timedelta(hours=1)))
    assert digest({"at": plus_one}) == digest({"at": datetime(2024, 5, 2, 9, 0, tzinfo=UTC)})
    assert canonical_bytes({"at": T0}) == b'{"at":"2024-05-02T08:00:00.000000+00:00"}'


def test_an_intact_chain_verifies() -> None:
    """A chain built link by link has no break; the first entry follows the genesis hash."""
    entries = _chain(5)
    assert entries[0].prev_hash == GENESIS_HASH
    assert [e.seq for e in entries] == [1, 2, 3, 4, 5]
    assert verify_chain(entries) is None


def test_a_changed_entry_is_named() -> None:
    """Changing one field of entry 3 (keeping its old hash) breaks the chain at entry 3."""
    entries = _chain(5)
    entries[2] = replace(entries[2], actor="mallory")
    broken = verify_chain(entries)
    assert broken is not None
    assert broken.seq == 3
    assert "changed after it was written" in broken.sentence()


def test_a_rehashed_entry_breaks_the_next_link() -> None:
    """Rewriting entry 2 with a fresh hash is caught at entry 3, which names the old hash."""
    entries = _chain(4)
    changed = replace(entries[1], payload_digest=digest({"other": True}))
    entries[1] = replace(changed, hash=changed.computed_hash())
    broken = verify_chain(entries)
    assert broken is not None
    assert broken.seq == 3
    assert "does not follow" in broken.reason


def test_a_removed_entry_is_named() -> None:
    """Removing entry 2 is reported as entry 2 missing."""
    entries = _chain(4)
    del entries[1]
    broken = verify_chain(entries)
    assert broken is not None
    assert broken.seq == 2
    assert broken.sentence() == "audit entry 2 is missing (the next entry stored is 3)"


@given(
    subject=st.text(min_size=1, max_size=60),
    actor=st.text(min_size=1, max_size=20),
    versions=st.dictionaries(st.text(max_size=10), st.text(max_size=10), max_size=3),
    seq=st.integers(min_value=1, max_value=10**9),
    prev=st.text(alphabet="0123456789abcdef", min_size=64, max_size=64),
)
def test_the_cut_text_a_database_chains_hashes_to_the_entry_chain_after_makes(
    subject: str, actor: str, versions: dict[str, str], seq: int, prev: str
) -> None:
    # Quotes, backslashes and any Unicode in a value must not move the cuts.
    draft = EntryDraft(actor, "nurse", "event.record", subject, "a" * 64, versions)
    at = datetime(2024, 3, 2, 8, 0, 0, 123456, tzinfo=UTC)
    cut = chain_text(draft, at)
    joined = cut.head + prev + cut.middle + str(seq) + cut.tail
    assert hashlib.sha256(joined.encode("utf-8")).hexdigest() == (
        chain_after((seq - 1, prev), draft, at).hash
    )
