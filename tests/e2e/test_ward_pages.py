"""The ward pages in Chromium against the real server, on SQLite and on PostgreSQL.

A nurse records an observation and sees the recommendation change; a rate above the soft limit
asks for a physician, who signs in and overrides it with a reason that then shows in the events
and on the audit page; a rate above the hard limit is refused with its sentence and nothing is
recorded; the order set's PDF downloads with the patient's numbers in it; axe-core finds no
serious or critical violation on any page.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pg_server
import pytest
from ward_server import Ward, open_ward, password

NOTICE = "Decision support, not a prescriber"


# the record's own test harness, one server for this module's tests
postgres_server = pytest.fixture(scope="module", name="postgres_databases")(
    pg_server.postgres_databases
)


@pytest.fixture(params=["sqlite", "postgresql"])
def ward(request: pytest.FixtureRequest, tmp_path: Path, serve_asgi) -> Iterator[tuple[Ward, str]]:
    """A ward on each database, served by the real app on a free loopback port."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'record.sqlite3'}"
    else:
        url = request.getfixturevalue("postgres_databases").new()
    opened = open_ward(request.param, url, tmp_path)
    try:
        yield opened, serve_asgi(opened.app)
    finally:
        opened.record.engine.dispose()


def sign_in(page: Any, base: str, name: str, then: str = "/") -> None:
    """Sign in on the login page as ``name`` and go on to ``then``."""
    page.goto(f"{base}/login?next={then}")
    page.get_by_label("User name").fill(name)
    page.get_by_label("Password").fill(password(name))
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(re.compile(re.escape(base + then) + r"$"))


def card(page: Any) -> str:
    """The recommendation card's text."""
    return " ".join(page.locator("#recommendation").inner_text().split())


def test_a_nurse_records_an_observation_and_sees_the_recommendation_change(ward, page):
    """Pain 3/10 at goal: continue 7 mg/h; the nurse records 7/10 after 2 h: increase to 9 mg/h."""
    ward_, base = ward
    episode_id = ward_.episode("E2E-OBS", started_h=3, pain=3)
    sign_in(page, base, "nina", f"/episodes/{episode_id}")
    assert NOTICE in page.locator("#decision-support-notice").inner_text()
    before = card(page)
    assert "Continue at the current rate" in before
    assert "7 mg/h = 7.0 mL/h" in before
    form = page.locator("#observation-form")
    form.get_by_label("Pain score").fill("7")
    form.get_by_label("Heart rate").fill("84")
    form.get_by_role("button", name="Record the observation").click()
    page.locator(".outcome-ok").wait_for()
    after = card(page)
    assert "Increase the rate" in after
    assert "9 mg/h = 9.0 mL/h" in after
    assert "rule titrate-2mg-every-2h" in after
    assert "pain 7/10; HR 84/min" in page.locator("#events").inner_text()
    page.locator("#chart svg.timeline-chart").wait_for()  # the chart follows the form's answer
    assert [e.type for e in ward_.events(episode_id)][-1] == "observation"


def test_a_rate_above_the_soft_limit_needs_a_physicians_reasoned_override(ward, page):
    """16 mg/h is above the 14 mg/h ceiling (0.2 mg/kg/h for 70 kg): the nurse is asked for a
    physician; the physician signs in, overrides with a reason, and the reason is recorded."""
    ward_, base = ward
    episode_id = ward_.episode("E2E-SOFT", started_h=3, rate="13 mg/h", pain=7)
    path = f"/episodes/{episode_id}"
    sign_in(page, base, "nina", path)
    rate = page.locator("#rate-form")
    rate.get_by_label("New rate").fill("16")
    rate.get_by_role("button", name="Record the rate change").click()
    outcome = page.locator("#outcome")
    outcome.wait_for()
    assert "Not recorded" in outcome.inner_text()
    assert "physician must record an override with a reason" in outcome.inner_text()
    assert page.locator("#override-form").count() == 0
    assert [e.type for e in ward_.events(episode_id)] == ["rate_change", "observation"]

    page.get_by_role("button", name="Sign out").click()
    sign_in(page, base, "phil", path)
    rate = page.locator("#rate-form")
    rate.get_by_label("New rate").fill("16")
    rate.get_by_role("button", name="Record the rate change").click()
    override = page.locator("#override-form")
    override.wait_for()
    reason = "pain crisis at the bedside; reviewed, no sedation"
    override.get_by_label("Reason for the override").fill(reason)
    override.get_by_role("button", name="Record the override and set the rate").click()
    page.locator(".outcome-ok").wait_for()
    events = page.locator("#events").inner_text()
    assert f"Reason: {reason}" in events
    assert "set to 16 mg/h by phil" in events
    assert [e.type for e in ward_.events(episode_id)][-2:] == ["physician_override", "rate_change"]

    page.goto(f"{base}/audit?episode={episode_id}")
    audit = page.locator("#audit-entries").inner_text()
    assert reason in audit
    assert "Intact." in audit
    assert "refused: event rate change" in audit


