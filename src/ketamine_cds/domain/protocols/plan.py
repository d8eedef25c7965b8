"""The dose plan: a protocol's phases, limits and orders made concrete for one patient."""

from __future__ import annotations

from decimal import ROUND_FLOOR, ROUND_HALF_UP, Decimal

from ketamine_cds import DECISION_SUPPORT_NOTICE
from ketamine_cds.domain.errors import UserInputError
from ketamine_cds.domain.protocols.check import CheckResult, check_dose, check_rate
from ketamine_cds.domain.protocols.fields import Span, high_end, low_end
from ketamine_cds.domain.protocols.figures import exact, num
from ketamine_cds.domain.protocols.limits import LimitTable
from ketamine_cds.domain.protocols.plan_output import (
    BandOut,
    CeilingOut,
    CheckOut,
    HardLimitOut,
    PatientOut,
    PhaseOut,
    PlanOut,
    PrnOut,
    ProtocolOut,
    RuleOut,
    TitrationOut,
)
from ketamine_cds.domain.protocols.resolve import (
    ResolvedPhase,
    amount_range,
    rate_for,
    resolve_phase,
)
from ketamine_cds.domain.protocols.schema import (
    EligibilityGroup,
    Protocol,
    Rule,
    Titration,
    Unspecified,
)
from ketamine_cds.domain.units import (
    BodyWeight,
    Concentration,
    Duration,
    Mass,
    PerKgMass,
    PerKgRate,
    Rate,
)

PUMP_STEP = Decimal("0.1")
ROUNDING = (
    "Doses and rates are shown exactly; pump rates are also given rounded to the nearest "
    "0.1 mL/h for programming, and pump ceilings rounded down to 0.1 mL/h so a programmed "
    "ceiling never exceeds the protocol's."
)
DEFAULT_CONCENTRATION = Concentration.of(1, "mg/mL")


def pump_rate(ml_per_h: float, *, ceiling: bool = False) -> float:
    """A rate a pump can be set to: nearest 0.1 mL/h, or rounded down for a ceiling."""
    mode = ROUND_FLOOR if ceiling else ROUND_HALF_UP
    return float(Decimal(repr(ml_per_h)).quantize(PUMP_STEP, rounding=mode))


def check_out(result: CheckResult) -> CheckOut:
    """A dose check's verdict as it travels with the figure it judged."""
    limit = result.limit
    return CheckOut(
        verdict=result.verdict,
        checked=result.checked,
        kind=result.kind,
        route=result.route.value,
        limit_id=None if limit is None else limit.id,
        limit_kind=None if limit is None else limit.kind,
        limit_value=None if limit is None else limit.value,
        reasons=list(result.reasons),
    )


def rule_out(rule: Rule) -> RuleOut:
    """A rule as the plan shows it."""
    return RuleOut(id=rule.id, text=rule.text, source=str(rule.source))


def _hours(value: Duration | Span[Duration] | None) -> tuple[float | None, list[float] | None]:
    if value is None:
        return None, None
    low, high = low_end(value), high_end(value)
    span = [exact(low.hours), exact(high.hours)] if isinstance(value, Span) else None
    return exact(low.hours), span


def _band(value: PerKgRate | PerKgMass | None, limits: LimitTable) -> BandOut | None:
    if value is None:
        return None
    bands = limits.bands_for(value)
    shown = (
        PerKgRate.of(exact(value.magnitude()), "mg/kg_bw/hour")
        if isinstance(value, PerKgRate)
        else PerKgMass.of(exact(value.magnitude()), "mg/kg_bw")
    )
    if bands:
        text = f"{shown} is in: " + "; ".join(band.describe() for band in bands)
    else:
        lowest = min(
            (b for b in limits.dose_bands.bands if type(b.low) is type(value)),
            key=lambda b: b.low.magnitude(),  # type: ignore[union-attr]
        )
        text = f"{shown} is below the lowest band ({lowest.describe()})"
    return BandOut(
        value=str(shown),
        bands=[band.id for band in bands],
        text=text,
        source=str(limits.dose_bands.source),
    )


def _titration(
    titration: Titration | Unspecified | None, weight: BodyWeight
) -> TitrationOut | None:
    if titration is None:
        return None
    if isinstance(titration, Unspecified):
        return TitrationOut(rule=rule_out(titration), unspecified=True)
    interval, interval_span = _hours(titration.interval)
    step_rate = step_mg = None
    if isinstance(titration.step, Rate | PerKgRate):
        step_rate = exact(rate_for(titration.step, weight).mg_per_h)
    elif isinstance(titration.step, Mass | PerKgMass):
        step_mg = exact(amount_range(titration.step, weight)[0].mg)
    schedule = None
    if titration.schedule is not None:
        schedule = [exact(rate_for(low_end(s), weight).mg_per_h) for s in titration.schedule]
    return TitrationOut(
        rule=rule_out(titration),
        when=titration.when,
        direction=titration.direction,
        step_mg_per_h=step_rate,
        step_mg=step_mg,
        step_percent=list(titration.step_percent) if titration.step_percent else None,
        schedule_mg_per_h=schedule,
        interval_h=interval,
        interval_range_h=interval_span,
        wait_half_lives=titration.wait_half_lives,
        half_life_h=None if titration.half_life is None else exact(titration.half_life.hours),
    )


