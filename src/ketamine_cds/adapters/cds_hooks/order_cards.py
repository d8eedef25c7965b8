"""A draft ketamine order through the one dose check, and the card that says what it found.

Within the protocol: ``info``. Over a soft limit: ``warning``, with the reasons a physician may
give to override it. At or over a hard limit: ``critical``, with nothing to override it. Each
summary names the limit; each detail names the rule and its source. Where the protocol's ceiling
is below every hard limit, a suggestion rewrites the order to that ceiling (rounded down, and
checked again: an accepted suggestion is within the protocol, so it never brings the same card
back). No protocol named: the product-wide limits and default ceilings, and the card says so.
"""

from __future__ import annotations

import copy
import math
import uuid
from dataclasses import dataclass, replace

from ketamine_cds import DECISION_SUPPORT_NOTICE
from ketamine_cds.adapters.cds_hooks.models import (
    SUMMARY_MAX,
    Action,
    Card,
    Coding,
    Link,
    Source,
    Suggestion,
)
from ketamine_cds.adapters.fhir.codes import OVERRIDE_REASON, PRODUCT, UCUM, UCUM_OF
from ketamine_cds.adapters.fhir.ketamine_order import (
    ONE_MG,
    ONE_MG_PER_H,
    ONE_MG_PER_KG,
    ONE_MG_PER_KG_PER_H,
    KetamineOrder,
)
from ketamine_cds.adapters.fhir.weight import WeightReading
from ketamine_cds.domain.episode import rate_of
from ketamine_cds.domain.errors import UserInputError
from ketamine_cds.domain.protocols.check import CheckResult, check_daily, check_dose, check_rate
from ketamine_cds.domain.protocols.figures import num
from ketamine_cds.domain.protocols.limits import LimitTable
from ketamine_cds.domain.protocols.schema import Protocol
from ketamine_cds.domain.units import Mass, PerKgMass, PerKgRate, Rate, parse_quantity
from ketamine_cds.domain.vocabulary import Route

_RANK = {"within_protocol": 0, "soft_limit_exceeded": 1, "hard_limit_exceeded": 2}
_INDICATOR = {
    "within_protocol": "info",
    "soft_limit_exceeded": "warning",
    "hard_limit_exceeded": "critical",
}
# Just under a hard limit, the check names the highest soft ceiling that still holds there.
_BELOW_HARD = 1 - 1e-6
OVERRIDE_REASONS = (
    Coding(
        system=OVERRIDE_REASON,
        code="physician-override",
        display="Physician override for this patient, with the reason recorded",
    ),
    Coding(
        system=OVERRIDE_REASON,
        code="pain-service-agrees",
        display="Agreed with the pain service for this patient",
    ),
    Coding(
        system=OVERRIDE_REASON,
        code="order-will-be-corrected",
        display="The order will be corrected",
    ),
)
TOPIC = Coding(
    system=f"{PRODUCT}:card-topic", code="ketamine-dose-check", display="Ketamine dose check"
)


@dataclass(frozen=True)
class OrderContext:
    """What a card about one order is judged with."""

    order: KetamineOrder
    protocol: Protocol | None
    weight: WeightReading
    limits: LimitTable
    notes: tuple[str, ...]
    source: Source
    links: tuple[Link, ...]
    card_id: uuid.UUID


def check_order(
    order: KetamineOrder, protocol: Protocol | None, weight: WeightReading, limits: LimitTable
) -> CheckResult:
    """The order through the one dose check (repeated doses also by their 24-hour total)."""
    body = weight.weight
    if order.rate is not None:
        return check_rate(protocol, body, rate_of(order.rate, body), limits, route=order.route)
    assert order.dose is not None  # noqa: S101 - read_order gives a rate or a dose
    dose = order.dose.for_weight(body) if isinstance(order.dose, PerKgMass) else order.dose
    single = check_dose(protocol, body, dose, limits, over=order.over, route=order.route)
    if order.doses_per_day is None:
        return single
    route = order.route or Route.IV
    daily = Mass.of(limits.iv_equivalent(dose.mg * order.doses_per_day, route), "mg")
    total = check_daily(protocol, body, daily, limits)
    return total if _RANK[total.verdict] > _RANK[single.verdict] else single


def _written(order: KetamineOrder, weight: WeightReading) -> str:
    """The order's figure as written, with the absolute figure for a per-kg order."""
    value = order.rate if order.rate is not None else order.dose
    assert value is not None  # noqa: S101 - read_order gives a rate or a dose
    shown = f"{num(value.magnitude())} {value.canonical_symbol()}"
    if isinstance(value, PerKgRate | PerKgMass):
        absolute = value.for_weight(weight.weight)
        shown += f" ({num(absolute.magnitude())} {absolute.canonical_symbol()})"
    return shown


