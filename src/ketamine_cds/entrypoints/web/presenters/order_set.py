"""The order set a pharmacist signs: a dose plan and the patient's identifiers as a view model.

The template ``order_set.html`` renders this for the page and, printed, for the PDF. Every
figure comes from the plan (``build_plan``) or, for the titration steps, from the one dose
check; nothing here computes a dose of its own. Rules keep their id and a numbered citation;
where the source is silent the view says so and leaves a line for the prescriber.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from ketamine_cds import DECISION_SUPPORT_NOTICE, __version__
from ketamine_cds.domain.assessment.evidence import EvidenceView
from ketamine_cds.domain.protocols.figures import exact, num
from ketamine_cds.domain.protocols.limits import LimitTable
from ketamine_cds.domain.protocols.plan_output import (
    CheckOut,
    HardLimitOut,
    PhaseOut,
    PlanOut,
    PrnOut,
    RuleOut,
)
from ketamine_cds.domain.protocols.schema import Protocol
from ketamine_cds.entrypoints.web.presenters.citations import Citation, Reference, References
from ketamine_cds.entrypoints.web.presenters.titration import (
    VERDICT_LABELS,
    TitrationTable,
    titration_table,
    wait_h,
)

KIND_WORDS = {
    "continuous": "continuous infusion",
    "timed_infusion": "timed infusion",
    "bolus": "bolus",
    "divided_doses": "divided doses",
}
EVIDENCE_UNASSESSED = (
    "No indication was assessed for this patient: the evidence for ketamine analgesia is graded "
    "by indication (levels I-IV, seed 003); see the patient's assessment before ordering."
)


@dataclass(frozen=True)
class PatientIdentifiers:
    """Who the order is for; a missing item prints as a line to fill in by hand."""

    name: str | None = None
    identifier: str | None = None
    date_of_birth: str | None = None
    location: str | None = None


@dataclass(frozen=True)
class RuleView:
    """A rule as printed: its words, its id and its citation."""

    id: str
    text: str
    citation: Citation


@dataclass(frozen=True)
class Figure:
    """One line of a phase's figures: a label, the value with its unit, and a remark."""

    label: str
    value: str
    remark: str = ""
    strong: bool = False


@dataclass(frozen=True)
class PhaseView:
    """A phase: what to give, its limits, its titration table and its rules."""

    id: str
    title: str
    kind: str
    route: str
    figures: tuple[Figure, ...]
    check: str
    check_ok: bool
    titration_rule: RuleView | None
    titration_words: str
    titration: TitrationTable | None
    rules: tuple[RuleView, ...]


@dataclass(frozen=True)
class PrnView:
    """An as-needed adjunct with its interval and maximum (or a line when the source is silent)."""

    drug: str
    dose: str
    route: str
    interval: str | None
    maximum: str | None
    for_symptoms: str
    rule: RuleView


@dataclass(frozen=True)
class HardLimitView:
    """A product-wide hard limit for this patient."""

    id: str
    limit: str
    for_patient: str
    text: str
    citations: tuple[Citation, ...]


@dataclass(frozen=True)
class EvidenceNote:
    """The evidence level beside the indication, or why none is shown."""

    level: str | None
    message: str
    statements: tuple[str, ...]
    source: str


@dataclass(frozen=True)
class OrderSetView:
    """Everything ``order_set.html`` prints."""

    notice: str
    generated_at: str
    software_version: str
    patient: PatientIdentifiers
    weight: str
    protocol_title: str
    protocol_id: str
    protocol_version: str
    protocol_kind: str
    population: str
    setting: str
    indications: tuple[str, ...]
    concentration: str
    concentration_note: str
    rounding: str
    phases: tuple[PhaseView, ...]
    hard_limits: tuple[HardLimitView, ...]
    monitoring: tuple[RuleView, ...]
    notify_if: tuple[RuleView, ...]
    stop_if: tuple[RuleView, ...]
    side_effects: tuple[RuleView, ...]
    prn: tuple[PrnView, ...]
    taper: tuple[RuleView, ...]
    transitions: tuple[RuleView, ...]
    orders: tuple[RuleView, ...]
    readings: tuple[RuleView, ...]
    unspecified: tuple[RuleView, ...]
    dose_bands: tuple[str, ...]
    dose_band_citation: Citation
    warnings: tuple[str, ...]
    evidence: EvidenceNote
    references: tuple[Reference, ...]


