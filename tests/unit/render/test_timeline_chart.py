"""The timeline chart: an accessible SVG whose rate line is drawn at the case's rates."""

from __future__ import annotations

import io
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from bedside_build import build, ev
from library import SOURCE
from PIL import Image

from ketamine_cds.adapters.episode_files import read_episode_file
from ketamine_cds.adapters.render.charts import ChartOptions, timeline_png, timeline_svg
from ketamine_cds.adapters.render.timeline import MedPoint, PlasmaSeries, build_timeline
from ketamine_cds.service.episodes import replay_episode

EXAMPLES = Path(__file__).parents[3] / "examples" / "episodes"
SVG = "{http://www.w3.org/2000/svg}"
# Seed 002, "Case Description": µg/kg/h, for the example file's 91 kg.
SEED_002_MG_PER_H = [55 * 0.091, 27.5 * 0.091, 13.8 * 0.091, 55 * 0.091, 36.8 * 0.091]


@pytest.fixture(scope="module")
def seed_002_svg() -> str:
    episode = read_episode_file(EXAMPLES / "seed-002.yaml")
    return timeline_svg(build_timeline(episode, replay_episode(SOURCE, episode)))


def _path_ys(svg: str, group_id: str) -> list[float]:
    root = ET.fromstring(  # noqa: S314 - the product's own SVG
        svg
    )
    group = root.find(f".//{SVG}g[@id='{group_id}']")
    assert group is not None, f"no group {group_id}"
    path = group.find(f"{SVG}path")
    assert path is not None
    pairs = re.findall(r"[ML]\s*([-\d.]+)\s+([-\d.]+)", path.get("d", ""))
    return [float(y) for _, y in pairs]


def test_the_rate_line_steps_through_the_cases_rates(seed_002_svg):
    """Heights of the drawn steps above the 0 mg/h line are in the ratio of the case's rates."""
    ys = _path_ys(seed_002_svg, "timeline-rate")
    levels: list[float] = []
    for y in ys:
        if not levels or abs(levels[-1] - y) > 1e-6:
            levels.append(y)
    zero = levels[-1]  # the infusion was stopped: the line ends at 0 mg/h
    heights = [zero - y for y in levels[:-1]]  # SVG y grows downwards
    scale = heights[0] / SEED_002_MG_PER_H[0]
    assert [h / scale for h in heights] == pytest.approx(SEED_002_MG_PER_H, rel=1e-3)


def test_the_svg_is_an_image_with_a_title_and_description(seed_002_svg):
    """role=img, labelled by its own title and desc; the text stays text, not paths."""
    root = ET.fromstring(  # noqa: S314 - the product's own SVG
        seed_002_svg
    )
    assert root.get("role") == "img"
    assert root.get("aria-labelledby") == "timeline-title timeline-desc"
    title = root.find(f"{SVG}title")
    desc = root.find(f"{SVG}desc")
    assert title is not None
    assert "ultra-low-memantine" in (title.text or "")
    assert desc is not None
    assert "2.5025 mg/h from 6 Jun 09:00" in (desc.text or "")
    texts = {t.text for t in root.iter(f"{SVG}text")}
    assert "Ketamine rate (mg/h)" in texts
    assert "Pain score (0-10)" in texts
    assert root.find(f".//{SVG}metadata") is None


def test_event_markers_carry_their_words_as_tooltips():
    """Each marker is a group with a <title>; a '$' in a drug name stays literal text."""
    episode = build(
        [
            ev("rate_change", 0, rate="7 mg/h", by="nurse"),
            ev("prn_given", 1, drug="lora$zepam$", dose="1 mg", by="nurse"),
            ev("stop", 5, by="physician", reason="<pain controlled>"),
        ]
    )
    svg = timeline_svg(build_timeline(episode), ChartOptions(id_prefix="ep1"))
    root = ET.fromstring(  # noqa: S314 - the product's own SVG
        svg
    )
    tips = [
        (g.get("id"), g.find(f"{SVG}title").text)  # type: ignore[union-attr]
        for g in root.iter(f"{SVG}g")
        if (g.get("id") or "").startswith("ep1-marker-")
    ]
    assert tips == [
        ("ep1-marker-0", "as-needed (PRN) dose: PRN lora$zepam$ 1 mg by nurse"),
        ("ep1-marker-1", "stopped: stopped by physician: <pain controlled>"),
    ]
    assert "&lt;pain controlled&gt;" in svg


def test_panels_for_med_and_plasma_appear_only_when_given():
    """The MED and plasma panels are drawn with their units only when there is something to draw."""
    episode = build([ev("rate_change", 0, rate="7 mg/h", by="nurse")])
    bare = timeline_svg(build_timeline(episode))
    assert "oral morphine equivalent" not in bare
    assert "Predicted plasma ketamine" not in bare
    full = timeline_svg(
        build_timeline(
            episode,
            med=[MedPoint(episode.started_at, 580.0)],
            plasma=PlasmaSeries([0, 1, 2], [0, 40, 60], "model domino-1984"),
        )
    )
    assert "Opioid, oral morphine equivalent (mg/day)" in full
    assert "Predicted plasma ketamine (ng/mL)" in full
    assert "model domino-1984; a prediction, not a measurement" in full


def test_equal_charts_give_equal_files():
    """No date or random id in the SVG: the same episode draws the same bytes."""
    episode = build([ev("rate_change", 0, rate="7 mg/h", by="nurse")])
    assert timeline_svg(build_timeline(episode)) == timeline_svg(build_timeline(episode))


def test_the_png_is_tablet_wide():
    """At the default resolution the PNG is 1024 px wide, for a ward tablet."""
    episode = build([ev("rate_change", 0, rate="7 mg/h", by="nurse")])
    image = Image.open(io.BytesIO(timeline_png(build_timeline(episode))))
    assert image.format == "PNG"
    assert image.size[0] == 1024


def test_two_charts_on_one_page_share_no_id():
    """Every id in a chart carries its prefix, so two inline charts cannot clip each other."""
    episode = build([ev("rate_change", 0, rate="7 mg/h", by="nurse")])
    timeline = build_timeline(episode)
    first = set(re.findall(r'id="([^"]+)"', timeline_svg(timeline, ChartOptions(id_prefix="a"))))
    second = set(re.findall(r'id="([^"]+)"', timeline_svg(timeline, ChartOptions(id_prefix="b"))))
    hashed = {i for i in first if re.fullmatch(r"[pm][0-9a-f]{10}", i)}
    assert not hashed
    assert any(i.startswith("a-clip-") for i in first)
    assert not {i for i in first & second if i.startswith(("a-", "b-"))}
