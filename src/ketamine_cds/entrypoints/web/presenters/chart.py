"""An episode's timeline chart for its page: the SVG, its data table and its caption.

The chart draws the rate the engine replays, the rates it recommended, pain, opioid MED and,
when a model could be run, the predicted plasma level (labelled as a prediction, with the
model's name). The prediction is drawn only up to the moment the page is drawn: it is not a
forecast of what has not happened.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo

from markupsafe import Markup

from ketamine_cds.adapters.render.chart_text import TableRow, table_rows
from ketamine_cds.adapters.render.charts import ChartOptions, timeline_svg
from ketamine_cds.adapters.render.timeline import PlasmaSeries, build_timeline
from ketamine_cds.domain.bedside.output import Recommendation
from ketamine_cds.domain.episode import Episode
from ketamine_cds.entrypoints.web.presenters.formatting import WARD_ZONE
from ketamine_cds.entrypoints.web.templating import inline_svg


@dataclass(frozen=True)
class Prediction:
    """A simulated plasma level: hours from the episode start, ng/mL, and the model's name."""

    hours: Sequence[float]
    ng_per_ml: Sequence[float]
    model: str


@dataclass(frozen=True)
class ChartView:
    """The chart as the page embeds it."""

    svg: Markup
    rows: tuple[TableRow, ...]
    caption: str
    prediction_note: str | None


def _plasma(
    prediction: Prediction | None, started: datetime, until: datetime
) -> PlasmaSeries | None:
    if prediction is None:
        return None
    limit_h = (until - started) / timedelta(hours=1)
    kept = [
        (h, c) for h, c in zip(prediction.hours, prediction.ng_per_ml, strict=True) if h <= limit_h
    ]
    if len(kept) < 2:
        return None
    return PlasmaSeries(
        hours=[h for h, _ in kept],
        ng_per_ml=[c for _, c in kept],
        label=f"predicted by the {prediction.model} model (a prediction, not a measurement)",
    )


def episode_chart(  # noqa: PLR0913 - the episode, what was recommended, and how it is drawn
    episode: Episode,
    recommendations: Sequence[Recommendation],
    *,
    until: datetime,
    ceiling_mg_per_h: float | None,
    prediction: Prediction | None,
    tz: tzinfo = WARD_ZONE,
    id_prefix: str = "timeline",
) -> ChartView:
    """The timeline of an episode up to ``until`` (now, on a running infusion)."""
    plasma = _plasma(prediction, episode.started_at, until)
    timeline = build_timeline(
        episode,
        recommendations,
        plasma=plasma,
        ceiling_mg_per_h=ceiling_mg_per_h,
        until=until,
    )
    patient = episode.patient.id or "the patient"
    caption = (
        f"Timeline of {patient}: ketamine rate, pain, opioid MED"
        + (" and predicted plasma level" if plasma is not None else "")
        + f" ({timeline.protocol}, {timeline.weight}); times in {tz}"
    )
    title = f"{patient}: {timeline.protocol}, {timeline.weight}"
    options = ChartOptions(title=title, tz=tz, id_prefix=id_prefix)
    note = None if plasma is None else f"The plasma level is {plasma.label}."
    return ChartView(
        svg=inline_svg(timeline_svg(timeline, options)),
        rows=tuple(table_rows(timeline, tz)),
        caption=caption,
        prediction_note=note,
    )
