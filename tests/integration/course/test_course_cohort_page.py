"""The cohort page's router mounted in a FastAPI app over a SQLite record: page, JSON, CSV, filters.

The record holds seed 002's worked episode (ultra-low-memantine, undetermined: no opioid figure
on ketamine and no function recorded) and a seed 004 patient's (non-cancer, a responder).
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from course_build import record_with, seed_002
from course_letter import seed_004_episode
from fastapi import FastAPI, Request
from fastapi.testclient import TestClient

from ketamine_cds.domain.roles import NotPermittedError
from ketamine_cds.entrypoints.web.cohort_page import cohort_router
from ketamine_cds.service.record_support import RecordDeps


@pytest.fixture
def client(tmp_path: Path) -> TestClient:
    """The router mounted as the web application would, the user named by a header."""
    record = record_with(tmp_path, seed_002(), seed_004_episode())

    def deps() -> RecordDeps:
        return record.deps

    def user(request: Request) -> str:
        return request.headers.get("x-user", "nina")

    app = FastAPI()
    app.include_router(cohort_router(deps, user))
    return TestClient(app)


def test_the_page_shows_the_response_with_its_counts_and_the_charts(client: TestClient) -> None:
    """1 responder of 1 judged, 1 undetermined; every chart carries its numbers as text."""
    page = client.get("/cohort")
    assert page.status_code == 200
    html = page.text
    assert "Cohort audit: 2 episodes" in html
    responded = "<strong>1 of 1</strong> judged episodes responded (100 %); 1 could not be judged"
    assert responded in html
    assert 'id="cohort-response"' in html
    assert "protocol: ultra-low-memantine" in html
    assert "Decision support, not a prescriber" in html
    assert html.count('role="img"') == 7  # the response, side effects and five histograms


def test_the_filters_travel_to_the_report_and_the_download_links(client: TestClient) -> None:
    """Non-cancer only: the seed 004 patient alone, and the CSV links keep the filter."""
    page = client.get("/cohort", params={"population": "non_cancer"})
    assert "Cohort audit: 1 episodes" in page.text
    assert 'href="/cohort.csv?population=non_cancer"' in page.text
    report = client.get("/cohort.json", params={"protocol": "ultra-low-memantine"}).json()
    assert report["episodes"] == 1
    assert report["response"]["undetermined"] == 1
    assert "outcomes" not in report


def test_the_csv_downloads_hold_the_measures_and_one_row_per_episode(client: TestClient) -> None:
    """The measures' first row counts the episodes; the episode rows name each protocol."""
    measures = client.get("/cohort.csv")
    assert measures.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(measures.text)))
    assert (rows[0]["measure"], rows[0]["n"]) == ("episodes", "2")
    episodes = list(csv.DictReader(io.StringIO(client.get("/cohort/episodes.csv").text)))
    assert sorted(row["protocol"] for row in episodes) == [
        "noncancer-subcutaneous",
        "ultra-low-memantine",
    ]


def test_a_time_without_a_zone_is_one_sentence_and_400(client: TestClient) -> None:
    """The filter is refused, not guessed."""
    answer = client.get("/cohort", params={"from": "2024-05-01T00:00"})
    assert answer.status_code == 400
    assert answer.json()["detail"] == (
        "the time '2024-05-01T00:00' has no time zone; add one (e.g. Z or +01:00)"
    )


def test_an_unknown_population_is_refused(client: TestClient) -> None:
    """Only cancer or non_cancer."""
    assert client.get("/cohort", params={"population": "both"}).status_code == 422


def test_the_record_refuses_a_role_that_may_not_read_episodes(client: TestClient) -> None:
    """The admin sees nothing clinical: the record's refusal reaches the application."""
    with pytest.raises(NotPermittedError):
        client.get("/cohort", headers={"x-user": "ann"})
