"""The record refuses UPDATE and DELETE where it is append-only, and ``audit verify`` names the
first entry that no longer holds when a row is changed behind the triggers' back."""

from __future__ import annotations

from pathlib import Path

import pytest
from record_db import RecordDb
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from typer.testing import CliRunner

from ketamine_cds.adapters.episode_files import read_episode_file
from ketamine_cds.entrypoints.cli.app import app
from ketamine_cds.service.record import import_episode

EXAMPLE = Path(__file__).parents[3] / "examples" / "episodes" / "seed-001-case-2.yaml"


def _imported(record: RecordDb) -> int:
    return import_episode(record.deps, "phil", read_episode_file(EXAMPLE), None).header.id


def _verify(record: RecordDb) -> tuple[int, str]:
    result = CliRunner().invoke(
        app,
        ["audit", "verify", "--as", "nina"],
        env={"KETAMINE_CDS_DATABASE_URL": record.url, "KETAMINE_CDS_USER": ""},
    )
    return result.exit_code, result.output


def _behind_the_triggers(
    record: RecordDb, statement: str, params: dict[str, object] | None = None
) -> None:
    """Run a statement as someone with direct access to the database, triggers out of the way."""
    with record.engine.begin() as connection:
        if record.kind == "postgresql":
            connection.execute(text("SET LOCAL session_replication_role = replica"))
            connection.execute(text(statement), params or {})
        else:
            triggers = connection.execute(
                text("SELECT name, sql FROM sqlite_master WHERE type = 'trigger'")
            ).all()
            for name, _ in triggers:
                connection.execute(text(f"DROP TRIGGER {name}"))
            connection.execute(text(statement), params or {})
            for _, sql in triggers:
                connection.execute(text(sql))


def _seq_of(record: RecordDb, subject: str) -> int:
    with record.engine.connect() as connection:
        return connection.execute(
            text("SELECT seq FROM audit_entries WHERE subject = :s"), {"s": subject}
        ).scalar_one()


STATEMENTS = (
    "UPDATE events SET body = '{}'",
    "DELETE FROM events",
    "UPDATE recommendations SET output = '{}'",
    "DELETE FROM recommendations",
    "UPDATE audit_entries SET actor = 'mallory'",
    "DELETE FROM audit_entries",
    "UPDATE audit_head SET seq = 1",
)


def test_the_database_refuses_to_rewrite_the_record(record: RecordDb) -> None:
    """Each UPDATE or DELETE on an append-only table is refused by the database itself."""
    _imported(record)
    for statement in STATEMENTS:
        with (
            pytest.raises(DBAPIError, match=r"append-only|only moves"),
            record.engine.begin() as connection,
        ):
            connection.execute(text(statement))
    assert _verify(record)[0] == 0


def test_an_intact_record_verifies(record: RecordDb) -> None:
    """With nothing changed, ``audit verify`` exits 0 and counts the entries."""
    _imported(record)
    code, output = _verify(record)
    assert code == 0
    assert "audit trail intact: 23 entries" in output


def test_a_changed_event_is_named(record: RecordDb) -> None:
    """Changing one stored event's pain score is reported at that event's audit entry."""
    episode_id = _imported(record)
    _behind_the_triggers(
        record,
        "UPDATE events SET body = replace(body, :old, :new) "
        "WHERE episode_id = :episode AND position = 3",
        {"old": '"pain":5', "new": '"pain":2', "episode": episode_id},
    )
    seq = _seq_of(record, f"episode/{episode_id}/event/3")
    code, output = _verify(record)
    assert code == 1
    assert (
        f"audit entry {seq} (event.import episode/{episode_id}/event/3): the stored row no "
        "longer matches its digest"
    ) in output


def test_a_changed_recommendation_is_named(record: RecordDb) -> None:
    """Changing one stored recommendation's rate is reported at its audit entry."""
    episode_id = _imported(record)
    with record.engine.connect() as connection:
        rec_id = connection.execute(
            text("SELECT min(id) FROM recommendations WHERE episode_id = :e"), {"e": episode_id}
        ).scalar_one()
    _behind_the_triggers(
        record,
        "UPDATE recommendations SET output = replace(output, :old, :new) WHERE id = :id",
        {"old": '"rate_mg_per_h":7.0', "new": '"rate_mg_per_h":70.0', "id": rec_id},
    )
    seq = _seq_of(record, f"episode/{episode_id}/recommendation/{rec_id}")
    code, output = _verify(record)
    assert code == 1
    assert f"audit entry {seq} (recommendation.store" in output


def test_a_changed_audit_entry_is_named(record: RecordDb) -> None:
    """Rewriting who made entry 7 breaks the chain at entry 7."""
    _imported(record)
    _behind_the_triggers(record, "UPDATE audit_entries SET actor = 'mallory' WHERE seq = 7")
    code, output = _verify(record)
    assert code == 1
    assert "audit entry 7 (" in output
    assert "was changed after it was written" in output


def test_a_removed_last_entry_is_seen(record: RecordDb) -> None:
    """Cutting the chain's tail is caught by the head the record keeps."""
    _imported(record)
    _behind_the_triggers(record, "DELETE FROM audit_entries WHERE seq = 23")
    code, output = _verify(record)
    assert code == 1
    assert "audit entry 23 is the last entry the record kept, but it is not there" in output
