"""The cohort page in Chromium: over a record through its router, and over 1,000 episodes."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from course_build import record_with, seed_002
from course_letter import seed_004_episode
from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from ketamine_cds.adapters.protocol_source import FileProtocolSource
from ketamine_cds.entrypoints.web.cohort_page import cohort_router, render_cohort_page
from ketamine_cds.entrypoints.web.templating import STATIC_DIR
from ketamine_cds.service.cohort import cohort_of
from ketamine_cds.service.generated_cohort import generated_cohort
from ketamine_cds.service.record_support import RecordDeps

NOTICE = "Decision support, not a prescriber"


@pytest.fixture
def record_url(tmp_path: Path, serve_asgi: Callable[[Any], str]) -> str:
    """The router mounted beside the static files, over seed 002's and a seed 004 episode."""
    record = record_with(tmp_path, seed_002(), seed_004_episode())

    def deps() -> RecordDeps:
        return record.deps

    def user() -> str:
        return "nina"

    app = FastAPI()
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    app.include_router(cohort_router(deps, user))
    return serve_asgi(app)


@pytest.fixture
def generated_url(site: Path, serve_static: Callable[[Path], str]) -> str:
    """The page of 1,000 generated episodes, written into the site and served."""
    source = FileProtocolSource()
    episodes = generated_cohort(1000)
    protocols = {p: source.get(p).protocol for p in {e.protocol.id for e in episodes}}
    report = cohort_of([(e.patient.id or "", e, protocols[e.protocol.id]) for e in episodes])
    (site / "cohort.html").write_text(render_cohort_page(report), encoding="utf-8")
    return serve_static(site) + "/cohort.html"


def test_the_filter_form_narrows_the_audit_in_the_browser(page: Any, record_url: str) -> None:
    """Choosing 'not cancer' and submitting shows the seed 004 patient alone, a responder."""
    page.goto(record_url + "/cohort")
    assert "Cohort audit: 2 episodes" in page.inner_text("h1")
    page.select_option("select[name=population]", "non_cancer")
    page.click("button[type=submit]")
    page.wait_for_url("**population=non_cancer**")
    assert "Cohort audit: 1 episodes" in page.inner_text("h1")
    assert "1 of 1" in page.inner_text("#cohort-response-rate")
    assert NOTICE in page.inner_text("#decision-support-notice")
    href = page.get_attribute("a[href^='/cohort.csv']", "href")
    assert href == "/cohort.csv?population=non_cancer"


def test_the_generated_cohort_page_draws_every_chart_with_its_numbers(
    page: Any, generated_url: str
) -> None:
    """1,000 episodes: the response bars, seven charts drawn, 100 rows listed, the rest in CSV."""
    page.goto(generated_url)
    assert "Cohort audit: 1000 episodes" in page.inner_text("h1")
    assert page.locator("svg[role=img]").count() == 7
    box = page.locator("#cohort-response").bounding_box()
    assert box is not None
    assert box["width"] > 300
    assert page.locator("#cohort-episodes tbody tr").count() == 100
    assert "all of them are in the CSV" in page.inner_text("#cohort-episodes caption")


def test_the_generated_cohort_page_is_accessible(
    page: Any, generated_url: str, accessible: Callable[[Any], None]
) -> None:
    """No serious or critical axe-core violation."""
    page.goto(generated_url)
    accessible(page)
