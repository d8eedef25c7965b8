"""The episode timeline chart, drawn by matplotlib as SVG for the pages and PNG for files.

Stacked panels share one time axis, in the spirit of seed 002's Figure 2 (ketamine rate against
the opioid over the days): an event lane, the ketamine rate (mg/h, a step line, with the soft
ceiling and the engine's recommended rates), pain (0-10, points, with the patient's goal),
opioid MED (mg/day, a step line) and the predicted plasma level (ng/mL, a line, labelled as a
prediction). A panel with nothing to draw is left out. Colours are dark enough for 4.5:1 on
white and every series also differs in shape, so nothing depends on colour alone.

The SVG keeps its text as text, carries a ``<title>`` and ``<desc>`` (``role="img"``), a
tooltip ``<title>`` on every event marker, and the id ``{prefix}-rate`` on the rate line.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo
from html import escape

import matplotlib as mpl
import matplotlib.dates as mdates
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from ketamine_cds.adapters.render.chart_text import describe, rate_text
from ketamine_cds.adapters.render.timeline import MARKER_WORDS, MarkerKind, Timeline

# Process-wide constants, the same for every figure: text stays text in the SVG (smaller,
# selectable, read by screen readers), and ids are stable so equal charts give equal files.
mpl.rcParams["svg.fonttype"] = "none"
mpl.rcParams["svg.hashsalt"] = "ketamine-cds-timeline"
mpl.rcParams["font.sans-serif"] = ["DejaVu Sans", "Liberation Sans", "Arial"]

WIDTH_IN = 10.24  # 1024 px at 100 dpi: a ward tablet held in landscape
INK = "#1a1a1a"
MUTED = "#595959"
GRID = "#d9d9d9"
COLOURS = {
    "rate": "#005a9c",
    "recommended": "#005a9c",
    "ceiling": "#8a4b00",
    "pain": "#6a3d9a",
    "goal": "#1b6e3a",
    "med": "#a13d00",
    "plasma": "#1b6e3a",
}
MARKERS: dict[MarkerKind, tuple[str, str]] = {
    "pause": ("s", "#4d4d4d"),
    "resume": (">", "#4d4d4d"),
    "stop": ("X", INK),
    "dose": ("v", "#005a9c"),
    "prn": ("^", "#6a3d9a"),
    "override": ("D", "#8a4b00"),
    "soft_limit": ("d", "#8a4b00"),
    "hard_limit": ("X", "#b00020"),
}
HEIGHTS = {"events": 0.4, "rate": 2.5, "pain": 1.45, "med": 1.3, "plasma": 1.45}
TITLES = {
    "events": "Events",
    "rate": "Ketamine rate (mg/h)",
    "pain": "Pain score (0-10)",
    "med": "Opioid, oral morphine equivalent (mg/day)",
    "plasma": "Predicted plasma ketamine (ng/mL)",
}
_LABEL_MIN_SPAN = 0.045  # label a step only when it lasts this share of the axis
_SVG_HEAD = re.compile(r"^.*?<svg\b[^>]*?(viewBox=\"[^\"]+\")[^>]*>", re.DOTALL)
_METADATA = re.compile(r"\s*<metadata>.*?</metadata>", re.DOTALL)
_HASHED_ID = re.compile(r'id="([pm][0-9a-f]{10})"')


@dataclass(frozen=True)
class ChartOptions:
    """How a chart is labelled: its title, the ward's time zone, and the prefix of its ids."""

    title: str | None = None
    tz: tzinfo | None = None
    id_prefix: str = "timeline"


def _plain(text: str) -> str:
    """Text as matplotlib draws it literally (a '$' would start mathematics)."""
    return text.replace("$", r"\$")


def timeline_svg(timeline: Timeline, options: ChartOptions | None = None) -> str:
    """The chart as an inline SVG element, with its title, description and tooltips."""
    options = options or ChartOptions()
    figure = _figure(timeline, options)
    buffer = io.StringIO()
    figure.savefig(buffer, format="svg", metadata={"Date": None})
    return _accessible(buffer.getvalue(), timeline, options)


