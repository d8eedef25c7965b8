"""Holding the effective rate, then reducing it and stopping, from the rate actually running."""

from __future__ import annotations

from datetime import datetime

from ketamine_cds.domain.bedside.context import EPS, Context, Decision, fmt, hours, off, when
from ketamine_cds.domain.bedside.readings import fresh_pain, freshness
from ketamine_cds.domain.protocols.fields import high_end, low_end
from ketamine_cds.domain.protocols.resolve import rate_for
from ketamine_cds.domain.protocols.schema import Taper, Unspecified
from ketamine_cds.domain.units import Rate


def last_good_rate(ctx: Context) -> Rate | None:
    """The highest rate this phase ran at while pain was at or below the patient's goal."""
    best: Rate | None = None
    changes, index, current = ctx.state.changes, 0, None
    for _, obs in ctx.state.observations:
        while index < len(changes) and changes[index].at <= obs.at:
            current, index = changes[index].new, index + 1
        if obs.pain is None or obs.pain > ctx.episode.pain_goal or current is None:
            continue
        if best is None or current > best:
            best = current
    return best


def rate_at(ctx: Context, moment: datetime) -> Rate | None:
    """The rate set in this phase at ``moment``."""
    current: Rate | None = None
    for change in ctx.state.changes:
        if change.at <= moment:
            current = change.new
    return current


def comfortable_since(ctx: Context) -> datetime:
    """Start of the current run of pain scores at or below goal, at the current rate."""
    state = ctx.state
    last_change = state.changes[-1].at if state.changes else state.phase_since
    since = ctx.at
    for moment, score in reversed(state.pains(since=last_change)):
        if score > ctx.episode.pain_goal:
            break
        since = moment
    return since


def flag_failed_cut(ctx: Context, taper: Taper, old: Rate, new: Rate) -> None:
    """A cut as large as one the source shows to have failed is flagged."""
    failed = taper.failed_reduction
    if failed is None or old.mg_per_h <= 0:
        return
    cut = 100.0 * (old.mg_per_h - new.mg_per_h) / old.mg_per_h
    if cut + EPS >= failed.percent:
        ctx.notes.alert(
            "taper_step_failed_before",
            f"The step from {fmt(old)} to {fmt(new)} cuts {cut:.3g} %; {failed.text}",
            failed,
        )


def comfortable(ctx: Context, taper: Taper | Unspecified, rate: Rate) -> Decision:
    """Pain at goal: hold, and start the taper when the protocol says."""
    goal = ctx.episode.pain_goal
    if isinstance(taper, Unspecified):
        ctx.notes.reason("comfortable", f"Pain at or below the goal of {goal}/10: continue.")
        ctx.notes.reason(taper, taper.text)
        return Decision("continue", rate)
    since = comfortable_since(ctx)
    if taper.hold_at_effective is not None:
        until = since + hours(taper.hold_at_effective)
        if ctx.at < until:
            ctx.notes.reason(
                taper,
                f"Comfortable since {when(since)}: hold {fmt(rate)} for "
                f"{taper.hold_at_effective} (until {when(until)}), then reduce gradually.",
            )
            ctx.notes.due.append(until)
            return Decision("continue", rate)
        return taper_step(ctx, taper, rate, f"Comfortable at {fmt(rate)} since {when(since)}.")
    if taper.over is not None and duration_over(ctx):
        ctx.notes.reason(
            taper, f"The phase's planned length ({ctx.phase.duration}) has run: {taper.text}"
        )
        ctx.notes.alert(
            "physician_needed", "The wean is optional and its steps are not given.", taper
        )
        return Decision("taper", rate)
    ctx.notes.reason("comfortable", f"Pain at or below the goal of {goal}/10: continue.")
    if taper.steps:
        ctx.notes.reason(
            taper,
            "The source gives no rule for how long to hold the effective rate before the taper; "
            "the physician decides when to begin.",
        )
    return Decision("continue", rate)


def duration_over(ctx: Context) -> bool | None:
    """Whether the phase's stated duration (low end) has run; None when it states none."""
    if ctx.phase.duration is None or ctx.state.started_at is None:
        return None
    return ctx.at - ctx.state.started_at >= hours(low_end(ctx.phase.duration))


