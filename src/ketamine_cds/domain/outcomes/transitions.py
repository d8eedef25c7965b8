"""Route changes and the drug started after an infusion, planned as steps with every figure checked.

* Intravenous to subcutaneous, 1:1, three times daily (seed 000, Table 1), from the dose running.
* Parenteral to oral: the sources disagree, so both readings are shown side by side, each with its
  source: 1:1, the seed 000 author ("I tend not to decrease the dose on the parenteral to enteral
  conversion"), or up to 50-60 % less (Fitzgibbon 2002, cited by seed 000, which adds that this
  "cannot be considered a standard of practice"). The bioavailability figures behind the dispute
  are listed with their sources (oral 17 %, seed 004; about 20 %, seed 000; 23 %, and sublingual
  32 %, seed 003; ketamine with norketamine about 55 % by either route, seed 003).
* Ketamine to memantine, 5 mg twice daily then 10 mg twice daily (seed 002), from the protocol's
  ``start_drugs``.

Every ketamine figure (the dose per administration and the 24-hour total as intravenous
equivalent) goes through the one dose check, and its verdict travels with it. The predicted
plasma levels of each choice are added by the service (the simulator is not pure enough for the
domain to call).
"""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict

from ketamine_cds.domain.bedside.course.transitions import Converted, converted, ratios
from ketamine_cds.domain.episode import Episode
from ketamine_cds.domain.outcomes.companions import frequency
from ketamine_cds.domain.outcomes.replayed import last_moment, state_at
from ketamine_cds.domain.protocols.check import CheckResult, check_daily, check_dose
from ketamine_cds.domain.protocols.limits import LimitTable
from ketamine_cds.domain.protocols.plan import check_out
from ketamine_cds.domain.protocols.plan_output import CheckOut
from ketamine_cds.domain.protocols.schema import Conversion, Protocol, Transition
from ketamine_cds.domain.references import cite
from ketamine_cds.domain.units import BodyWeight, Mass
from ketamine_cds.domain.vocabulary import Route

_VERDICT_ORDER = ("within_protocol", "soft_limit_exceeded", "hard_limit_exceeded")