def _phase_out(
    resolved: ResolvedPhase,
    concentration: Concentration,
    limits: LimitTable,
    verdict: CheckResult | None,
) -> PhaseOut:
    phase, weight, ceiling = resolved.phase, resolved.weight, resolved.ceiling
    _, hard_rate = limits.hard_rate(phase.route)
    _, hard_dose = limits.hard_dose(phase.route)
    _, hard_daily = limits.hard_daily()
    rate = resolved.rate
    ml = None if rate is None else rate.volume_rate(concentration).ml_per_h
    over, _ = _hours(resolved.over)
    duration, duration_span = _hours(phase.duration)
    interval, interval_span = _hours(phase.interval)
    ceiling_ml = None
    if ceiling.rate is not None:
        ceiling_ml = pump_rate(ceiling.rate.volume_rate(concentration).ml_per_h, ceiling=True)
    infused = phase.kind in {"continuous", "timed_infusion"}
    dose_ml = None
    if resolved.dose is not None:
        dose_ml = exact(resolved.dose.mg / concentration.magnitude("mg/mL"))
    repeat = None
    if phase.repeat is not None:
        times = phase.repeat.times
        count = f"{times[0]}-{times[1]}" if isinstance(times, tuple) else str(times)
        repeat = f"every {phase.repeat.every}, {count} times"
    return PhaseOut(
        id=phase.id,
        title=phase.title,
        kind=phase.kind,
        route=phase.route.value,
        routes_allowed=[route.value for route in phase.routes_allowed or []],
        rate_mg_per_h=None if rate is None else exact(rate.mg_per_h),
        rate_range_mg_per_h=_span_mg_per_h(resolved.rate_range),
        rate_ml_per_h=None if ml is None or not infused else exact(ml),
        rate_ml_per_h_pump=None if ml is None or not infused else pump_rate(ml),
        rate_unspecified=None
        if phase.rate_unspecified is None
        else rule_out(phase.rate_unspecified),
        dose_mg=None if resolved.dose is None else exact(resolved.dose.mg),
        dose_range_mg=_span_mg(resolved.dose_range),
        dose_ml=dose_ml,
        daily_dose_mg=None if resolved.daily is None else exact(resolved.daily.mg),
        over_h=over,
        over_options_h=[exact(d.hours) for d in phase.over_options],
        duration_h=duration,
        duration_range_h=duration_span,
        duration_options_h=[exact(d.hours) for d in phase.duration_options],
        doses_per_day=phase.doses_per_day,
        interval_h=interval,
        interval_range_h=interval_span,
        repeat=repeat,
        ceiling_rate_mg_per_h=None if ceiling.rate is None else exact(ceiling.rate.mg_per_h),
        ceiling_rate_ml_per_h_pump=ceiling_ml if infused else None,
        ceiling_dose_mg=None if ceiling.dose is None else exact(ceiling.dose.mg),
        ceiling=CeilingOut(
            rule=RuleOut(
                id=ceiling.rule_id,
                text=ceiling.text,
                source="; ".join(str(s) for s in ceiling.sources),
            ),
            from_product_default=ceiling.from_product_default,
            candidates=[f"{c.id}: {c.limit} = {v}" for c, v in ceiling.candidates],
        ),
        hard_limit_rate_mg_per_h=exact(hard_rate.for_weight(weight).mg_per_h),
        hard_limit_dose_mg=exact(hard_dose.for_weight(weight).mg),
        hard_limit_daily_mg=exact(hard_daily.for_weight(weight).mg_per_day),
        check=None if verdict is None else check_out(verdict),
        titration=_titration(phase.titration, weight),
        dose_band=_band(_classified(resolved), limits),
        ceiling_dose_band=_band(
            None if ceiling.rate is None else ceiling.rate.per_weight(weight), limits
        ),
        companions=[f"{c.drug} {c.dose} {c.route.value} ({c.source})" for c in phase.companions],
        rules=[rule_out(phase), *[rule_out(rule) for rule in phase.rules]],
    )


