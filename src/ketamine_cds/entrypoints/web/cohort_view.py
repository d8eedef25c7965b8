"""What the cohort page shows: the audit's measures laid out as bar charts and tables.

Pure arithmetic over a :class:`CohortReport` (nothing read, nothing computed that the report
does not hold): each proportion becomes a bar with its counts printed beside it, each spread of
a per-episode figure a histogram of the episodes, so a chart never stands without its numbers.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from ketamine_cds.domain.outcomes.cohort import (
    CohortReport,
    EpisodeOutcome,
    Proportion,
    ResponseCount,
    Spread,
)

EPISODE_ROWS = 100  # the page lists this many episodes; the CSV holds them all
HISTOGRAM_BINS = 10


@dataclass(frozen=True)
class Bar:
    """One proportion: the label, its counts, and its share of the chart's width (0-100)."""

    label: str
    numerator: int
    denominator: int
    percent: float | None
    note: str = ""

    @property
    def width(self) -> float:
        """The bar's length in percent of the chart's width (none when nothing was judged)."""
        return 0.0 if self.percent is None else max(0.0, min(100.0, self.percent))


@dataclass(frozen=True)
class BarChart:
    """Bars of one measure, with the words a screen reader is given."""

    id: str
    title: str
    bars: tuple[Bar, ...]

    @property
    def description(self) -> str:
        """Every bar as a sentence (the chart's ``<desc>``)."""
        return "; ".join(
            f"{b.label}: {b.numerator} of {b.denominator}"
            + ("" if b.percent is None else f" ({b.percent:g} %)")
            for b in self.bars
        )


@dataclass(frozen=True)
class Bin:
    """Episodes whose figure falls in [low, high) (the last bin includes its high end)."""

    low: float
    high: float
    count: int


@dataclass(frozen=True)
class Histogram:
    """How a per-episode figure spreads over the episodes, with the report's own spread."""

    id: str
    title: str
    unit: str
    spread: Spread
    bins: tuple[Bin, ...]

    @property
    def tallest(self) -> int:
        """The largest bin's count (the chart's scale)."""
        return max((b.count for b in self.bins), default=0)

    @property
    def description(self) -> str:
        """Every bin as a phrase (the chart's ``<desc>``)."""
        return "; ".join(f"{b.low:g}-{b.high:g} {self.unit}: {b.count}" for b in self.bins)


@dataclass(frozen=True)
class CohortView:
    """The page's content."""

    report: CohortReport
    response: BarChart
    side_effects: BarChart
    histograms: tuple[Histogram, ...]
    episodes: tuple[EpisodeOutcome, ...]
    episodes_left: int


def _responded(label: str, count: ResponseCount) -> Bar:
    note = f"{count.undetermined} undetermined" if count.undetermined else ""
    rate = count.rate
    return Bar(label, count.responders, rate.denominator, rate.percent, note)


def _share(label: str, share: Proportion) -> Bar:
    return Bar(label, share.numerator, share.denominator, share.percent)


def bins_of(values: Sequence[float], count: int = HISTOGRAM_BINS) -> tuple[Bin, ...]:
    """Equal-width bins from the smallest value to the largest (one bin when all are equal)."""
    if not values:
        return ()
    low, high = min(values), max(values)
    if math.isclose(low, high):
        return (Bin(low, high, len(values)),)
    width = (high - low) / count
    tallies = [0] * count
    for value in values:
        tallies[min(count - 1, int((value - low) / width))] += 1
    return tuple(
        Bin(round(low + i * width, 6), round(low + (i + 1) * width, 6), tally)
        for i, tally in enumerate(tallies)
    )


# The per-episode figures the page draws: chart id, title, unit, the report's spread, the figure.
_FIGURES: tuple[tuple[str, str, str, str, Callable[[EpisodeOutcome], float | None]], ...] = (
    (
        "cohort-start",
        "Starting ketamine",
        "mg/24 h",
        "start_mg_per_day",
        lambda o: o.course.start_mg_per_day,
    ),
    (
        "cohort-final",
        "Final ketamine",
        "mg/24 h",
        "final_mg_per_day",
        lambda o: o.course.final_mg_per_day,
    ),
    (
        "cohort-max",
        "Maximum ketamine",
        "mg/24 h",
        "max_mg_per_day",
        lambda o: o.course.max_mg_per_day,
    ),
    ("cohort-days", "Days of ketamine", "days", "duration_days", lambda o: o.course.duration_days),
    ("cohort-med", "Opioid MED change", "%", "med_change_percent", lambda o: o.med_change_percent),
)


def _histograms(report: CohortReport) -> tuple[Histogram, ...]:
    drawn = []
    for key, title, unit, spread, figure in _FIGURES:
        values = [v for v in (figure(o) for o in report.outcomes) if v is not None]
        drawn.append(Histogram(key, title, unit, getattr(report, spread), bins_of(values)))
    return tuple(drawn)


def cohort_view(report: CohortReport) -> CohortView:
    """The charts and tables of ``report``."""
    response = BarChart(
        "cohort-response",
        "Responders by Good et al.'s definition, of the episodes that could be judged",
        (
            _responded("all episodes", report.response),
            *(_responded(f"pain type: {k}", v) for k, v in report.by_pain_type.items()),
            *(_responded(f"protocol: {k}", v) for k, v in report.by_protocol.items()),
        ),
    )
    side_effects = BarChart(
        "cohort-side-effects",
        "Side effects recorded, share of episodes",
        (
            _share("any side effect", report.any_side_effect),
            _share("psychotomimetic", report.psychotomimetic),
            _share("paused for side effects", report.side_effect_pauses),
            *(_share(k, v) for k, v in report.side_effects.items()),
        ),
    )
    histograms = _histograms(report)
    shown = tuple(report.outcomes[:EPISODE_ROWS])
    return CohortView(
        report, response, side_effects, histograms, shown, len(report.outcomes) - len(shown)
    )
