"""How old a reading may be and still drive a decision.

Rules that act on a reading (raise, taper, judge a response) use only readings younger than the
protocol's assessment interval: the longest interval of its monitoring orders for pain or vital
signs. Where the protocol gives none, the product's reading is 4 hours, the interval hospital
ketamine policies commonly set for established infusions; the engine says so whenever it applies.
A single value beyond a threshold that must be "sustained" asks for a recheck within 15 minutes,
the product's reading of how soon a repeat measurement confirms or clears it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from ketamine_cds.domain.bedside.state import EpisodeState
from ketamine_cds.domain.protocols.fields import high_end
from ketamine_cds.domain.protocols.schema import Protocol, Unspecified
from ketamine_cds.domain.vocabulary import Observed

DEFAULT_WINDOW = timedelta(hours=4)
RECHECK_WITHIN = timedelta(minutes=15)
DEFAULT_RULE = "reading-freshness-default"
DEFAULT_TEXT = (
    "The protocol gives no assessment interval; the product treats a pain score or vital sign "
    "older than 4 hours as stale (the product's reading, docs/adr/0043)."
)
RECHECK_RULE = "reading-recheck-sustained"
_WATCHED = frozenset(
    {
        Observed.PAIN,
        Observed.VITALS,
        Observed.HEART_RATE,
        Observed.BLOOD_PRESSURE,
        Observed.RESPIRATORY_RATE,
        Observed.SPO2,
    }
)


@dataclass(frozen=True)
class Freshness:
    """How long a reading counts, and the rule that says so."""

    window: timedelta
    rule: str
    text: str
    source: str | None

    @property
    def hours(self) -> float:
        """The window in hours."""
        return self.window / timedelta(hours=1)


def freshness(protocol: Protocol) -> Freshness:
    """The protocol's longest interval for pain or vitals, else the product's 4 hours."""
    monitoring = protocol.monitoring
    if isinstance(monitoring, Unspecified):
        return Freshness(DEFAULT_WINDOW, DEFAULT_RULE, DEFAULT_TEXT, None)
    longest = None
    for order in monitoring:
        if order.every is None or not (set(order.observe) & _WATCHED):
            continue
        every = timedelta(hours=high_end(order.every).hours)
        if longest is None or every > longest[0]:
            longest = (every, order)
    if longest is None:
        return Freshness(DEFAULT_WINDOW, DEFAULT_RULE, DEFAULT_TEXT, None)
    every, order = longest
    return Freshness(
        every,
        order.id,
        f"A reading counts for {every / timedelta(hours=1):g} h, the protocol's assessment "
        f"interval ({order.text})",
        str(order.source),
    )


def fresh_pain(
    state: EpisodeState, fresh: Freshness, at: datetime, since: datetime | None = None
) -> tuple[datetime, int] | None:
    """The latest pain score if it is young enough (and after ``since``), else None."""
    pains = state.pains(since)
    if not pains:
        return None
    moment, score = pains[-1]
    return (moment, score) if at - moment <= fresh.window else None