def timeline_png(timeline: Timeline, options: ChartOptions | None = None, dpi: int = 100) -> bytes:
    """The chart as a PNG (1024 px wide at the default 100 dpi)."""
    figure = _figure(timeline, options or ChartOptions())
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=dpi, metadata={"Software": None})
    return buffer.getvalue()


def chart_title(timeline: Timeline, options: ChartOptions) -> str:
    """The chart's title: the one given, else the protocol and weight."""
    return options.title or f"Ketamine infusion timeline: {timeline.protocol}, {timeline.weight}"


def _accessible(svg: str, timeline: Timeline, options: ChartOptions) -> str:
    prefix = escape(options.id_prefix, quote=True)
    head = _SVG_HEAD.match(svg)
    if head is None:  # pragma: no cover - matplotlib always writes an svg element
        raise RuntimeError("matplotlib wrote no <svg> element")
    opening = (
        f'<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" '
        f'class="timeline-chart" {head.group(1)} role="img" '
        f'aria-labelledby="{prefix}-title {prefix}-desc">'
        f'<title id="{prefix}-title">{escape(chart_title(timeline, options))}</title>'
        f'<desc id="{prefix}-desc">{escape(describe(timeline, options.tz))}</desc>'
    )
    body = _own_ids(_METADATA.sub("", svg[head.end() :]), prefix)
    for index, marker in enumerate(timeline.markers):
        tip = f"{MARKER_WORDS[marker.kind]}: {marker.text}"
        group = f'<g id="{prefix}-marker-{index}">'
        body = body.replace(group, f"{group}<title>{escape(tip)}</title>", 1)
    return opening + body


def _own_ids(body: str, prefix: str) -> str:
    """The hashed clip and marker ids, renamed under the chart's prefix, in order.

    Two charts inline on one page must not share an id, and the same chart must give the same
    text each time it is drawn.
    """
    names: dict[str, str] = {}
    for found in _HASHED_ID.finditer(body):
        old = found.group(1)
        names.setdefault(old, f"{prefix}-{'clip' if old[0] == 'p' else 'mark'}-{len(names)}")
    if not names:
        return body
    pattern = re.compile("|".join(re.escape(old) for old in names))
    return pattern.sub(lambda match: names[match.group(0)], body)


def _figure(timeline: Timeline, options: ChartOptions) -> Figure:
    panels = ["events", "rate", "pain"]
    panels += ["med"] if timeline.med else []
    panels += ["plasma"] if timeline.plasma is not None and len(timeline.plasma.hours) else []
    ratios = [HEIGHTS[p] for p in panels]
    figure = Figure(figsize=(WIDTH_IN, sum(ratios) + 1.3), layout="constrained")
    axes = figure.subplots(len(panels), 1, sharex=True, height_ratios=ratios, squeeze=False)
    by_name = dict(zip(panels, axes[:, 0], strict=True))
    tz = options.tz or timeline.started_at.tzinfo
    for name, ax in by_name.items():
        _style(ax, name)
    _events(by_name["events"], timeline, options)
    _rate(by_name["rate"], timeline, options)
    _pain(by_name["pain"], timeline)
    if "med" in by_name:
        _med(by_name["med"], timeline)
    if "plasma" in by_name:
        _plasma(by_name["plasma"], timeline)
    for name, ax in by_name.items():
        if name != "events":
            _event_lines(ax, timeline)
    bottom = axes[-1, 0]
    locator = mdates.AutoDateLocator(tz=tz, minticks=4, maxticks=10)  # type: ignore[no-untyped-call]
    bottom.xaxis.set_major_locator(locator)
    bottom.xaxis.set_major_formatter(
        mdates.ConciseDateFormatter(  # type: ignore[no-untyped-call]
            locator,
            tz=tz,
            formats=["%Y", "%b", "%-d %b", "%H:%M", "%H:%M", "%S"],
            zero_formats=["", "%Y", "%-d %b", "%-d %b", "%H:%M", "%H:%M"],
            offset_formats=["", "%Y", "%b %Y", "%-d %b %Y", "%-d %b %Y", "%-d %b %Y %H:%M"],
        )
    )
    zone = timeline.started_at.astimezone(tz).tzname() or "local time"
    bottom.set_xlabel(f"time ({zone})", fontsize=10, color=MUTED)
    start, end = timeline.started_at, max(timeline.ends_at, timeline.started_at)
    pad = (end - start) * 0.03 or timedelta(hours=1)
    bottom.set_xlim(_x(start - pad), _x(end + pad))
    figure.suptitle(
        _plain(chart_title(timeline, options)),
        x=0.01,
        ha="left",
        fontsize=12.5,
        fontweight="bold",
        color=INK,
    )
    return figure


