"""Plain-text views of plans, checks and protocols, for a clinician to read."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ketamine_cds.domain.protocols.figures import num

if TYPE_CHECKING:  # a check renders without the plan's output models
    from ketamine_cds.domain.protocols.check import CheckResult
    from ketamine_cds.domain.protocols.plan_output import PhaseOut, PlanOut, RuleOut
    from ketamine_cds.domain.protocols.schema import Protocol

VERDICT_WORDS = {
    "within_protocol": "WITHIN PROTOCOL",
    "soft_limit_exceeded": "SOFT LIMIT EXCEEDED — needs a physician's reasoned override",
    "hard_limit_exceeded": "HARD LIMIT EXCEEDED — refused; nothing overrides a hard limit",
}


def _rule(rule: RuleOut) -> str:
    return f"  - {rule.text} [{rule.id}; {rule.source}]"


def _section(title: str, rules: list[RuleOut]) -> list[str]:
    if not rules:
        return []
    return ["", f"{title}:", *[_rule(rule) for rule in rules]]


def _mg_h(value: float | None) -> str:
    return "" if value is None else f"{num(value)} mg/h"


def _dose_lines(phase: PhaseOut, concentration: float) -> list[str]:
    lines: list[str] = []
    if phase.rate_unspecified is not None:
        lines.append(f"    rate: set by the clinician — {phase.rate_unspecified.text}")
    if phase.kind == "continuous" and phase.rate_mg_per_h is not None:
        note = ""
        if phase.rate_range_mg_per_h:
            low, high = phase.rate_range_mg_per_h
            note = f" (range {num(low)}-{num(high)} mg/h; the plan starts at the lower end)"
        lines.append(
            f"    rate: {_mg_h(phase.rate_mg_per_h)} = {num(phase.rate_ml_per_h or 0)} mL/h at "
            f"{num(concentration)} mg/mL → pump {phase.rate_ml_per_h_pump} mL/h{note}"
        )
    if phase.kind == "timed_infusion":
        lines.append(
            f"    dose: {num(phase.dose_mg or 0)} mg over {num(phase.over_h or 0)} h = "
            f"{_mg_h(phase.rate_mg_per_h)} = pump {phase.rate_ml_per_h_pump} mL/h"
        )
    if phase.kind in {"bolus", "divided_doses"} and phase.dose_mg is not None:
        note = ""
        if phase.dose_range_mg:
            note = f" (range {num(phase.dose_range_mg[0])}-{num(phase.dose_range_mg[1])} mg)"
        per_day = f", {phase.doses_per_day} times a day" if phase.doses_per_day else ""
        over = f" over {num(phase.over_h * 60)} min" if phase.over_h else ""
        lines.append(
            f"    dose: {num(phase.dose_mg)} mg = {num(phase.dose_ml or 0)} mL{over}{per_day}{note}"
        )
    if phase.daily_dose_mg is not None:
        lines.append(f"    daily total: {num(phase.daily_dose_mg)} mg/24 h")
    lines += _timing_lines(phase)
    lines.extend(f"    with: {companion}" for companion in phase.companions)
    return lines


def _timing_lines(phase: PhaseOut) -> list[str]:
    lines = []
    for label, hours, hour_span in (
        ("duration", phase.duration_h, phase.duration_range_h),
        ("interval", phase.interval_h, phase.interval_range_h),
    ):
        if hour_span:
            lines.append(f"    {label}: {num(hour_span[0])}-{num(hour_span[1])} h")
        elif hours is not None:
            lines.append(f"    {label}: {num(hours)} h")
    if phase.repeat:
        lines.append(f"    repeat: {phase.repeat}")
    return lines


def _limit_lines(phase: PhaseOut) -> list[str]:
    ceiling = phase.ceiling
    value = []
    if phase.ceiling_rate_mg_per_h is not None and phase.kind != "bolus":
        value.append(f"{_mg_h(phase.ceiling_rate_mg_per_h)}")
        if phase.ceiling_rate_ml_per_h_pump is not None:
            value[-1] += f" (pump {phase.ceiling_rate_ml_per_h_pump} mL/h)"
    if phase.ceiling_dose_mg is not None:
        per = "in total" if phase.kind == "timed_infusion" else "per dose"
        value.append(f"{num(phase.ceiling_dose_mg)} mg {per}")
    origin = "product default" if ceiling.from_product_default else "protocol"
    lines = [
        (
            f"    soft ceiling ({origin}): {' / '.join(value) or 'none'} — {ceiling.rule.text} "
            f"[{ceiling.rule.id}; {ceiling.rule.source}]"
        )
    ]
    lines.extend(f"      from: {candidate}" for candidate in ceiling.candidates)
    lines.append(
        f"    hard limits: {num(phase.hard_limit_rate_mg_per_h)} mg/h infused, "
        f"{num(phase.hard_limit_dose_mg)} mg at once"
    )
    if phase.dose_band is not None:
        lines.append(f"    dose band: {phase.dose_band.text} [{phase.dose_band.source}]")
    if phase.ceiling_dose_band is not None and phase.kind != "bolus":
        lines.append(f"    dose band at the ceiling: {phase.ceiling_dose_band.text}")
    return lines


def _titration_lines(phase: PhaseOut) -> list[str]:
    titration = phase.titration
    if titration is None:
        return ["    titration: none (fixed dose)"]
    rule = titration.rule
    if titration.unspecified:
        return [
            f"    titration: not stated by the source — the clinician decides. {_rule(rule)[4:]}"
        ]
    how = ""
    if titration.step_mg_per_h is not None:
        how = f"{titration.direction} {num(titration.step_mg_per_h)} mg/h"
    elif titration.step_percent is not None:
        low, high = titration.step_percent
        how = f"{titration.direction} {num(low)}-{num(high)} %" if low != high else f"{num(low)} %"
    elif titration.schedule_mg_per_h:
        how = "steps " + " → ".join(f"{num(s)} mg/h" for s in titration.schedule_mg_per_h)
    every = (
        f"{num(titration.interval_range_h[0])}-{num(titration.interval_range_h[1])} h"
        if titration.interval_range_h
        else f"{num(titration.interval_h or 0)} h"
    )
    wait = ""
    if titration.wait_half_lives:
        half_life = num(titration.half_life_h or 0)
        wait = f"; wait {titration.wait_half_lives} half-lives ({half_life} h each)"
    return [f"    titration: {how} every {every} when {titration.when}{wait}", f"  {_rule(rule)}"]


def render_plan(plan: PlanOut) -> str:
    """The plan as a clinician reads it."""
    p = plan.protocol
    weight = plan.patient.weight_conversion or f"{num(plan.patient.weight_kg)} kg"
    lines = [
        f"{p.title} — {p.id} v{p.version} ({p.kind.replace('_', ' ')})",
        f"Patient weight: {weight}",
        f"Bag concentration: {plan.concentration_note}",
        f"Rounding: {plan.rounding}",
        "Sources:",
        *[f"  - {source}" for source in p.sources],
    ]
    for phase in plan.phases:
        routes = ", ".join([phase.route, *phase.routes_allowed])
        lines += ["", f"Phase {phase.id}: {phase.title} ({phase.kind}; route {routes})"]
        lines += [f"  {_rule(phase.rules[0])}"]
        lines += _dose_lines(phase, plan.concentration_mg_per_ml)
        lines += _titration_lines(phase)
        lines += _limit_lines(phase)
        lines += [f"  {_rule(rule)}" for rule in phase.rules[1:]]
    lines += _section("Monitoring", plan.monitoring)
    lines += _section("Notify the responsible team if", plan.notify_if)
    lines += _section("Stop if", plan.stop_if)
    lines += _section("Side effects", plan.side_effects)
    if plan.prn:
        lines += ["", "As needed (PRN):"]
        for prn in plan.prn:
            route = prn.route or "route not stated"
            lines.append(f"  - {prn.drug} {prn.dose} {route}: {prn.text} [{prn.id}; {prn.source}]")
    lines += _section("Taper and stopping", plan.taper)
    lines += _section("Transitions", plan.transitions)
    lines += _section("Orders", plan.orders)
    lines += _section("Eligibility", plan.eligibility)
    lines += _section("Readings of ambiguous text", plan.readings)
    lines += _section("Where the source is silent (the clinician decides)", plan.unspecified)
    lines += ["", "Hard limits (product-wide; nothing overrides them):"]
    lines += [
        f"  - {h.id}: {h.limit} = {h.limit_for_patient} for this patient — {h.text}"
        for h in plan.hard_limits
    ]
    lines += ["", f"Dose bands ({plan.dose_band_source}):"]
    lines += [f"  - {band}" for band in plan.dose_bands]
    if plan.warnings:
        lines += ["", "Warnings:", *[f"  ! {warning}" for warning in plan.warnings]]
    return "\n".join(lines)


def render_check(result: CheckResult) -> str:
    """The verdict of a dose check with its limit, source and what an override needs."""
    lines = [
        f"{VERDICT_WORDS[result.verdict]}",
        f"Checked: {result.checked} ({result.per_kg}) for {result.weight}, "
        f"protocol {result.protocol_id} v{result.protocol_version}"
        + (f", phase {result.phase_id}" if result.phase_id else ""),
        *[f"  - {reason}" for reason in result.reasons],
    ]
    if result.limit is not None:
        limit = result.limit
        lines.append(f"Limit ({limit.kind}): {limit.value} [{limit.id}] — {limit.text}")
        lines += [f"  source: {source}" for source in limit.sources]
    if result.dose_bands:
        lines.append(f"Dose bands (seed 004 Appendix 2): {', '.join(result.dose_bands)}")
    if result.override:
        lines.append(f"Override: {result.override}")
    return "\n".join(lines)


def render_protocol_list(protocols: list[Protocol]) -> str:
    """One line a protocol."""
    width = max(len(p.id) for p in protocols)
    return "\n".join(
        f"{p.id:<{width}}  v{p.version}  {p.kind.replace('_', ' '):<22} {p.title}"
        for p in protocols
    )
