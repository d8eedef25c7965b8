"""The course of care as the served application mounts it (the app factory with the shipped
extras), on SQLite and PostgreSQL: an episode's response and MED under the JSON API, and the
cohort audit's page over the record."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from api_ward import Ward, open_ward, rate_change
from record_db import RecordDb

from ketamine_cds.entrypoints.http.app import shipped_extras


@pytest.fixture
def served(record_db: RecordDb, tmp_path: Path) -> Iterator[Ward]:
    """The served application on a new record."""
    built = open_ward(record_db, tmp_path / "data", extras=shipped_extras())
    try:
        yield built
    finally:
        built.close()


def _running(ward: Ward) -> int:
    episode_id = ward.start("p-course")
    ward.verify(episode_id)
    changed = ward.call(
        "POST", f"/api/v1/episodes/{episode_id}/events", "nina",
        json=rate_change("7 mg/h", ago=timedelta(seconds=30)),
    )  # fmt: skip
    assert changed.status_code == 201, changed.text
    return episode_id


def test_the_response_and_the_med_of_an_episode_are_served(served: Ward) -> None:
    """GET /api/v1/episodes/{id}/response answers the Good et al. assessment of that episode."""
    episode_id = _running(served)
    answer = served.call("GET", f"/api/v1/episodes/{episode_id}/response", "nina")
    assert answer.status_code == 200, answer.text
    assert str(episode_id) in answer.text
    assert "Good" in answer.text  # the definition's source is named
    med = served.call("GET", f"/api/v1/episodes/{episode_id}/med", "nina")
    assert med.status_code == 200, med.text


def test_the_course_routes_need_a_signed_in_user(served: Ward) -> None:
    """Without a token or a session the course routes answer 401, like the rest of the API."""
    episode_id = _running(served)
    assert served.client.get(f"/api/v1/episodes/{episode_id}/response").status_code == 401


def test_the_cohort_page_counts_the_stored_episodes(served: Ward) -> None:
    """GET /cohort is the audit page over the record; its CSV has one row per episode."""
    first, second = _running(served), _running(served)
    page = served.call("GET", "/cohort", "nina")
    assert page.status_code == 200, page.text
    assert "decision support, not a prescriber" in page.text.lower()
    rows = served.call("GET", "/cohort/episodes.csv", "nina")
    assert rows.status_code == 200, rows.text
    lines = [line for line in rows.text.splitlines() if line.strip()]
    assert len(lines) == 3  # the header and the two episodes
    assert {str(first), str(second)} <= {line.split(",")[0] for line in lines[1:]}