def _classified(resolved: ResolvedPhase) -> PerKgRate | PerKgMass | None:
    """Boluses are banded by dose; everything infused or divided by its rate."""
    if resolved.phase.kind == "bolus":
        return resolved.per_kg_dose
    return resolved.per_kg_rate


def _span_mg_per_h(span: tuple[Rate, Rate] | None) -> list[float] | None:
    if span is None or span[0] == span[1]:
        return None
    return [exact(span[0].mg_per_h), exact(span[1].mg_per_h)]


def _span_mg(span: tuple[Mass, Mass] | None) -> list[float] | None:
    if span is None or span[0] == span[1]:
        return None
    return [exact(span[0].mg), exact(span[1].mg)]


def _rules(value: list[Rule] | Unspecified | Rule | None) -> list[RuleOut]:
    if value is None:
        return []
    if isinstance(value, list):
        return [rule_out(rule) for rule in value]
    return [rule_out(value)]


def _eligibility(group: EligibilityGroup | None) -> list[RuleOut]:
    if group is None:
        return []
    found = [rule_out(group)]
    for item in group.items:
        found += _eligibility(item) if isinstance(item, EligibilityGroup) else [rule_out(item)]
    return found


def _prn_out(protocol: Protocol) -> list[PrnOut]:
    found = []
    for prn in protocol.prn:
        low, high = amount_range(prn.dose, BodyWeight.from_kg(1))
        found.append(
            PrnOut(
                id=prn.id,
                drug=prn.drug,
                dose=str(prn.dose),
                dose_mg=exact(low.mg),
                dose_range_mg=None if low == high else [exact(low.mg), exact(high.mg)],
                route=None if prn.route is None else prn.route.value,
                interval_h=None if prn.interval is None else exact(prn.interval.hours),
                max_doses=prn.max_doses,
                at_start=prn.at_start,
                for_symptoms=[s.value for s in prn.for_symptoms],
                alternative_to=prn.alternative_to,
                text=prn.text,
                source=str(prn.source),
            )
        )
    return found


def check_phase(
    protocol: Protocol, item: ResolvedPhase, limits: LimitTable
) -> CheckResult | None:
    """The phase's own starting figure through the one dose check (None: no figure given)."""
    phase, weight = item.phase, item.weight
    if phase.kind == "continuous":
        if item.rate is None:
            return None
        return check_rate(protocol, weight, item.rate, limits, phase_id=phase.id, route=phase.route)
    if item.dose is None:
        if item.rate is None:
            return None
        return check_rate(protocol, weight, item.rate, limits, phase_id=phase.id, route=phase.route)
    over = item.over if phase.kind in {"timed_infusion", "bolus"} else None
    return check_dose(
        protocol, weight, item.dose, limits, over=over, phase_id=phase.id, route=phase.route
    )


def _refuse(item: ResolvedPhase, verdict: CheckResult) -> None:
    """A start the dose check refuses (hard) or that breaks the phase's own ceiling (soft)."""
    phase = item.phase
    if verdict.hard:
        limit = verdict.limit
        assert limit is not None  # noqa: S101 - a hard verdict names its limit
        raise UserInputError(
            f"phase '{phase.id}' would start at {verdict.checked}, at or above the hard limit of "
            f"{limit.value} for {item.weight} ({limit.id})"
        )
    if not verdict.within:
        limit = verdict.limit
        shown = f" of {limit.value} ({limit.id})" if limit is not None else ""
        raise UserInputError(
            f"for {item.weight}, phase '{phase.id}' would start at {verdict.checked}, above its "
            f"own ceiling{shown}; the protocol does not fit this weight as written and a "
            "physician must choose the dose"
        )


def _warnings(resolved: list[ResolvedPhase], limits: LimitTable) -> list[str]:
    """Say where a source's ceiling reaches a hard limit, or a phase's route changes exposure."""
    warnings: list[str] = []
    for item in resolved:
        phase, weight = item.phase, item.weight
        hard_rule, hard_rate = limits.hard_rate(phase.route)
        dose_rule, hard_dose = limits.hard_dose(phase.route)
        rate_limit = hard_rate.for_weight(weight)
        dose_limit = hard_dose.for_weight(weight)
        ceiling = item.ceiling.rate
        if ceiling is not None and ceiling >= rate_limit and phase.kind != "bolus":
            warnings.append(
                f"Phase '{phase.id}': the soft ceiling of {num(ceiling.mg_per_h)} mg/h is at or "
                f"above the hard limit of {num(rate_limit.mg_per_h)} mg/h for this weight "
                f"({hard_rule.id}); rates from {num(rate_limit.mg_per_h)} mg/h are refused."
            )
        dose_ceiling = item.ceiling.dose
        if (
            dose_ceiling is not None
            and phase.kind != "timed_infusion"
            and dose_ceiling >= dose_limit
        ):
            warnings.append(
                f"Phase '{phase.id}': the soft ceiling of {num(dose_ceiling.mg)} mg per dose is at "
                f"or above the hard limit of {num(dose_limit.mg)} mg at once ({dose_rule.id}); "
                f"single doses from {num(dose_limit.mg)} mg are refused."
            )
        if item.ceiling.from_product_default:
            default = (
                limits.default_soft_bolus.limit
                if phase.kind == "bolus"
                else limits.default_soft_ceiling.limit
            )
            warnings.append(
                f"Phase '{phase.id}': the source states no maximum; the product-wide soft "
                f"ceiling of {default} applies."
            )
        if phase.route.value not in {"iv", "sc", "im"}:
            warnings.append(
                f"Phase '{phase.id}' is given by the {phase.route.value} route; the dose bands "
                "are for parenteral doses and the bioavailability differs (seed 003: oral about "
                "23 %, sublingual about 32 %)."
            )
    return warnings