def order_set_view(  # noqa: PLR0913 - the plan, who it is for and what the checks need
    plan: PlanOut,
    patient: PatientIdentifiers,
    protocol: Protocol,
    limits: LimitTable,
    *,
    generated_at: datetime,
    evidence: EvidenceView | None = None,
) -> OrderSetView:
    """The order set of ``plan`` for ``patient``; ``protocol`` and ``limits`` check each step."""
    if protocol.id != plan.protocol.id or protocol.version != plan.protocol.version:
        raise ValueError(
            f"the plan is for {plan.protocol.id} v{plan.protocol.version}, the protocol given "
            f"is {protocol.id} v{protocol.version}"
        )
    refs = References.from_protocol(plan.protocol.sources)
    rules = _Rules(refs)
    weight = plan.patient.weight_conversion or f"{num(plan.patient.weight_kg)} kg"
    view = OrderSetView(
        notice=DECISION_SUPPORT_NOTICE,
        generated_at=f"{generated_at:%Y-%m-%d %H:%M %Z}".strip(),
        software_version=__version__,
        patient=patient,
        weight=weight,
        protocol_title=plan.protocol.title,
        protocol_id=plan.protocol.id,
        protocol_version=plan.protocol.version,
        protocol_kind=plan.protocol.kind.replace("_", " "),
        population=plan.protocol.population,
        setting=plan.protocol.setting,
        indications=tuple(plan.protocol.indications),
        concentration=f"{num(plan.concentration_mg_per_ml)} mg/mL",
        concentration_note=plan.concentration_note.removeprefix(
            f"{num(plan.concentration_mg_per_ml)} mg/mL"
        ).strip(),
        rounding=plan.rounding,
        phases=tuple(_phase(p, plan, protocol, limits, rules) for p in plan.phases),
        hard_limits=tuple(_hard(h, refs) for h in plan.hard_limits),
        monitoring=rules.all(plan.monitoring),
        notify_if=rules.all(plan.notify_if),
        stop_if=rules.all(plan.stop_if),
        side_effects=rules.all(plan.side_effects),
        prn=tuple(_prn(p, rules) for p in plan.prn),
        taper=rules.all(plan.taper),
        transitions=rules.all(plan.transitions),
        orders=rules.all(plan.orders),
        readings=rules.all(plan.readings),
        unspecified=rules.all(plan.unspecified),
        dose_bands=tuple(plan.dose_bands),
        dose_band_citation=refs.cite(plan.dose_band_source),
        warnings=tuple(plan.warnings),
        evidence=_evidence(evidence, refs),
        references=(),
    )
    # The references are complete only once every rule has been cited.
    return replace(view, references=tuple(refs.listed))


class _Rules:
    def __init__(self, refs: References) -> None:
        self.refs = refs

    def one(self, rule: RuleOut) -> RuleView:
        return RuleView(rule.id, rule.text, self.refs.cite(rule.source))

    def all(self, rules: list[RuleOut]) -> tuple[RuleView, ...]:
        return tuple(self.one(rule) for rule in rules)


def _check_words(check: CheckOut | None) -> tuple[str, bool]:
    if check is None:
        return "no single figure to check (the clinician sets it)", True
    label = VERDICT_LABELS.get(check.verdict, check.verdict)
    limit = (
        f" ({check.limit_kind} limit {check.limit_value}, {check.limit_id})"
        if check.limit_id
        else ""
    )
    return f"{check.checked}: {label}{limit}", check.verdict == "within_protocol"


def _phase(
    phase: PhaseOut, plan: PlanOut, protocol: Protocol, limits: LimitTable, rules: _Rules
) -> PhaseView:
    check, ok = _check_words(phase.check)
    titration = phase.titration
    table = titration_table(
        phase,
        protocol,
        limits,
        weight_kg=plan.patient.weight_kg,
        concentration_mg_per_ml=plan.concentration_mg_per_ml,
    )
    return PhaseView(
        id=phase.id,
        title=phase.title,
        kind=KIND_WORDS.get(phase.kind, phase.kind),
        route=", ".join([phase.route, *phase.routes_allowed]).upper(),
        figures=tuple(_figures(phase, plan.concentration_mg_per_ml)),
        check=check,
        check_ok=ok,
        titration_rule=None if titration is None else rules.one(titration.rule),
        titration_words=_titration_words(phase),
        titration=table,
        rules=rules.all(phase.rules),
    )


def _titration_words(phase: PhaseOut) -> str:
    titration = phase.titration
    if titration is None:
        return "No titration: the dose is fixed."
    if titration.unspecified:
        return "The source gives no titration: the prescriber writes each change."
    if titration.step_mg_per_h is not None:
        how = f"{titration.direction} {num(titration.step_mg_per_h)} mg/h"
    elif titration.step_mg is not None:
        how = f"{titration.direction} {num(titration.step_mg)} mg"
    elif titration.step_percent is not None:
        low, high = titration.step_percent
        how = f"{titration.direction} {num(low)}" + (f"-{num(high)}" if high != low else "") + " %"
    elif titration.schedule_mg_per_h:
        how = "schedule " + " → ".join(f"{num(exact(s))} mg/h" for s in titration.schedule_mg_per_h)
    else:
        how = titration.direction or "as the rule says"
    when = (titration.when or "").replace("_", " ")
    return f"Step {how}, at most every {num(wait_h(titration))} h, when {when}."


def _mg_h(value: float | None) -> str:
    return "" if value is None else f"{num(exact(value))} mg/h"