def _limit_value(result: CheckResult) -> str | None:
    """The limit's figure for this patient, e.g. ``14 mg/h`` (a hard one without its per-kg)."""
    if result.limit is None:
        return None
    return result.limit.value.split(" (", 1)[0]


def _scope(protocol: Protocol | None) -> str:
    if protocol is None:
        return "product-wide limits, no protocol named"
    return f"protocol {protocol.id} {protocol.version}"


def _fit(summary: str, tail: str) -> str:
    """The summary with its tail when both fit under 140 characters, else without it."""
    if len(summary) + len(tail) <= SUMMARY_MAX:
        return summary + tail
    return summary if len(summary) <= SUMMARY_MAX else summary[: SUMMARY_MAX - 1] + "…"


def summary_of(context: OrderContext, result: CheckResult) -> str:
    """The card's summary: the verdict and the limit it names."""
    shown = _written(context.order, context.weight)
    scope = _scope(context.protocol)
    limit = _limit_value(result)
    if result.hard:
        return _fit(f"Ketamine {shown} is at or above the hard limit of {limit}", ": refused")
    if not result.within:
        if limit is None:
            return _fit(f"Ketamine {shown} is outside {scope}", ": physician review needed")
        return _fit(
            f"Ketamine {shown} is above the soft limit of {limit} ({scope})",
            ": physician override needed",
        )
    tail = f" (ceiling {limit})" if limit is not None else ""
    return _fit(f"Ketamine {shown} is within {scope}", tail)


def detail_of(context: OrderContext, result: CheckResult) -> str:
    """The card's detail in Markdown: the order, the weight, the rule, its source, the reasons."""
    order, weight, protocol = context.order, context.weight, context.protocol
    verdict = {
        "within_protocol": "within the protocol",
        "soft_limit_exceeded": "above a soft limit",
        "hard_limit_exceeded": "at or above a hard limit",
    }[result.verdict]
    measured = f", measured {weight.at.isoformat()}" if weight.at is not None else ""
    route = order.route.value if order.route is not None else "not stated (checked as iv)"
    lines = [
        f"**{verdict.capitalize()}.**",
        "",
        f"- Order: {_written(order, weight)}, route {route} ({order.reference})",
        f"- Weight: {weight.weight}{measured}",
        f"- Per kg: {result.per_kg}",
    ]
    if protocol is not None:
        lines.append(f"- Protocol: {protocol.title}, `{protocol.id}` version {protocol.version}")
    else:
        lines.append("- Protocol: none named; the product-wide limits and default ceilings apply")
    if result.limit is not None:
        limit = result.limit
        lines.append(f"- Rule: `{limit.id}` ({limit.kind} limit, {limit.value}): {limit.text}")
        lines += [f"- Source: {source}" for source in limit.sources]
    lines += ["", *(f"- {reason}" for reason in result.reasons)]
    if result.override:
        lines += ["", result.override]
    if context.notes:
        lines += ["", *(f"- {note}" for note in context.notes)]
    lines += ["", f"_{DECISION_SUPPORT_NOTICE}_"]
    return "\n".join(lines)


def _floor(value: float, step: float) -> float:
    return math.floor(value / step + 1e-9) * step


def figure(text: str) -> Rate | Mass | None:
    """A limit's figure as the check writes it (``14 mg/h``, ``70 mg``), without parsing units."""
    number, _, unit = text.partition(" ")
    if unit == ONE_MG_PER_H.canonical_symbol():
        return ONE_MG_PER_H.scaled(float(number))
    if unit == ONE_MG.canonical_symbol():
        return ONE_MG.scaled(float(number))
    found = parse_quantity(text)
    return found if isinstance(found, Rate | Mass) else None


def _target(context: OrderContext, result: CheckResult) -> Rate | Mass | None:
    """The protocol's ceiling this order could be rewritten to, if there is one below the hard."""
    if result.within or result.limit is None:
        return None
    if result.limit.kind == "soft":
        return figure(result.limit.value)
    hard = figure(_limit_value(result) or "")
    if hard is None:
        return None
    probe = _recheck(context, hard.scaled(_BELOW_HARD))
    if probe.within or probe.limit is None or probe.limit.kind != "soft":
        return None
    return figure(probe.limit.value)


