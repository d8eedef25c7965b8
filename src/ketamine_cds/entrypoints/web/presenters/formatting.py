"""How the ward pages write figures and times: a rate in mg/h and mL/h, a time, an age.

A rate is always shown in mg/h (what the protocol and the dose check speak) and, when the
episode names its bag, in mL/h for that bag, rounded to the pump's 0.1 mL/h as the plan rounds
it. Without a recorded bag no mL/h is guessed: the page says the concentration is missing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, tzinfo

from ketamine_cds.domain.protocols.figures import exact, num
from ketamine_cds.domain.protocols.plan import pump_rate

NO_BAG = "bag concentration not recorded: no mL/h"
WARD_ZONE: tzinfo = UTC  # the pages show times in UTC, and say so (decision record 0101)


@dataclass(frozen=True)
class RateFigure:
    """One rate as the bedside reads it: mg/h, the pump's mL/h, and the bag it assumes."""

    mg_per_h: float
    mg_text: str
    ml_text: str | None
    bag_text: str

    @property
    def both(self) -> str:
        """``7 mg/h = 7.0 mL/h`` (or the mg/h and why there is no mL/h)."""
        if self.ml_text is None:
            return f"{self.mg_text} ({self.bag_text})"
        return f"{self.mg_text} = {self.ml_text}"


def rate_figure(mg_per_h: float, concentration_mg_per_ml: float | None) -> RateFigure:
    """A rate in mg/h and, for the episode's bag, in pump mL/h."""
    mg = exact(mg_per_h)
    mg_text = f"{num(mg)} mg/h"
    if concentration_mg_per_ml is None:
        return RateFigure(mg, mg_text, None, NO_BAG)
    ml = pump_rate(mg / concentration_mg_per_ml)
    return RateFigure(mg, mg_text, f"{ml:.1f} mL/h", f"bag {num(concentration_mg_per_ml)} mg/mL")


def clock(moment: datetime, tz: tzinfo = WARD_ZONE) -> str:
    """A time for the ward: ``2 Jun 15:04``."""
    local = moment.astimezone(tz)
    return f"{local.day} {local:%b %H:%M}"


def iso(moment: datetime) -> str:
    """A machine-readable time for ``<time datetime=...>``."""
    return moment.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def age(delta: timedelta) -> str:
    """How long ago (or how long until), in words a nurse reads at a glance: ``2 h 05 min``."""
    minutes = int(abs(delta).total_seconds() // 60)
    if minutes < 1:
        return "under a minute"
    days, minutes = divmod(minutes, 24 * 60)
    hours, minutes = divmod(minutes, 60)
    if days:
        return f"{days} d {hours} h"
    if hours:
        return f"{hours} h {minutes:02d} min"
    return f"{minutes} min"


def ago(moment: datetime, now: datetime) -> str:
    """``2 h 05 min ago``, or ``in 10 min`` for a time still to come."""
    words = age(now - moment)
    return f"in {words}" if moment > now else f"{words} ago"


def words(identifier: str) -> str:
    """An identifier of the product's vocabulary in words: ``vivid_dreams`` → ``vivid dreams``."""
    return identifier.replace("_", " ")
