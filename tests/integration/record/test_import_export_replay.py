"""Every example episode imported, exported, and the export replayed by the existing ``replay``
command reproduces the stored recommendations byte for byte, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from record_db import RecordDb
from typer.testing import CliRunner

from ketamine_cds.adapters.episode_files import read_episode_file
from ketamine_cds.domain.audit import canonical_text
from ketamine_cds.entrypoints.cli.app import app
from ketamine_cds.entrypoints.cli.common import status_of_alerts, worst_status
from ketamine_cds.service.audit_trail import verify_audit
from ketamine_cds.service.record import import_episode
from ketamine_cds.service.record_queries import export_episode, replay_stored

EXAMPLES = sorted((Path(__file__).parents[3] / "examples" / "episodes").glob("*.yaml"))


def test_there_are_examples_to_import() -> None:
    """The example folder holds the episodes this test imports."""
    assert len(EXAMPLES) >= 20


def test_every_example_round_trips_byte_for_byte(record: RecordDb, tmp_path: Path) -> None:
    """Import, export, and `ketamine-cds replay --json` of the export equals what was stored."""
    runner = CliRunner()
    for path in EXAMPLES:
        imported = import_episode(record.deps, "phil", read_episode_file(path), None)
        assert imported.events == len(read_episode_file(path).events)
        exported = export_episode(record.deps, "nina", imported.header.id)
        out = tmp_path / f"{path.stem}.json"
        out.write_text(
            json.dumps(exported.episode.model_dump(mode="json", exclude_none=True)), "utf-8"
        )
        result = runner.invoke(app, ["replay", str(out), "--json"])
        replayed_items = json.loads(result.stdout)
        expected = worst_status(
            status_of_alerts(a["kind"] for a in item["alerts"]) for item in replayed_items
        )
        assert result.exit_code == expected, result.output
        replayed = [canonical_text(item) for item in replayed_items]
        stored = [s.output for s in exported.recommendations]
        assert stored, path.name
        assert replayed == stored, path.name
        checks = replay_stored(record.deps, "nina", imported.header.id)
        assert all(c.matches for c in checks), path.name
    assert verify_audit(record.deps, "nina").intact


def test_export_keeps_each_event_and_its_record_identity(record: RecordDb) -> None:
    """The export holds every event in clinical order, with id, recorded_at, recorded_by, role."""
    path = next(p for p in EXAMPLES if p.stem == "seed-001-case-2")
    original = read_episode_file(path)
    imported = import_episode(record.deps, "phil", original, None)
    episode = export_episode(record.deps, "nina", imported.header.id).episode
    assert [e.type for e in episode.events] == [e.type for e in original.events]
    assert [e.at for e in episode.events] == [e.at for e in original.events]
    assert [e.id for e in episode.events] == [f"e{i}" for i in range(1, 13)]
    assert {e.recorded_by for e in episode.events} == {"phil"}
    assert {e.role for e in episode.events} == {"physician"}
    # The file gives no recorded_at: the event is taken as written when it happened.
    assert all(e.recorded_at == e.at for e in episode.events)


@pytest.mark.parametrize("name", ["seed-002", "marshfield-inpatient"])
def test_reimport_of_an_export_stores_the_same_answers(record: RecordDb, name: str) -> None:
    """An export imported again is a second episode whose recommendations are the same bytes."""
    path = next(p for p in EXAMPLES if p.stem == name)
    first = import_episode(record.deps, "phil", read_episode_file(path), None)
    exported = export_episode(record.deps, "nina", first.header.id)
    second = import_episode(record.deps, "phil", exported.episode, None)
    assert [m.stored.output for m in second.recommendations] == [
        m.stored.output for m in first.recommendations
    ]