def _recheck(context: OrderContext, value: Rate | Mass) -> CheckResult:
    order = context.order
    changed = (
        replace(order, rate=value, dose=None)
        if isinstance(value, Rate)
        else replace(order, dose=value, rate=None)
    )
    return check_order(changed, context.protocol, context.weight, context.limits)


def suggestion_of(context: OrderContext, result: CheckResult) -> Suggestion | None:
    """Rewrite the order to the protocol's ceiling, when that is within the protocol."""
    target = _target(context, result)
    if target is None:
        return None
    order, body = context.order, context.weight.weight
    per_kg = isinstance(order.rate, PerKgRate) or isinstance(order.dose, PerKgMass)
    if isinstance(target, Rate):
        value = (
            _floor(target.per_weight(body).magnitude(), 0.001)
            if per_kg
            else _floor(target.mg_per_h, 0.1)
        )
        unit = "mg/kg/h" if per_kg else "mg/h"
        written: Rate | Mass = (
            ONE_MG_PER_KG_PER_H.scaled(value).for_weight(body)
            if per_kg
            else ONE_MG_PER_H.scaled(value)
        )
        field = "rateQuantity"
    else:
        value = (
            _floor(target.per_weight(body).magnitude(), 0.001) if per_kg else _floor(target.mg, 0.1)
        )
        unit = "mg/kg" if per_kg else "mg"
        written = ONE_MG_PER_KG.scaled(value).for_weight(body) if per_kg else ONE_MG.scaled(value)
        field = "doseQuantity"
    if not value > 0 or not _recheck(context, written).within:
        return None
    resource = copy.deepcopy(order.resource)
    entry = resource["dosageInstruction"][0]["doseAndRate"][0]
    entry[field] = {"value": round(value, 6), "unit": unit, "system": UCUM, "code": UCUM_OF[unit]}
    shown = f"{num(value)} {unit}"
    return Suggestion(
        label=f"Change the order to {_ceiling_name(context)} of {shown}",
        uuid=uuid.uuid5(context.card_id, "ceiling"),
        isRecommended=True,
        actions=[
            Action(
                type="update",
                description=f"Set the ketamine {'rate' if field == 'rateQuantity' else 'dose'} "
                f"to {shown} ({_limit_source(result)}).",
                resource=resource,
            )
        ],
    )


def _ceiling_name(context: OrderContext) -> str:
    return "the protocol's ceiling" if context.protocol is not None else "the product-wide ceiling"


def _limit_source(result: CheckResult) -> str:
    limit = result.limit
    return "the protocol's ceiling" if limit is None else f"rule {limit.id}"


def order_card(context: OrderContext) -> Card:
    """The card for one ketamine order."""
    try:
        result = check_order(context.order, context.protocol, context.weight, context.limits)
    except UserInputError as error:
        return refused_card(context, str(error))
    suggestion = suggestion_of(context, result)
    warning = result.verdict == "soft_limit_exceeded"
    return Card(
        uuid=context.card_id,
        summary=summary_of(context, result),
        detail=detail_of(context, result),
        indicator=_INDICATOR[result.verdict],
        source=context.source,
        suggestions=[suggestion] if suggestion is not None else None,
        selectionBehavior="at-most-one" if suggestion is not None else None,
        overrideReasons=list(OVERRIDE_REASONS) if warning else None,
        links=list(context.links) or None,
    )


def refused_card(context: OrderContext, sentence: str) -> Card:
    """A figure the check refuses before any limit (an entry error): critical, with why."""
    return Card(
        uuid=context.card_id,
        summary=_fit("Ketamine order refused: not a ketamine dose the product can check", ""),
        detail="\n".join(
            [
                f"**{sentence[0].upper()}{sentence[1:]}.**",
                "",
                *(f"- {n}" for n in context.notes),
                "",
                f"_{DECISION_SUPPORT_NOTICE}_",
            ]
        ),
        indicator="critical",
        source=context.source,
        links=list(context.links) or None,
    )


def unreadable_card(
    card_id: uuid.UUID, where: str, sentence: str, source: Source, links: tuple[Link, ...]
) -> Card:
    """An order recognised as ketamine that the check cannot read: a warning saying why."""
    return Card(
        uuid=card_id,
        summary=_fit("Ketamine order not checked: the product cannot read its dose", ""),
        detail=f"**{sentence[0].upper()}{sentence[1:]}.**\n\nThe order ({where}) was not "
        f"checked against any limit.\n\n_{DECISION_SUPPORT_NOTICE}_",
        indicator="warning",
        source=source,
        links=list(links) or None,
    )
