"""The ward pages' refusals as the served application answers a browser, on SQLite and PostgreSQL:
a rate change made against a recommendation that is no longer the latest is 409 and records
nothing; a form for another role is 403 naming the role; a bug is 500 with an error id; every
such page still says "decision support, not a prescriber"."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from api_ward import Ward, open_ward
from fastapi import APIRouter, FastAPI
from record_db import RecordDb

from ketamine_cds import DECISION_SUPPORT_NOTICE
from ketamine_cds.entrypoints.http.app import shipped_extras
from ketamine_cds.entrypoints.http.deps import ActingUser, Wiring

PAGE = {"Accept": "text/html"}
NOTICE = "Decision support, not a prescriber"


def _broken_page(app: FastAPI, wiring: Wiring) -> None:
    router = APIRouter()

    @router.get("/broken-page")
    def broken(_user: ActingUser) -> None:
        message = "a bug deep inside a page"
        raise RuntimeError(message)

    app.include_router(router)


@pytest.fixture
def served(record_db: RecordDb, tmp_path: Path) -> Iterator[Ward]:
    """The served application (with one page that fails) on a new record."""
    built = open_ward(record_db, tmp_path / "data", extras=[*shipped_extras(), _broken_page])
    try:
        yield built
    finally:
        built.close()


def _events(ward: Ward, episode_id: int) -> int:
    shown = ward.call("GET", f"/api/v1/episodes/{episode_id}", "nina").json()
    return len(shown["events"])


def test_a_stale_rate_change_on_the_page_is_409_and_records_nothing(served: Ward) -> None:
    """The rate form acts on the recommendation it showed; after a newer one, 409, no event."""
    episode_id = served.start("p-stale")
    served.verify(episode_id)
    path = f"/api/v1/episodes/{episode_id}/recommendation"
    shown = served.call("GET", path, "nina").json()["id"]
    newer = served.call("GET", path, "nina").json()["id"]
    assert newer != shown
    before = _events(served, episode_id)
    answer = served.call(
        "POST", f"/episodes/{episode_id}/rate", "nina", headers=PAGE,
        data={"against": str(shown), "rate_mg_per_h": "7"},
    )  # fmt: skip
    assert answer.status_code == 409
    assert f"recommendation {shown} is no longer the latest" in answer.text
    assert NOTICE in answer.text
    assert _events(served, episode_id) == before
    # the refusal's page shows the recommendation now (stored as it is shown): act on that one
    latest = served.call("GET", f"/api/v1/episodes/{episode_id}", "nina").json()
    fresh = served.call(
        "POST", f"/episodes/{episode_id}/rate", "nina", headers=PAGE,
        data={"against": str(latest["recommendations"][-1]["id"]), "rate_mg_per_h": "7"},
    )  # fmt: skip
    assert fresh.status_code == 200, fresh.text
    assert _events(served, episode_id) == before + 1


def test_a_form_for_another_role_is_403_naming_the_role(served: Ward) -> None:
    """A nurse sending the pharmacist's verification: 403, the page names the role needed."""
    episode_id = served.start("p-role")
    answer = served.call("POST", f"/episodes/{episode_id}/verify", "nina", headers=PAGE, data={})
    assert answer.status_code == 403
    assert "needs the pharmacist role; nina is a nurse" in answer.text
    assert NOTICE in answer.text


def test_a_bug_on_a_page_is_500_with_an_error_id(served: Ward) -> None:
    """A failing page: 500, the error id to quote, no traceback, the notice still there."""
    answer = served.call("GET", "/broken-page", "nina", headers=PAGE)
    assert answer.status_code == 500
    assert re.search(r"Error id: [0-9a-f-]{8,}", answer.text)
    assert "Traceback" not in answer.text
    assert "a bug deep inside a page" not in answer.text
    assert DECISION_SUPPORT_NOTICE.split(":")[0] in answer.text