def _style(ax: Axes, name: str) -> None:
    ax.set_title(TITLES[name], loc="left", fontsize=11, fontweight="bold", color=INK, pad=4)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    ax.spines["left"].set_color(MUTED)
    ax.spines["bottom"].set_color(MUTED)
    ax.tick_params(labelsize=10, colors=INK)
    ax.grid(axis="y", color=GRID, linewidth=0.8)
    ax.set_axisbelow(True)


def _x(moment: datetime) -> float:
    return float(mdates.date2num(moment))  # type: ignore[no-untyped-call]


def _span_share(timeline: Timeline) -> float:
    return max((timeline.ends_at - timeline.started_at).total_seconds(), 1.0)


def _rate(ax: Axes, timeline: Timeline, options: ChartOptions) -> None:
    steps = list(timeline.rate)
    top = max([s.mg_per_h for s in steps] + [timeline.ceiling_mg_per_h or 0.0, 1.0])
    ax.set_ylim(0, top * 1.25)
    if steps:
        xs = [_x(s.at) for s in steps] + [_x(timeline.ends_at)]
        ys = [s.mg_per_h for s in steps] + [steps[-1].mg_per_h]
        ax.fill_between(xs, ys, step="post", color=COLOURS["rate"], alpha=0.10, linewidth=0)
        ax.step(
            xs,
            ys,
            where="post",
            color=COLOURS["rate"],
            linewidth=2.6,
            gid=f"{options.id_prefix}-rate",
            label="rate running",
        )
        span = _span_share(timeline)
        ends = [s.at for s in steps[1:]] + [timeline.ends_at]
        for step, until in zip(steps, ends, strict=True):
            if step.mg_per_h > 0 and (until - step.at).total_seconds() / span >= _LABEL_MIN_SPAN:
                ax.annotate(
                    f"{step.mg_per_h:.3g}",
                    (_x(step.at), step.mg_per_h),
                    xytext=(4, 4),
                    textcoords="offset points",
                    fontsize=11,
                    fontweight="bold",
                    color=COLOURS["rate"],
                )
    if timeline.recommended:
        ax.plot(
            [_x(r.at) for r in timeline.recommended],
            [r.mg_per_h for r in timeline.recommended],
            linestyle="none",
            marker="o",
            markersize=6,
            markerfacecolor="white",
            markeredgecolor=COLOURS["recommended"],
            markeredgewidth=1.4,
            label="recommended by the protocol",
        )
    if timeline.ceiling_mg_per_h is not None:
        ax.axhline(
            timeline.ceiling_mg_per_h,
            color=COLOURS["ceiling"],
            linestyle=(0, (6, 3)),
            linewidth=1.4,
            label=f"soft ceiling {rate_text(timeline.ceiling_mg_per_h)}",
        )
    _legend(ax)


def _legend(
    ax: Axes, *, handles: list[Line2D] | None = None, labels: list[str] | None = None
) -> None:
    """A one-line legend on the panel's title line, right-aligned, clear of the data."""
    if handles is None or labels is None:
        handles, labels = ax.get_legend_handles_labels()  # type: ignore[assignment]
    assert handles is not None  # noqa: S101 - filled just above
    ax.legend(
        handles,
        labels,
        loc="lower right",
        bbox_to_anchor=(1.0, 1.0),
        fontsize=9.5,
        frameon=False,
        ncols=max(len(handles), 1),
        borderaxespad=0.1,
        handlelength=1.8,
        columnspacing=1.2,
    )


