"""The order set and the timeline as a ward tablet shows them: real Chromium, served pages, axe."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from library import SOURCE, shipped

from ketamine_cds.adapters.data_files import limit_table
from ketamine_cds.adapters.episode_files import read_episode_file
from ketamine_cds.adapters.render.chart_text import table_rows
from ketamine_cds.adapters.render.charts import ChartOptions, timeline_svg
from ketamine_cds.adapters.render.timeline import build_timeline
from ketamine_cds.domain.units import BodyWeight
from ketamine_cds.entrypoints.web.presenters.order_set import PatientIdentifiers, order_set_view
from ketamine_cds.entrypoints.web.templating import environment, inline_svg, render
from ketamine_cds.service.episodes import replay_episode
from ketamine_cds.service.planning import plan

EXAMPLES = Path(__file__).parents[2] / "examples" / "episodes"
NOTICE = "Decision support, not a prescriber"


@pytest.fixture
def order_set_url(site, serve_static) -> str:
    """The cancer-continuous order set for 70 kg, written into the site and served."""
    view = order_set_view(
        plan(SOURCE, "cancer-continuous", BodyWeight.from_kg(70)),
        PatientIdentifiers(name="Test Patient", identifier="TEST-0070"),
        shipped("cancer-continuous"),
        limit_table(),
        generated_at=datetime(2024, 6, 2, 8, 0, tzinfo=UTC),
    )
    (site / "order-set.html").write_text(render("order_set.html", o=view), encoding="utf-8")
    return serve_static(site) + "/order-set.html"


@pytest.fixture
def timeline_url(site, serve_static) -> str:
    """A page holding seed 002's timeline chart and its data table, served."""
    episode = read_episode_file(EXAMPLES / "seed-002.yaml")
    timeline = build_timeline(episode, replay_episode(SOURCE, episode))
    page = environment().from_string(
        '{% extends "base.html" %}{% from "partials/timeline.html" import timeline %}'
        "{% block main %}<h1>Episode</h1>{{ timeline(chart, rows, caption) }}{% endblock %}"
    )
    html = page.render(
        chart=inline_svg(timeline_svg(timeline, ChartOptions(id_prefix="t"))),
        rows=table_rows(timeline),
        caption="Seed 002: ketamine rate and pain over the days",
    )
    (site / "timeline.html").write_text(html, encoding="utf-8")
    return serve_static(site) + "/timeline.html"


def test_order_set_shows_the_patients_numbers_in_chromium(page, order_set_url):
    """The page a pharmacist reads shows 7 mg/h, 7.0 mL/h, the 14 mg/h ceiling and the steps."""
    response = page.goto(order_set_url)
    assert response.status == 200
    assert page.locator("h1").inner_text() == "Cancer-hospital continuous ketamine infusion"
    figures = page.locator("table.figures").first.inner_text()
    assert "7 mg/h" in figures
    assert "7.0 mL/h" in figures
    assert "14 mg/h" in figures
    rates = page.locator("table.titration tbody tr td:nth-child(3)").all_inner_texts()
    assert [float(r) for r in rates] == [7, 9, 11, 13, 14]
    last = page.locator("table.titration tbody tr").last
    assert "at-limit" in (last.get_attribute("class") or "")
    assert "soft ceiling" in last.inner_text()


def test_order_set_page_has_no_serious_accessibility_violation(page, order_set_url, accessible):
    """axe-core finds no serious or critical violation on the order set."""
    page.goto(order_set_url)
    accessible(page)


def test_order_set_page_keeps_the_notice_landmarks_and_skip_link(page, order_set_url):
    """The notice shows on screen and in print; one main landmark; the skip link reaches it."""
    page.goto(order_set_url)
    assert page.get_attribute("html", "lang") == "en"
    notice = page.locator("#decision-support-notice")
    assert notice.is_visible()
    assert NOTICE in notice.inner_text()
    assert page.locator("main").count() == 1
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.getAttribute('href')")
    assert focused == "#main"
    assert page.locator(".skip-link").is_visible()
    page.emulate_media(media="print")
    assert notice.is_visible()


def test_timeline_chart_is_an_accessible_image_with_its_table(page, timeline_url, accessible):
    """The inline chart is an image with a title and description; its table holds the rates."""
    page.goto(timeline_url)
    chart = page.locator("svg.timeline-chart")
    assert chart.get_attribute("role") == "img"
    assert chart.get_attribute("aria-labelledby") == "t-title t-desc"
    description = page.locator("#t-desc").text_content() or ""
    assert "5.005 mg/h" in description
    assert "3.3488 mg/h" in description  # 36.8 µg/kg/h for 91 kg
    box = chart.bounding_box()
    assert box is not None
    assert box["width"] > 900  # near the full width of a 1024 px tablet
    page.locator("summary").click()
    rows = page.locator("table.data tbody tr td:nth-child(2)").all_inner_texts()
    assert "2.5025 mg/h" in rows  # 27.5 µg/kg/h for 91 kg
    assert "1.2558 mg/h" in rows  # 13.8 µg/kg/h for 91 kg
    accessible(page)


def test_serve_asgi_serves_an_app_on_loopback(page, serve_asgi):
    """The ASGI fixture serves an app on 127.0.0.1 that Chromium reaches."""

    async def app(scope, receive, send):
        if scope["type"] != "http":
            return
        await send(
            {
                "type": "http.response.start",
                "status": 200,
                "headers": [(b"content-type", b"text/html; charset=utf-8")],
            }
        )
        await send(
            {"type": "http.response.body", "body": b"<!doctype html><title>t</title><p>served"}
        )

    url = serve_asgi(app)
    assert url.startswith("http://127.0.0.1:")
    page.goto(url)
    assert page.locator("p").inner_text() == "served"


def test_the_accessibility_check_fails_a_page_with_serious_violations(
    page, site, serve_static, accessible
):
    """The axe check is not a formality: an unlabelled image and a nameless button fail it."""
    (site / "bad.html").write_text(
        '<!doctype html><html><title>bad</title><body><img src="x.png">'
        "<button></button></body></html>",
        encoding="utf-8",
    )
    page.goto(serve_static(site) + "/bad.html")
    with pytest.raises(AssertionError, match="image-alt"):
        accessible(page)
