"""The record from the command line: db upgrade, users, an episode from start to stop, JSON for
scripts, refusals with their exit statuses, on the database KETAMINE_CDS_DATABASE_URL names."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from record_db import RecordDb
from typer.testing import CliRunner

from ketamine_cds.adapters.db.engine import make_engine
from ketamine_cds.adapters.db.tables import metadata
from ketamine_cds.entrypoints.cli.app import app

EXAMPLE = Path(__file__).parents[3] / "examples" / "episodes" / "seed-001-case-1.yaml"


def _cli(url: str, *args: str, stdin: str | None = None, user: str = "") -> tuple[int, str, str]:
    env = {"KETAMINE_CDS_DATABASE_URL": url, "KETAMINE_CDS_USER": user}
    result = CliRunner().invoke(app, list(args), env=env, input=stdin)
    return result.exit_code, result.stdout, result.stderr


def test_db_upgrade_creates_a_new_sqlite_record(tmp_path: Path) -> None:
    """A record named by the setting is refused until `db upgrade` creates it; then it works."""
    url = f"sqlite:///{tmp_path / 'new' / 'record.sqlite3'}"
    code, _, err = _cli(url, "user", "list", "--as", "ann")
    assert code == 2
    assert "is not set up; run 'ketamine-cds db upgrade' first" in err
    code, out, _ = _cli(url, "db", "upgrade", "--json")
    assert code == 0
    assert json.loads(out)["to"] == "0001"
    code, out, _ = _cli(url, "user", "add", "ann", "--role", "admin", "--json")
    assert (code, json.loads(out)["role"]) == (0, "admin")


def test_the_migrations_build_the_tables_the_code_queries(record: RecordDb) -> None:
    """Alembic finds nothing to change between the migrated database and the table definitions."""
    engine = make_engine(record.url)
    with engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), metadata)
    engine.dispose()
    assert differences == []


def test_an_episode_from_start_to_stop(record: RecordDb) -> None:  # noqa: PLR0915 - one walk through
    """Start, verify, rate, observe, record from stdin, recommend, show, list, export, replay."""
    url = record.url
    code, out, _ = _cli(
        url, "episode", "start", "--patient", "p-9", "--protocol", "cancer-continuous",
        "--weight", "154 lb", "--baseline-pain", "8", "--pain-goal", "4",
        "--concentration-mg-per-ml", "1", "--as", "phil", "--json",
    )  # fmt: skip
    assert code == 0
    episode = json.loads(out)
    episode_id = str(episode["id"])
    assert episode["weight"] == "154 lb"
    assert episode["weight_kg"] == pytest.approx(69.85, abs=0.01)

    code, out, _ = _cli(url, "episode", "recommend", episode_id, "--as", "nina", "--json")
    assert code == 3  # the order is not verified yet: incomplete
    assert json.loads(out)["order_verified"] is False

    code, _, err = _cli(url, "episode", "rate", episode_id, "--rate", "7 mg/h", "--as", "nina")
    assert code == 2
    assert "needs the pharmacist role to verify it first" in err

    assert _cli(url, "episode", "verify", episode_id, "--as", "paula")[0] == 0
    code, out, _ = _cli(
        url, "episode", "rate", episode_id, "--rate", "0.1 mg/kg/h", "--recommend",
        "--as", "nina", "--json",
    )  # fmt: skip
    assert code == 0
    rated = json.loads(out)
    assert rated["event"]["event"]["rate"] == "0.1 mg/kg/h"
    assert rated["recommendation"]["output"]["rate_mg_per_h"] == pytest.approx(6.985, abs=1e-3)

    code, out, _ = _cli(url, "episode", "observe", episode_id, "--pain", "6", "--as", "nina")
    assert code == 0
    assert "recorded observation e2" in out

    stdin = '{"type": "prn_given", "at": "now", "drug": "lorazepam", "dose": "1 mg", "by": "n"}'
    code, _, err = _cli(url, "episode", "record", episode_id, "-", stdin=stdin, user="nina")
    assert code == 2  # "now" is not a time in the file format
    assert "standard input" in err
    at = rated["event"]["at"]
    stdin = json.dumps(
        {"type": "prn_given", "at": at, "drug": "lorazepam", "dose": "1 mg", "by": "n"}
    )
    code, out, _ = _cli(url, "episode", "record", episode_id, "-", stdin=stdin, user="nina")
    assert code == 0, out

    code, _, err = _cli(url, "episode", "rate", episode_id, "--rate", "70 mg/h", "--as", "phil")
    assert code == 4
    assert "Nothing overrides a hard limit" in err
    code, _, err = _cli(url, "episode", "rate", episode_id, "--rate", "20 mg/h", "--as", "nina")
    assert code == 3
    assert "needs the physician role" in err
    stale = _cli(
        url, "episode", "rate", episode_id, "--rate", "9 mg/h", "--against", "1", "--as", "nina"
    )
    assert stale[0] == 2
    assert "recommendation 1 is no longer the latest" in stale[2]

    code, out, _ = _cli(url, "episode", "show", episode_id, "--as", "paula", "--json")
    shown = json.loads(out)
    assert [e["type"] for e in shown["events"]] == ["rate_change", "observation", "prn_given"]
    assert shown["order_verified"] is True
    code, out, _ = _cli(url, "episode", "list", "--as", "nina", "--json")
    assert [e["id"] for e in json.loads(out)] == [int(episode_id)]
    code, out, _ = _cli(url, "episode", "export", episode_id, "--as", "nina")
    assert code == 0
    # In clinical-time order: the adjunct (e3) was given at the time of the rate change.
    assert [e["id"] for e in json.loads(out)["events"]] == ["e1", "e3", "e2"]
    code, out, _ = _cli(url, "episode", "replay", episode_id, "--as", "nina", "--json")
    assert code == 0
    assert all(item["matches"] for item in json.loads(out))
    code, out, _ = _cli(url, "audit", "verify", "--as", "ann", "--json")
    assert (code, json.loads(out)["intact"]) == (0, True)


def test_import_then_refusals_by_role(record: RecordDb) -> None:
    """A nurse may not import; a physician may; an admin may not read the episode."""
    code, _, err = _cli(record.url, "episode", "import", str(EXAMPLE), "--as", "nina")
    assert code == 2
    assert err.strip() == "error: Importing an episode needs the physician role; nina is a nurse."
    code, out, _ = _cli(record.url, "episode", "import", str(EXAMPLE), "--as", "phil", "--json")
    assert code == 0
    imported = json.loads(out)
    assert imported["events"] > 0
    code, _, err = _cli(record.url, "episode", "show", str(imported["id"]), "--as", "ann")
    assert code == 2
    assert (
        "Reading an episode needs the physician, pharmacist or nurse role; ann is an admin" in err
    )
