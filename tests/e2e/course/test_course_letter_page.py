"""The discharge summary and the GP letter as a browser shows them: real Chromium, served, axe."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from course_letter import seed_004_summary

from ketamine_cds.entrypoints.web.letters import render_letter

NOTICE = "Decision support, not a prescriber"


@pytest.fixture
def letter_url(site: Path, serve_static: Callable[[Path], str]) -> str:
    """The seed 004 patient's summary and letter, written into the site and served."""
    (site / "discharge.html").write_text(render_letter(seed_004_summary()), encoding="utf-8")
    return serve_static(site) + "/discharge.html"


def test_the_letter_page_shows_the_regimen_emergency_plan_and_notice(
    page: Any, letter_url: str
) -> None:
    """The page holds the regimen and the emergency plan (boxed), and the notice."""
    response = page.goto(letter_url)
    assert response is not None
    assert response.ok
    text = page.inner_text("main")
    assert "oxycodone controlled release 30 mg twice daily, oral" in text
    assert "Emergency plan: if the pain comes back" in text
    assert NOTICE in page.inner_text("#decision-support-notice")
    border = page.evaluate(
        "() => getComputedStyle(document.querySelector('.emergency')).borderTopStyle"
    )
    assert border == "solid"


def test_the_letter_page_is_accessible(
    page: Any, letter_url: str, accessible: Callable[[Any], None]
) -> None:
    """No serious or critical axe-core violation on the summary and letter."""
    page.goto(letter_url)
    accessible(page)