def build_plan(
    protocol: Protocol,
    weight: BodyWeight,
    limits: LimitTable,
    concentration: Concentration | None = None,
) -> PlanOut:
    """The dose plan of ``protocol`` for a patient of ``weight``."""
    limits.check_weight(weight)
    bag = concentration or DEFAULT_CONCENTRATION
    if not (0 < bag.magnitude("mg/mL") <= 100):
        raise UserInputError(
            f"a bag concentration of {bag} is outside 0-100 mg/mL (ketamine is supplied at "
            "10, 50 or 100 mg/mL and diluted from those)"
        )
    resolved = [resolve_phase(phase, weight, limits) for phase in protocol.phases]
    verdicts = [check_phase(protocol, item, limits) for item in resolved]
    for item, verdict in zip(resolved, verdicts, strict=True):
        if verdict is not None:
            _refuse(item, verdict)
    warnings = _warnings(resolved, limits)
    hard = [
        HardLimitOut(
            id=limit.id,
            applies_to=limit.applies_to,
            kind=limit.kind,
            routes=[route.value for route in limit.routes],
            limit=str(limit.limit),
            limit_for_patient=str(_for_patient(limit.limit, weight)),
            text=limit.text,
            sources=[str(source) for source in limit.sources],
        )
        for limit in limits.hard_limits
    ]
    note = "stated by the user" if concentration is not None else "default; give the bag's own"
    return PlanOut(
        decision_support=DECISION_SUPPORT_NOTICE,
        protocol=ProtocolOut(
            id=protocol.id,
            version=protocol.version,
            title=protocol.title,
            kind=protocol.kind,
            population=protocol.population,
            setting=protocol.setting,
            indications=protocol.indications,
            sources=[f"{ref.id}: {ref.citation}" for ref in protocol.references],
            schema_version=protocol.schema_version,
        ),
        patient=PatientOut(
            weight_kg=exact(weight.kg),
            weight_entered=weight.entered,
            weight_conversion=weight.conversion,
        ),
        concentration_mg_per_ml=exact(bag.magnitude("mg/mL")),
        concentration_note=f"{bag} ({note})",
        rounding=ROUNDING,
        phases=[
            _phase_out(item, bag, limits, verdict)
            for item, verdict in zip(resolved, verdicts, strict=True)
        ],
        monitoring=_rules(protocol.monitoring),  # type: ignore[arg-type]
        notify_if=_rules(protocol.notify_if),  # type: ignore[arg-type]
        stop_if=_rules(protocol.stop_if),  # type: ignore[arg-type]
        side_effects=_rules(protocol.side_effects),  # type: ignore[arg-type]
        prn=_prn_out(protocol),
        taper=_rules(protocol.taper),
        transitions=_transitions(protocol),
        orders=_rules(protocol.orders),
        readings=_rules(protocol.readings),
        eligibility=_eligibility(protocol.eligibility),
        unspecified=_rules(protocol.unspecified),  # type: ignore[arg-type]
        hard_limits=hard,
        dose_bands=[band.describe() for band in limits.dose_bands.bands],
        dose_band_source=str(limits.dose_bands.source),
        warnings=warnings,
    )


def _for_patient(limit: object, weight: BodyWeight) -> object:
    if isinstance(limit, PerKgRate | PerKgMass):
        value = limit.for_weight(weight)
        return type(value).of(exact(value.magnitude()), value.canonical)
    return limit


def _transitions(protocol: Protocol) -> list[RuleOut]:
    found = []
    for transition in protocol.transitions:
        found.append(rule_out(transition))
        found += [rule_out(conversion) for conversion in transition.conversions]
        found += [rule_out(drug) for drug in transition.start_drugs]
    return found
