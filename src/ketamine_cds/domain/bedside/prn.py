"""As-needed adjuncts: indicated by the symptoms present, within their interval and daily maximum.

An alternative (haloperidol for lorazepam in seed 000) replaces the order it names: once one of
the two has been given in the last 24 hours the other is not offered, and its caution is shown.
"""

from __future__ import annotations

from datetime import timedelta

from ketamine_cds.domain.bedside.context import Context, hours, when
from ketamine_cds.domain.bedside.criteria import latest_observation
from ketamine_cds.domain.bedside.output import Action, PrnAdvice
from ketamine_cds.domain.episode import PrnGiven
from ketamine_cds.domain.protocols.schema import Prn

DAY = timedelta(hours=24)


def _given(ctx: Context, prn: Prn) -> list[PrnGiven]:
    return [g for g in ctx.state.prn_given if g.drug.strip().lower() == prn.drug.strip().lower()]


def _partner(ctx: Context, prn: Prn) -> Prn | None:
    """The order this one is the alternative to, or the alternative to this one."""
    for other in ctx.protocol.prn:
        if other.id == prn.alternative_to or other.alternative_to == prn.id:
            return other
    return None


def _availability(ctx: Context, prn: Prn, *, at_start: bool) -> tuple[bool, str]:
    """Whether a dose may be given now, and why (not)."""
    note = "Give the first dose at the start of the infusion." if at_start else "Indicated now."
    given = _given(ctx, prn)
    today = [g for g in given if g.at > ctx.at - DAY]
    partner = _partner(ctx, prn)
    if partner is not None:
        theirs = [g for g in _given(ctx, partner) if g.at > ctx.at - DAY]
        if theirs:
            return False, (
                f"{partner.drug.capitalize()} was given at {when(theirs[-1].at)}; {prn.drug} is "
                "its alternative, not an addition."
            )
        if prn.alternative_to is not None:
            note = f"Instead of {partner.drug}, not as well. {note}"
            at_start = False
    if given and prn.interval is not None:
        ready = given[-1].at + hours(prn.interval)
        if ctx.at < ready:
            return False, f"Last given {when(given[-1].at)}; next from {when(ready)}."
    if prn.max_per_day is not None and len(today) >= prn.max_per_day:
        first = today[-prn.max_per_day]
        return False, (
            f"{len(today)} doses in the last 24 hours, the most the order allows "
            f"({prn.max_per_day} a day); next from {when(first.at + DAY)}."
        )
    if prn.max_doses is not None and len(given) >= prn.max_doses:
        return False, f"All {prn.max_doses} doses the order allows have been given."
    if prn.interval is None and prn.max_per_day is None and prn.max_doses is None and given:
        return False, (
            "The source gives no interval or maximum for this order: a further dose needs the "
            "physician (the product's reading)."
        )
    return True, note


def prn_advice(ctx: Context, action: Action) -> list[PrnAdvice]:
    """As-needed adjuncts indicated by the symptoms present now (or at the start)."""
    latest = latest_observation(ctx.state)
    present = set(latest.symptoms) if latest is not None else set()
    advice: list[PrnAdvice] = []
    for prn in ctx.protocol.prn:
        wanted = [s.value for s in prn.for_symptoms if s in present]
        at_start = prn.at_start and action == "start"
        if not wanted and not at_start:
            continue
        available, note = _availability(ctx, prn, at_start=at_start)
        if prn.caution is not None:
            note += f" Caution: {prn.caution.text} ({prn.caution.source})"
        advice.append(
            PrnAdvice(
                rule=prn.id,
                drug=prn.drug,
                dose=str(prn.dose),
                route=prn.route.value if prn.route is not None else None,
                text=prn.text,
                source=str(prn.source),
                for_symptoms=wanted,
                available_now=available,
                note=note,
            )
        )
    return advice
