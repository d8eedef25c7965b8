"""Render the pictures in docs/screenshots/: the order-set page, its PDF's first page, the charts.

    .venv/bin/python scripts/screenshots.py

The page is opened in Debian's Chromium (``/usr/bin/chromium``, driven by Playwright) at a ward
tablet's width; the PDF is printed by WeasyPrint and its first page rasterised by ``pdftoppm``
(poppler-utils); the timeline charts are the PNGs the chart module draws. The demonstration
patient is made up; the doses are the product's plan for 70 kg.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path

from playwright.sync_api import sync_playwright

from ketamine_cds.adapters.data_files import limit_table
from ketamine_cds.adapters.episode_files import read_episode_file
from ketamine_cds.adapters.patient_files import load_evidence_table
from ketamine_cds.adapters.protocol_source import FileProtocolSource
from ketamine_cds.adapters.render.charts import timeline_png
from ketamine_cds.adapters.render.chromium import CHROMIUM, CHROMIUM_FLAGS
from ketamine_cds.adapters.render.pdf import html_to_pdf
from ketamine_cds.adapters.render.timeline import PlasmaSeries, build_timeline
from ketamine_cds.domain.assessment.evidence import evidence_for
from ketamine_cds.domain.units import BodyWeight
from ketamine_cds.entrypoints.web.presenters.order_set import PatientIdentifiers, order_set_view
from ketamine_cds.entrypoints.web.templating import (
    STATIC_DIR,
    file_static,
    render,
    served_static,
)
from ketamine_cds.service import pk
from ketamine_cds.service.episodes import replay_episode
from ketamine_cds.service.planning import plan

_SOURCE = FileProtocolSource()
ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "docs" / "screenshots"
DEMO = PatientIdentifiers(
    name="Demonstration Patient",
    identifier="DEMO-0001",
    date_of_birth="12 Apr 1961",
    location="Oncology ward 7, bed 12",
)


def order_set_html(static_url: object) -> str:
    """The cancer-continuous order set for 70 kg, assessed for refractory cancer pain."""
    view = order_set_view(
        plan(_SOURCE, "cancer-continuous", BodyWeight.from_kg(70)),
        DEMO,
        _SOURCE.get("cancer-continuous").protocol,
        limit_table(),
        generated_at=datetime(2024, 6, 2, 8, 0, tzinfo=UTC),
        evidence=evidence_for(load_evidence_table(), "refractory_cancer_pain"),
    )
    return render("order_set.html", static_url=static_url, o=view)  # type: ignore[arg-type]


def page_screenshot(target: Path) -> None:
    """The order-set page in Chromium at 1024 px, its first screen and a half."""
    with tempfile.TemporaryDirectory() as folder:
        site = Path(folder)
        shutil.copytree(STATIC_DIR, site / "static")
        page_file = site / "order-set.html"
        page_file.write_text(order_set_html(served_static("static/")), encoding="utf-8")
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=str(CHROMIUM), args=list(CHROMIUM_FLAGS)
            )
            page = browser.new_page(viewport={"width": 1024, "height": 1400})
            page.goto(page_file.as_uri())
            page.screenshot(path=str(target))
            browser.close()


def pdf_first_page(target: Path) -> None:
    """The printed order set's first page, rasterised by pdftoppm."""
    pdf = html_to_pdf(order_set_html(file_static), STATIC_DIR)
    with tempfile.TemporaryDirectory() as folder:
        source = Path(folder) / "order-set.pdf"
        source.write_bytes(pdf)
        stem = Path(folder) / "page"
        subprocess.run(  # noqa: S603 - a fixed program on our own file
            [
                "/usr/bin/pdftoppm",
                "-r",
                "110",
                "-f",
                "1",
                "-l",
                "1",
                "-png",
                "-singlefile",
                str(source),
                str(stem),
            ],
            check=True,
        )
        shutil.copyfile(stem.with_suffix(".png"), target)


def chart(name: str, target: Path) -> None:
    """An example episode's timeline with the engine's recommendations and predicted levels."""
    episode = read_episode_file(ROOT / "examples" / "episodes" / f"{name}.yaml")
    weight = episode.patient.body_weight.kg
    plan_data = plan(
        _SOURCE, episode.protocol.id, episode.patient.body_weight
    ).model_dump(mode="json")
    regimen, _ = pk.regimen_from_episode(episode, plan_data)
    payload = pk.simulate(regimen, weight).payload
    plasma = PlasmaSeries(
        payload["times_h"],
        payload["concentration_ng_per_ml"],
        f"model {payload['model']['id']}, typical patient",
    )
    timeline = build_timeline(
        episode,
        replay_episode(_SOURCE, episode),
        plasma=plasma,
        ceiling_mg_per_h=plan_data["phases"][0]["ceiling_rate_mg_per_h"],
    )
    target.write_bytes(timeline_png(timeline))


def main() -> int:
    """Write every screenshot; the paths written are printed."""
    OUT.mkdir(parents=True, exist_ok=True)
    jobs = [
        (OUT / "order-set-page.png", page_screenshot),
        (OUT / "order-set-pdf-page-1.png", pdf_first_page),
        (OUT / "timeline-seed-002.png", lambda t: chart("seed-002", t)),
        (OUT / "timeline-seed-001-case-2.png", lambda t: chart("seed-001-case-2", t)),
    ]
    for target, make in jobs:
        make(target)
        print(target.relative_to(ROOT))
    return 0


if __name__ == "__main__":
    sys.exit(main())