def test_a_rate_above_the_hard_limit_is_refused_with_its_sentence(ward, page):
    """80 mg/h for 70 kg is above the hard limit: refused, nothing overrides it or is recorded."""
    ward_, base = ward
    episode_id = ward_.episode("E2E-HARD", started_h=3)
    before = len(ward_.events(episode_id))
    sign_in(page, base, "phil", f"/episodes/{episode_id}")
    rate = page.locator("#rate-form")
    rate.get_by_label("New rate").fill("80")
    rate.get_by_role("button", name="Record the rate change").click()
    outcome = page.locator("#outcome")
    outcome.wait_for()
    text = " ".join(outcome.inner_text().split())
    assert "Refused: hard limit." in text
    assert "hard limit" in text
    assert "Nothing overrides a hard limit; the rate is not recorded" in text
    assert page.locator("#override-form").count() == 0
    assert len(ward_.events(episode_id)) == before


@pytest.mark.parametrize("ward", ["sqlite"], indirect=True)
def test_the_order_set_pdf_downloads_with_the_patients_numbers(ward, page):
    """The pharmacist downloads the order set: 70 kg, start 7 mg/h = 7.0 mL/h, ceiling 14 mg/h."""
    from pypdf import PdfReader  # noqa: PLC0415 - only this test reads PDFs

    ward_, base = ward
    episode_id = ward_.episode("E2E-PDF", rate=None)
    sign_in(page, base, "paula", f"/episodes/{episode_id}")
    with page.expect_download() as caught:
        page.get_by_role("link", name="Order set (PDF)").first.click()
    pdf = Path(caught.value.path()).read_bytes()
    text = " ".join(" ".join(p.extract_text().split()) for p in PdfReader(io.BytesIO(pdf)).pages)
    assert "E2E-PDF" in text
    assert "70 kg" in text
    assert "7 mg/h" in text
    assert "7.0 mL/h" in text
    assert "14 mg/h" in text
    assert NOTICE in text


@pytest.mark.parametrize("ward", ["sqlite"], indirect=True)
def test_every_page_passes_axe_core(ward, page, accessible):
    """Board, episode, new episode (its three steps), order set, audit and login pages."""
    ward_, base = ward
    episode_id = ward_.episode("E2E-AXE", started_h=3, pain=7)
    page.goto(f"{base}/login")
    accessible(page)
    sign_in(page, base, "phil")
    for path in ("/", f"/episodes/{episode_id}", f"/episodes/{episode_id}/order-set", "/audit"):
        page.goto(base + path)
        assert NOTICE in page.locator("#decision-support-notice").inner_text(), path
        accessible(page)
    page.goto(f"{base}/episodes/new")
    accessible(page)
    page.get_by_label("Patient identifier (hospital number)").fill("E2E-NEW")
    page.get_by_label("Dosing weight (e.g. 70 kg or 154 lb)").fill("70 kg")
    page.get_by_label("Cancer or non-cancer pain").select_option("cancer")
    page.get_by_label("Usual pain (0-10)").fill("8")
    page.get_by_label("Indication treated").select_option("refractory_cancer_pain")
    page.get_by_role("button", name="Assess against every protocol").click()
    page.get_by_role("heading", name="Assessment of E2E-NEW").wait_for()
    accessible(page)
    page.locator("#protocol-cancer-continuous").check()
    page.get_by_role("button", name="Plan the protocol chosen").click()
    page.get_by_role("heading", name="Start the episode").wait_for()
    accessible(page)
    page.get_by_label("The patient's pain goal").fill("4")
    page.get_by_role("button", name="Start the episode").click()
    page.wait_for_url(re.compile(r"/episodes/\d+$"))
    assert "E2E-NEW" in page.locator("h1").inner_text()
    assert "Not verified" in page.locator(".facts").inner_text()


UPRIGHT_TABLET = {"width": 768, "height": 1024}


def test_every_page_fits_a_tablet_held_upright(ward, page):
    """At 768 px wide no page scrolls sideways, and its text is at least 16 px."""
    ward_, base = ward
    episode_id = ward_.episode("E2E-UPRIGHT", started_h=3, pain=7)
    page.set_viewport_size(UPRIGHT_TABLET)
    sign_in(page, base, "phil")
    paths = (
        "/",
        f"/episodes/{episode_id}",
        "/episodes/new",
        f"/episodes/{episode_id}/order-set",
        "/audit",
    )
    for path in paths:
        page.goto(base + path)
        wide = page.evaluate("document.documentElement.scrollWidth")
        assert wide <= UPRIGHT_TABLET["width"], (path, wide)
        size = page.evaluate("parseFloat(getComputedStyle(document.body).fontSize)")
        assert size >= 16, (path, size)
        assert NOTICE in page.locator("#decision-support-notice").inner_text(), path