def _pain(ax: Axes, timeline: Timeline) -> None:
    ax.set_ylim(-0.5, 11.5)
    ax.set_yticks([0, 2, 4, 6, 8, 10])
    ax.axhline(
        timeline.pain_goal,
        color=COLOURS["goal"],
        linestyle=(0, (6, 3)),
        linewidth=1.4,
        label=f"patient's goal {timeline.pain_goal}/10",
    )
    ax.plot(
        [_x(timeline.started_at)],
        [timeline.baseline_pain],
        linestyle="none",
        marker="s",
        markersize=7,
        markerfacecolor="white",
        markeredgecolor=COLOURS["pain"],
        markeredgewidth=1.5,
        label=f"baseline {timeline.baseline_pain}/10",
    )
    if timeline.pain:
        xs = [_x(p.at) for p in timeline.pain]
        ys = [p.score for p in timeline.pain]
        ax.plot(
            xs,
            ys,
            linestyle="none",
            marker="o",
            markersize=8,
            color=COLOURS["pain"],
            label="pain score",
        )
        if len(xs) <= 40:
            for x, y in zip(xs, ys, strict=True):
                ax.annotate(
                    str(y),
                    (x, y),
                    xytext=(0, 7),
                    textcoords="offset points",
                    ha="center",
                    fontsize=10,
                    fontweight="bold",
                    color=COLOURS["pain"],
                )
    _legend(ax)


def _med(ax: Axes, timeline: Timeline) -> None:
    points = list(timeline.med)
    xs = [_x(p.at) for p in points] + [_x(timeline.ends_at)]
    ys = [p.mg_per_day for p in points] + [points[-1].mg_per_day]
    ax.step(xs, ys, where="post", color=COLOURS["med"], linewidth=2.2)
    ax.plot(xs[:-1], ys[:-1], linestyle="none", marker="o", markersize=5, color=COLOURS["med"])
    for point in points:
        ax.annotate(
            f"{point.mg_per_day:.4g}",
            (_x(point.at), point.mg_per_day),
            xytext=(4, 4),
            textcoords="offset points",
            fontsize=10,
            fontweight="bold",
            color=COLOURS["med"],
        )
    ax.set_ylim(0, max(ys) * 1.3 or 1.0)


def _plasma(ax: Axes, timeline: Timeline) -> None:
    plasma = timeline.plasma
    assert plasma is not None  # noqa: S101 - only drawn when given
    base = _x(timeline.started_at)
    xs = [base + float(h) / 24.0 for h in plasma.hours]
    ax.plot(xs, list(plasma.ng_per_ml), color=COLOURS["plasma"], linewidth=2.0)
    ax.set_ylim(0, max(float(max(plasma.ng_per_ml)) * 1.25, 1.0))
    ax.text(
        0.995,
        0.95,
        _plain(f"{plasma.label}; a prediction, not a measurement"),
        transform=ax.transAxes,
        ha="right",
        va="top",
        fontsize=9.5,
        color=MUTED,
    )


def _events(ax: Axes, timeline: Timeline, options: ChartOptions) -> None:
    ax.set_ylim(-1, 1)
    ax.set_yticks([])
    ax.spines["left"].set_visible(False)
    ax.spines["bottom"].set_visible(False)
    ax.tick_params(axis="x", length=0)
    ax.axhline(0, color=GRID, linewidth=0.8, zorder=0)
    ax.grid(visible=False)
    shown: dict[MarkerKind, Line2D] = {}
    for index, marker in enumerate(timeline.markers):
        shape, colour = MARKERS[marker.kind]
        (line,) = ax.plot(
            [_x(marker.at)],
            [0],
            linestyle="none",
            marker=shape,
            markersize=11,
            color=colour,
            markeredgecolor="white",
            markeredgewidth=0.8,
            gid=f"{options.id_prefix}-marker-{index}",
        )
        shown.setdefault(marker.kind, line)
    if shown:
        _legend(ax, handles=list(shown.values()), labels=[MARKER_WORDS[k] for k in shown])
    else:
        ax.text(
            0.5,
            0,
            "no pauses, stops, doses or limit alerts",
            transform=ax.get_yaxis_transform(),
            ha="center",
            va="center",
            fontsize=9.5,
            color=MUTED,
        )


def _event_lines(ax: Axes, timeline: Timeline) -> None:
    for marker in timeline.markers:
        if marker.kind in {"pause", "stop", "hard_limit", "soft_limit"}:
            ax.axvline(
                _x(marker.at),
                color=MARKERS[marker.kind][1],
                linewidth=0.8,
                linestyle=(0, (2, 3)),
                alpha=0.7,
            )