def taper_step(ctx: Context, taper: Taper, rate: Rate, why: str) -> Decision:
    """The next reduction from the rate running: a listed step, a percentage, or the physician's."""
    weight = ctx.state.weight
    if taper.stop_below is not None:
        floor = rate_for(low_end(taper.stop_below), weight)
        if rate < floor:
            ctx.notes.reason(taper, f"{why} {fmt(rate)} is below {fmt(floor)}: stop the infusion.")
            return Decision("discontinue", off())
    for step in taper.steps or []:
        target = rate_for(high_end(step), weight)
        if target.mg_per_h < rate.mg_per_h - EPS:
            ctx.notes.reason(taper, f"{why} Reduce to {step} ({fmt(target)}). {taper.text}")
            flag_failed_cut(ctx, taper, rate, target)
            return Decision("taper", target, route=ctx.phase.route)
    if taper.step_percent is not None:
        target = rate.scaled(1 - taper.step_percent / 100)
        ctx.notes.reason(taper, f"{why} Reduce by {taper.step_percent:g} % to {fmt(target)}.")
        flag_failed_cut(ctx, taper, rate, target)
        return Decision("taper", target, route=ctx.phase.route)
    ctx.notes.reason(taper, f"{why} {taper.text}")
    ctx.notes.alert(
        "physician_needed",
        f"Reduce gradually from {fmt(rate)}: the source gives no step size or interval, so the "
        "physician sets each step.",
        taper,
    )
    return Decision("taper", rate, route=ctx.phase.route)


def pain_returned(ctx: Context, pain: tuple[datetime, int] | None, since: datetime) -> bool:
    """Pain above goal, or more opioid than before the reduction, since ``since``."""
    if pain is not None and pain[1] > ctx.episode.pain_goal:
        return True
    before = [o for o in ctx.state.opioid_use if o.at <= since]
    after = [o for o in ctx.state.opioid_use if o.at > since]
    if not before or not after:
        return False
    old, new = before[-1], after[-1]
    if old.med_mg_per_24h is not None and new.med_mg_per_24h is not None:
        return new.med_mg_per_24h > old.med_mg_per_24h
    if old.breakthrough_doses_24h is not None and new.breakthrough_doses_24h is not None:
        return new.breakthrough_doses_24h > old.breakthrough_doses_24h
    return False


def taper_course(
    ctx: Context, taper: Taper | Unspecified, rate: Rate, good: Rate, set_at: datetime | None
) -> Decision:
    """During a taper: stop below the floor, go back if pain returns, else the next step.

    Only a pain score taken since the rate running was set (``set_at``) judges it: one taken
    before a later change does not say how the patient does on the rate now.
    """
    if isinstance(taper, Unspecified):
        ctx.notes.reason(taper, f"The rate was lowered from {fmt(good)}. {taper.text}")
        return Decision("ask_physician", rate)
    decreases = [c for c in ctx.state.changes if c.old is not None and c.new < c.old]
    last = decreases[-1]
    if last.old is not None:
        flag_failed_cut(ctx, taper, last.old, last.new)
    since = max(last.at, set_at) if set_at is not None else last.at
    pain = fresh_pain(ctx.state, freshness(ctx.protocol), ctx.at, since=since)
    if pain_returned(ctx, pain, last.at):
        seen = f"pain {pain[1]}/10" if pain is not None else "opioid use up"
        if taper.on_pain_return is None:
            ctx.notes.reason(
                taper,
                f"The taper brought pain back ({seen}); the source says reduce only as "
                "tolerated and gives no rule for this, so the physician decides.",
            )
            return Decision("ask_physician", rate)
        ctx.notes.reason(
            taper,
            f"The taper brought pain back ({seen}): return to the last effective rate "
            f"{fmt(good)}. {taper.on_pain_return}",
        )
        ctx.notes.alert(
            "physician_needed",
            "When the taper resumes, reduce more slowly than the step that failed.",
            taper,
        )
        return Decision("increase", good, route=ctx.phase.route)
    if pain is None:
        ctx.notes.reason(
            "assess-pain",
            f"Tapering from {fmt(good)}; now {fmt(rate)}: assess pain before the next step.",
        )
        return Decision("continue", rate)
    return taper_step(ctx, taper, rate, f"Tapering from {fmt(good)}; now {fmt(rate)}.")