class _Out(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Bioavailability(_Out):
    """A cited bioavailability figure behind the parenteral-to-oral dispute."""

    route: str
    percent: float
    what: str
    source: str


BIOAVAILABILITY = (
    Bioavailability(
        route="oral",
        percent=17,
        what="ketamine after an oral dose",
        source=cite("seed 004, Appendix 2, Absorption"),
    ),
    Bioavailability(
        route="oral",
        percent=20,
        what="ketamine after an oral dose ('about 20%', 80 % metabolised to norketamine)",
        source=cite("seed 000, Ketamine (pharmacokinetics)"),
    ),
    Bioavailability(
        route="oral",
        percent=23,
        what="ketamine from a 25-mg oral lozenge (peak at 30 minutes)",
        source=cite("seed 003, Pharmacology"),
    ),
    Bioavailability(
        route="sublingual",
        percent=32,
        what="ketamine from a 25-mg sublingual lozenge (peak at 120 minutes)",
        source=cite("seed 003, Pharmacology"),
    ),
    Bioavailability(
        route="oral or sublingual",
        percent=55,
        what="ketamine and norketamine together, as ketamine equivalents",
        source=cite("seed 003, Pharmacology"),
    ),
)


class CheckedFigure(_Out):
    """A ketamine figure of a planned step with its verdict from the one dose check."""

    what: str
    mg: float
    route: str
    check: CheckOut


class TransitionOption(_Out):
    """One reading of one conversion: its ratio, the doses it gives, and their checks."""

    transition_id: str
    conversion_id: str
    reading: str
    source: str
    ratio: float
    from_route: str
    to_route: str
    from_per_day_mg: float
    per_day_mg: float
    doses_per_day: int
    dose_mg: float
    figures: list[CheckedFigure]
    verdict: str

    @property
    def regimen(self) -> str:
        """The option as written on a chart: '35 mg three times daily, oral'."""
        return f"{self.dose_mg:.4g} mg {frequency(self.doses_per_day)}, {self.to_route}"


class DrugStepOut(_Out):
    """One step of a drug the protocol starts alongside (memantine 5 mg twice daily …)."""

    transition_id: str
    rule: str
    drug: str
    dose: str
    doses_per_day: int
    route: str
    text: str
    source: str
    continue_after_discharge: bool


class TransitionPlan(_Out):
    """The planned steps out of the phase the episode is in, from the dose running."""

    at: datetime
    protocol_id: str
    protocol_version: str
    phase: str
    running: str | None
    from_route: str | None
    from_per_day_mg: float | None
    options: list[TransitionOption]
    drugs: list[DrugStepOut]
    bioavailability: list[Bioavailability]
    notes: list[str]


def _worst(checks: list[CheckResult]) -> str:
    return max((c.verdict for c in checks), key=_VERDICT_ORDER.index)


def _option(  # noqa: PLR0913 - the step, its reading and the patient
    *,
    protocol: Protocol,
    limits: LimitTable,
    weight: BodyWeight,
    transition: Transition,
    conversion: Conversion,
    figure: Converted,
    from_route: Route,
) -> TransitionOption:
    target = protocol.phase(transition.to_phase) if transition.to_phase else None
    phase_id = target.id if target is not None and target.route == conversion.to_route else None
    per_dose = check_dose(
        protocol, weight, figure.dose, limits, phase_id=phase_id, route=conversion.to_route
    )
    daily_iv = Mass.of(limits.iv_equivalent(figure.per_day_mg, conversion.to_route), "mg")
    daily = check_daily(protocol, weight, daily_iv, limits)
    ranged = len(ratios(conversion)) > 1
    reading = f"{conversion.text} ({figure.ratio_text}" + (
        ", one end of the source's range)" if ranged else ")"
    )
    return TransitionOption(
        transition_id=transition.id,
        conversion_id=conversion.id,
        reading=reading,
        source=str(conversion.source),
        ratio=figure.ratio,
        from_route=from_route.value,
        to_route=conversion.to_route.value,
        from_per_day_mg=round(figure.from_per_day_mg, 4),
        per_day_mg=round(figure.per_day_mg, 4),
        doses_per_day=figure.doses_per_day,
        dose_mg=round(figure.dose.mg, 4),
        figures=[
            CheckedFigure(
                what="dose",
                mg=round(figure.dose.mg, 4),
                route=conversion.to_route.value,
                check=check_out(per_dose),
            ),
            CheckedFigure(
                what="24-hour total as intravenous equivalent",
                mg=round(daily_iv.mg, 4),
                route="iv",
                check=check_out(daily),
            ),
        ],
        verdict=_worst([per_dose, daily]),
    )


def plan_transitions(
    episode: Episode, protocol: Protocol, limits: LimitTable, at: datetime | None = None
) -> TransitionPlan:
    """The conversions and drugs of every transition out of the phase running at ``at``."""
    moment = last_moment(episode) if at is None else at
    state = state_at(episode, protocol, moment)
    phase = protocol.phase(state.phase_id)
    notes: list[str] = []
    running: str | None = None
    from_route: Route | None = None
    per_day: float | None = None
    if state.running is not None and state.running.mg_per_h > 0:
        per_day, from_route = state.running.mg_per_day, state.pump_route
        running = f"{state.running.mg_per_h:.4g} mg/h {from_route.value}"
    elif state.status == "running" and state.doses and phase.doses_per_day:
        last = state.doses[-1]
        per_day, from_route = last.dose.mg * phase.doses_per_day, last.route
        running = f"{last.dose.mg:.4g} mg {frequency(phase.doses_per_day)}, {last.route.value}"
    else:
        notes.append(
            "No ketamine is running at this moment: there is no daily dose to convert from."
        )
    outgoing = [t for t in protocol.transitions if t.from_phase == phase.id]
    options: list[TransitionOption] = []
    drugs: list[DrugStepOut] = []
    for transition in outgoing:
        for conversion in transition.conversions:
            if per_day is None or from_route is None:
                continue
            doses = conversion.doses_per_day or phase.doses_per_day or 1
            for ratio in ratios(conversion):
                figure = converted(conversion, per_day, doses, ratio)
                options.append(
                    _option(
                        protocol=protocol,
                        limits=limits,
                        weight=state.weight,
                        transition=transition,
                        conversion=conversion,
                        figure=figure,
                        from_route=from_route,
                    )
                )
        for drug in transition.start_drugs:
            drugs += [
                DrugStepOut(
                    transition_id=transition.id,
                    rule=drug.id,
                    drug=drug.drug,
                    dose=str(step.dose),
                    doses_per_day=step.doses_per_day,
                    route=drug.route.value,
                    text=drug.text,
                    source=str(drug.source),
                    continue_after_discharge=drug.continue_after_discharge,
                )
                for step in drug.steps
            ]
    if not outgoing:
        notes.append(f"Phase '{phase.id}' has no transition in protocol {protocol.id}.")
    if len({o.conversion_id for o in options if o.to_route == "oral"}) > 1:
        notes.append(
            "The sources disagree on parenteral-to-oral conversion: every reading is shown with "
            "its source, and the clinician chooses."
        )
    return TransitionPlan(
        at=moment,
        protocol_id=protocol.id,
        protocol_version=protocol.version,
        phase=phase.id,
        running=running,
        from_route=None if from_route is None else from_route.value,
        from_per_day_mg=None if per_day is None else round(per_day, 4),
        options=options,
        drugs=drugs,
        bioavailability=list(BIOAVAILABILITY),
        notes=notes,
    )
