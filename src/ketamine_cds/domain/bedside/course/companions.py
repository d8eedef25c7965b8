"""The drugs a protocol starts at a transition, prompted at the moments its source did.

Seed 002 ("Case Description"), the ``ultra-low-memantine`` protocol: memantine 5 mg twice daily
was started as the ketamine was first reduced (POD 5); when the halving taper brought the pain
back, the rate returned to 55 µg/kg/h and memantine was doubled to 10 mg twice daily (POD 7);
after the ketamine stopped, memantine continued long-term, and dropping it at transfer brought
the pain back. The engine says each of these where the source places it, naming the protocol's
rule for the drug:

* pain controlled on the infusion, no drug recorded: a reason, start it as the infusion is
  reduced;
* a reduction under way (or proposed) with no drug recorded: an alert for the physician;
* a taper that brought the pain back: an alert to take the drug's next step (5 → 10 mg twice
  daily), or, at its last step, a reason saying the source gives no higher dose;
* the ketamine stopped: a reason that the drug continues and must be on every transfer and
  discharge list (an alert if it is not recorded as running).

The drug's own dose is the source's; it is not a ketamine figure, so the ketamine dose check does
not judge it. The prompt never changes the ketamine decision.
"""

from __future__ import annotations

from ketamine_cds.domain.bedside.context import EPS, Context, Decision
from ketamine_cds.domain.bedside.course.taper import last_good_rate
from ketamine_cds.domain.outcomes.companions import CompanionCourse, courses_from, frequency
from ketamine_cds.domain.protocols.fields import high_end
from ketamine_cds.domain.protocols.schema import DrugStep, StartDrug, Transition
from ketamine_cds.domain.units import Mass


def step_text(drug: StartDrug, step: DrugStep) -> str:
    """A step of a drug in words: '5 mg twice daily (oral)'."""
    return f"{step.dose} {frequency(step.doses_per_day)} ({drug.route.value})"


def step_daily_mg(step: DrugStep) -> float:
    """Milligrams a day of a step (its higher figure where the source gives a range)."""
    dose: Mass = high_end(step.dose)
    return dose.mg * step.doses_per_day


def next_step(drug: StartDrug, course: CompanionCourse | None) -> DrugStep | None:
    """The first step of the drug above what is running now (the first step if none runs)."""
    if course is None or not course.running or course.daily_mg is None:
        return drug.steps[0]
    running = course.daily_mg
    return next((s for s in drug.steps if step_daily_mg(s) > running + EPS), None)


def started_here(ctx: Context) -> list[tuple[Transition, StartDrug]]:
    """The drugs started by transitions out of the current phase."""
    return [
        (transition, drug)
        for transition in ctx.protocol.transitions
        if transition.from_phase == ctx.phase.id
        for drug in transition.start_drugs
    ]


def _tapering(ctx: Context) -> bool:
    rate = ctx.state.running
    good = last_good_rate(ctx)
    return (
        rate is not None
        and good is not None
        and rate.mg_per_h < good.mg_per_h - EPS
        and any(c.old is not None and c.new < c.old for c in ctx.state.changes)
    )


def companion_prompts(ctx: Context, decision: Decision) -> None:
    """Add the reasons and alerts for the drugs this phase's transitions start."""
    drugs = started_here(ctx)
    if not drugs:
        return
    courses = courses_from(ctx.state.companions)
    for transition, drug in drugs:
        course = courses.get(drug.drug)
        if ctx.state.status == "stopped":
            _after_stop(ctx, drug, course)
        elif ctx.state.running is not None and ctx.phase.kind == "continuous":
            _on_the_infusion(ctx, transition, drug, course, decision)


def _after_stop(ctx: Context, drug: StartDrug, course: CompanionCourse | None) -> None:
    if not drug.continue_after_discharge:
        return
    if course is not None and course.running:
        ctx.notes.reason(
            drug,
            f"The ketamine is stopped; {drug.drug} ({course.regimen}) continues, long-term, and "
            f"must be on every transfer and discharge list. {drug.text}",
        )
        return
    ctx.notes.alert(
        "physician_needed",
        f"The ketamine is stopped and no {drug.drug} is recorded as running; the source "
        f"continued it after the ketamine stopped. {drug.text}",
        drug,
    )


def _on_the_infusion(
    ctx: Context,
    transition: Transition,
    drug: StartDrug,
    course: CompanionCourse | None,
    decision: Decision,
) -> None:
    running = course is not None and course.running
    tapering = _tapering(ctx)
    step = next_step(drug, course)
    if tapering and decision.action == "increase":
        if step is None:
            ctx.notes.reason(
                drug,
                f"The taper brought the pain back with {drug.drug} already at "
                f"{course.regimen if course else 'its last step'}, the source's last step; the "
                "source gives no higher dose, so the physician decides.",
            )
            return
        verb = "raise" if running else "start"
        to = "to " if running else ""
        ctx.notes.alert(
            "physician_needed",
            f"The taper brought the pain back: {verb} {drug.drug} {to}{step_text(drug, step)}, "
            "as the source "
            f"did when its halving taper failed. {transition.text}",
            drug,
        )
        return
    if running:
        return
    first = step_text(drug, drug.steps[0])
    if tapering or decision.action == "taper":
        ctx.notes.alert(
            "physician_needed",
            f"The ketamine is being reduced and no {drug.drug} is recorded: the source started "
            f"{drug.drug} {first} with the first reduction. {transition.text}",
            drug,
        )
        return
    pain = ctx.latest_pain()
    if transition.when == "comfortable" and pain is not None and pain[1] <= ctx.episode.pain_goal:
        ctx.notes.reason(
            transition,
            f"Pain is controlled: when the ketamine is reduced, start {drug.drug} {first}. "
            f"{transition.text}",
        )