def _figures(phase: PhaseOut, concentration: float) -> list[Figure]:  # noqa: C901 - a line per figure the phase has
    figures: list[Figure] = []
    if phase.rate_unspecified is not None:
        figures.append(Figure("Rate", "set by the prescriber", phase.rate_unspecified.text))
    if phase.rate_mg_per_h is not None and phase.kind != "divided_doses":
        remark = ""
        if phase.rate_range_mg_per_h:
            low, high = phase.rate_range_mg_per_h
            remark = f"range {num(exact(low))}-{num(exact(high))} mg/h; the plan starts low"
        per_kg = phase.dose_band.value if phase.dose_band is not None else ""
        figures.append(
            Figure("Rate", _mg_h(phase.rate_mg_per_h), f"{per_kg} {remark}".strip(), strong=True)
        )
        if phase.rate_ml_per_h is not None:
            figures.append(
                Figure(
                    "Pump",
                    f"{phase.rate_ml_per_h_pump} mL/h",
                    f"{num(exact(phase.rate_ml_per_h))} mL/h exact at {num(concentration)} mg/mL",
                    strong=True,
                )
            )
    if phase.dose_mg is not None:
        over = f" over {num(exact(phase.over_h * 60))} min" if phase.over_h else ""
        remark = ""
        if phase.dose_range_mg:
            low, high = phase.dose_range_mg
            remark = f"range {num(exact(low))}-{num(exact(high))} mg"
        figures.append(Figure("Dose", f"{num(exact(phase.dose_mg))} mg{over}", remark, strong=True))
        if phase.dose_ml is not None:
            figures.append(
                Figure(
                    "Volume", f"{num(exact(phase.dose_ml))} mL", f"at {num(concentration)} mg/mL"
                )
            )
    if phase.doses_per_day:
        figures.append(Figure("Doses a day", str(phase.doses_per_day)))
    if phase.daily_dose_mg is not None:
        figures.append(Figure("Daily total", f"{num(exact(phase.daily_dose_mg))} mg/24 h"))
    figures += _timing(phase)
    if phase.ceiling_rate_mg_per_h is not None and phase.kind != "bolus":
        pump = phase.ceiling_rate_ml_per_h_pump
        figures.append(
            Figure(
                "Soft ceiling",
                _mg_h(phase.ceiling_rate_mg_per_h),
                (f"pump {pump} mL/h (rounded down); " if pump is not None else "")
                + ("product default" if phase.ceiling.from_product_default else "protocol")
                + f", {phase.ceiling.rule.id}",
                strong=True,
            )
        )
    if phase.ceiling_dose_mg is not None:
        per = "in total" if phase.kind == "timed_infusion" else "per dose"
        figures.append(
            Figure(
                "Soft ceiling",
                f"{num(exact(phase.ceiling_dose_mg))} mg {per}",
                phase.ceiling.rule.id,
            )
        )
    hard = (
        f"{num(exact(phase.hard_limit_rate_mg_per_h))} mg/h infused; "
        f"{num(exact(phase.hard_limit_dose_mg))} mg at once"
    )
    if phase.hard_limit_daily_mg is not None:
        hard += f"; {num(exact(phase.hard_limit_daily_mg))} mg in 24 h"
    figures.append(Figure("Hard limits", hard, "nothing overrides them"))
    figures.extend(Figure("With", companion) for companion in phase.companions)
    return figures


def _timing(phase: PhaseOut) -> list[Figure]:
    found = []
    for label, hours, span in (
        ("Duration", phase.duration_h, phase.duration_range_h),
        ("Interval", phase.interval_h, phase.interval_range_h),
    ):
        if span:
            found.append(Figure(label, f"{num(span[0])}-{num(span[1])} h"))
        elif hours is not None:
            found.append(Figure(label, f"{num(hours)} h"))
    if phase.repeat:
        found.append(Figure("Repeat", phase.repeat))
    return found


def _prn(prn: PrnOut, rules: _Rules) -> PrnView:
    return PrnView(
        drug=prn.drug,
        dose=prn.dose,
        route=(prn.route or "").upper(),
        interval=None if prn.interval_h is None else f"every {num(prn.interval_h)} h at most",
        maximum=None if prn.max_doses is None else f"{prn.max_doses} doses",
        for_symptoms=", ".join(prn.for_symptoms),
        rule=RuleView(prn.id, prn.text, rules.refs.cite(prn.source)),
    )


def _hard(limit: HardLimitOut, refs: References) -> HardLimitView:
    return HardLimitView(
        id=limit.id,
        limit=limit.limit,
        for_patient=limit.limit_for_patient,
        text=limit.text,
        citations=tuple(refs.cite(source) for source in limit.sources),
    )


def _evidence(evidence: EvidenceView | None, refs: References) -> EvidenceNote:
    if evidence is None:
        return EvidenceNote(None, EVIDENCE_UNASSESSED, (), "")
    citation = refs.cite(str(evidence.source))
    return EvidenceNote(
        level=evidence.level,
        message=evidence.message,
        statements=tuple(f"Level {s.level}: {s.statement}" for s in evidence.statements),
        source=citation.short,
    )
