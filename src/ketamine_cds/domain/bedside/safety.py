"""The checks that always run, whatever the phase, a pause or a session.

Hard limits on what is running and on what was given (each dose by its route, and everything in
24 hours as intravenous equivalent), stop criteria, the side-effect rules, notification
thresholds, a single value beyond a "sustained" threshold, and stale or missing readings. Each
check adds its alerts; the first that decides (stop, pause, ask the physician) decides, and the
others still show. What only forbids a raise is recorded on the context for the gate.
"""

from __future__ import annotations

from datetime import timedelta

from ketamine_cds.domain.bedside.context import EPS, Context, Decision, fmt, hours, off, when
from ketamine_cds.domain.bedside.criteria import Hit, evaluate, latest_observation, vital_values
from ketamine_cds.domain.bedside.readings import RECHECK_RULE, RECHECK_WITHIN, freshness
from ketamine_cds.domain.bedside.steps import next_up, wait_for
from ketamine_cds.domain.episode import Observation
from ketamine_cds.domain.protocols.check import CheckResult, check_daily, check_dose, check_rate
from ketamine_cds.domain.protocols.schema import Criterion, SideEffectRule, Titration, Unspecified
from ketamine_cds.domain.units import Mass, Rate

DAY = timedelta(hours=24)


def run(ctx: Context) -> Decision | None:
    """Every safety check, in order; the first decision found, or None."""
    _version(ctx)
    _record(ctx)
    _bedside_steps(ctx)
    decided: Decision | None = None
    for check in (_hard_limits, _stop_criteria, _side_effects):
        found = check(ctx)
        decided = decided or found
    pending = _notifications(ctx)
    _rechecks(ctx)
    _stale(ctx)
    _running_above_soft(ctx)
    if decided is None and pending and ctx.state.status != "stopped":
        decided = Decision("ask_physician", ctx.state.running)
    return decided


def hits(ctx: Context, criteria: list[Criterion] | Unspecified) -> list[Hit]:
    """The criteria that hold now."""
    if isinstance(criteria, Unspecified):
        return []
    found: list[Hit] = []
    for criterion in criteria:
        hit = evaluate(criterion, ctx.state, ctx.episode.baseline, ctx.episode.pain_goal, ctx.at)
        if hit is not None:
            found.append(hit)
    return found


def notify_holding(ctx: Context, *, answered_too: bool = False) -> list[Hit]:
    """Notification thresholds (other than pain above goal) that hold now."""
    found = [h for h in hits(ctx, ctx.protocol.notify_if) if not h.criterion.pain_above_goal]
    if answered_too:
        return found
    return [h for h in found if not ctx.state.acknowledged(h.observed_at)]


def hard_alert(ctx: Context, result: CheckResult, what: str) -> None:
    """Show a hard-limit verdict with its rule and sources."""
    limit = result.limit
    source = "; ".join(limit.sources) if limit is not None else ""
    ctx.notes.alert(
        "hard_limit",
        f"{what}: {result.reasons[0]} Nothing overrides a hard limit.",
        None,
        source,
    )
    if limit is not None:
        ctx.notes.reason(limit.id, limit.text, limit.sources[0] if limit.sources else None)


def covering(ctx: Context, rate: Rate | None, dose: Mass | None) -> str | None:
    """The latest physician override that covers this figure, described; None if none does."""
    hard = ctx.hard_rate()
    for covered in reversed(ctx.state.overrides):
        event = covered.event
        if (
            rate is not None
            and covered.rate is not None
            and covered.rate < hard
            and covered.rate.mg_per_h + EPS >= rate.mg_per_h
        ):
            return f"overridden by {event.physician} up to {fmt(covered.rate)}: {event.reason}"
        if dose is not None and covered.dose is not None and covered.dose.mg + EPS >= dose.mg:
            return f"overridden by {event.physician} up to {covered.dose}: {event.reason}"
    return None


def soft_alert(ctx: Context, result: CheckResult, covered: str | None) -> None:
    """Show a figure above a soft ceiling: under the override that covers it, or asking for one."""
    limit = result.limit
    source = "; ".join(limit.sources) if limit is not None else ""
    if covered is not None:
        ctx.notes.alert(
            "override_in_effect", f"{result.reasons[0]} Above the soft ceiling; {covered}", None,
            source,
        )
        return
    ctx.notes.alert(
        "soft_limit",
        f"{result.reasons[0]} A physician's override with a reason is needed to go on at this "
        "figure; otherwise choose a lower one.",
        None,
        source,
    )


def _running_above_soft(ctx: Context) -> None:
    """The rate running above a soft ceiling is shown, whatever the phase or the decision."""
    state = ctx.state
    running = state.running
    if running is None:
        return
    infused = ctx.phase.kind in {"continuous", "timed_infusion"}
    result = check_rate(
        ctx.protocol,
        state.weight,
        running,
        ctx.limits,
        phase_id=ctx.phase.id if infused else None,
        route=None if infused else state.pump_route,
    )
    if result.verdict == "soft_limit_exceeded":
        soft_alert(ctx, result, covering(ctx, running, None))


def _version(ctx: Context) -> None:
    wanted = ctx.episode.protocol.version
    if wanted is not None and wanted != ctx.protocol.version:
        ctx.notes.alert(
            "protocol_version",
            f"The episode was ordered under {ctx.protocol.id} {wanted}; the protocol now loaded "
            f"is version {ctx.protocol.version}. Check the order against it.",
        )


def _record(ctx: Context) -> None:
    """What the record does not explain, shown rather than assumed away."""
    for anomaly in ctx.state.anomalies:
        ctx.notes.alert("record_inconsistent", f"The record does not add up: {anomaly}.")
    hard_rule, per_kg = ctx.limits.hard_rate()
    limit = per_kg.for_weight(ctx.state.weight)
    for covered in ctx.state.overrides:
        if covered.rate is not None and covered.rate >= limit:
            ctx.notes.alert(
                "hard_limit",
                f"The override by {covered.event.physician} at {when(covered.event.at)} (event "
                f"{covered.position}) names {fmt(covered.rate)}, at or above the hard limit of "
                f"{fmt(limit)} ({hard_rule.id}); nothing overrides a hard limit, so it covers "
                "only rates below it.",
                None,
                "; ".join(str(s) for s in hard_rule.sources),
            )


def _bedside_steps(ctx: Context) -> None:
    """Flag the latest bedside increase if it came too early or took too large a step."""
    titration = ctx.phase.titration
    change = ctx.state.last_change()
    if not isinstance(titration, Titration) or change is None or change.old is None:
        return
    if not change.new > change.old:
        return
    earlier = [c for c in ctx.state.changes[:-1] if c.old is None or c.new > c.old]
    since = earlier[-1].at if earlier else ctx.state.started_at
    wait = wait_for(titration)
    if since is not None and change.at - since < wait - timedelta(seconds=1):
        ctx.notes.alert(
            "titration_too_early",
            f"The rate was raised to {fmt(change.new)} at {when(change.at)} by {change.by}, "
            f"{(change.at - since) / timedelta(hours=1):.3g} h after the previous step; the "
            f"protocol allows a step every {wait / timedelta(hours=1):.3g} h (event "
            f"{change.position}).",
            titration,
        )
    allowed = next_up(ctx, titration, change.old, tolerance=True)
    if allowed is not None and change.new.mg_per_h > allowed.mg_per_h + 1e-6:
        ctx.notes.alert(
            "step_too_large",
            f"The rate went from {fmt(change.old)} to {fmt(change.new)} (event "
            f"{change.position}); the protocol's step allows up to {fmt(allowed)}.",
            titration,
        )


def _rates_at_hard_limit(ctx: Context) -> bool:
    """The rate running (or held by a pause) at or above the hard limit."""
    state = ctx.state
    running = state.running
    if running is not None:
        result = check_rate(ctx.protocol, state.weight, running, ctx.limits, route=state.route)
        if result.hard:
            hard_alert(ctx, result, f"{fmt(running)} is running")
            return True
    held = state.rate if state.status == "paused" else None
    if held is not None:
        result = check_rate(ctx.protocol, state.weight, held, ctx.limits, route=state.route)
        if result.hard:
            hard_alert(ctx, result, f"The paused rate of {fmt(held)} must not be restarted")
    return False


def _doses_at_hard_limit(ctx: Context) -> bool:
    """A dose given in the last 24 hours, or the 24-hour total, at or above its hard limit."""
    state = ctx.state
    breached = False
    for given in state.all_doses:
        if given.at <= ctx.at - DAY:
            continue
        result = check_dose(ctx.protocol, state.weight, given.dose, ctx.limits, route=given.route)
        if result.hard:
            hard_alert(
                ctx,
                result,
                f"The {given.dose} {given.route.value} dose given at {when(given.at)} (event "
                f"{given.position})",
            )
            breached = True
    total = iv_equivalent_24h(ctx)
    if total.mg > 0:
        daily = check_daily(ctx.protocol, state.weight, total, ctx.limits)
        if daily.hard:
            hard_alert(ctx, daily, "Everything given in the last 24 hours")
            breached = True
    return breached


def _hard_limits(ctx: Context) -> Decision | None:
    """A rate running, a dose given, or the 24-hour total at or above its hard limit."""
    state = ctx.state
    breached = _rates_at_hard_limit(ctx)
    breached = _doses_at_hard_limit(ctx) or breached
    if not breached or state.status == "stopped":
        return None
    if state.running is not None or state.status == "paused":
        return Decision("stop", off())
    return Decision("ask_physician", None)


def iv_equivalent_24h(ctx: Context, extra: Mass | None = None) -> Mass:
    """Everything given in the 24 hours to now as intravenous equivalent (plus ``extra``)."""
    limits, state = ctx.limits, ctx.state
    since = ctx.at - DAY
    total = sum(limits.iv_equivalent(mg, route) for mg, route in state.delivered_mg(since, ctx.at))
    total += sum(
        limits.iv_equivalent(given.dose.mg, given.route)
        for given in state.all_doses
        if given.at > since
    )
    if extra is not None:
        total += limits.iv_equivalent(extra.mg, ctx.phase.route)
    return Mass.of(total, "mg")


def _stop_criteria(ctx: Context) -> Decision | None:
    """A stop criterion holds: stop, whether running or paused; do not start."""
    found = hits(ctx, ctx.protocol.stop_if)
    if not found or ctx.state.status == "stopped":
        return None
    for hit in found:
        ctx.notes.alert("stop_criterion", f"{hit.criterion.text} Seen: {hit.seen}.", hit.criterion)
        ctx.notes.reason(hit.criterion, hit.criterion.text)
    if ctx.state.status == "not_started":
        return Decision("ask_physician", None)
    return Decision("stop", off())


def matching(rule: SideEffectRule, obs: Observation) -> str:
    """The symptoms of ``obs`` that trigger ``rule``, as text (empty when none)."""
    if rule.symptoms == "troublesome":
        return ", ".join(s.value for s in obs.symptoms) if obs.troublesome else ""
    return ", ".join(s.value for s in obs.symptoms if s in rule.symptoms)


def _side_effects(ctx: Context) -> Decision | None:  # noqa: C901, PLR0911 - a case each
    """Seed 004's pause-and-restart and termination rules, as the protocol lists them."""
    state = ctx.state
    latest = latest_observation(state)
    rules = ctx.protocol.side_effects
    if not rules or latest is None or state.status == "stopped":
        return None
    if state.status == "not_started":
        return _before_start(ctx, latest)
    since = state.started_at or ctx.episode.started_at
    for rule in (r for r in rules if r.action == "stop"):
        present = matching(rule, latest)
        if present and latest.at >= since:
            ctx.notes.alert("side_effects", f"{rule.text} Seen: {present}.", rule)
            ctx.notes.reason(rule, f"{rule.text} ({present}).")
            return Decision("stop", off())
    if state.status != "running" or state.observations[-1][0] < state.resumed_position:
        return None
    for rule in (r for r in rules if r.action != "stop"):
        present = matching(rule, latest)
        if not present:
            continue
        ctx.notes.alert("side_effects", f"{rule.text} Seen: {present}.", rule)
        action = rule.action
        if action == "pause" and state.side_effect_pauses > 0:
            action = rule.on_recurrence or "ask_physician"
            if state.acknowledged(latest.at):
                ctx.notes.reason(rule, "Side effects recurred; a physician has given direction.")
                ctx.hold_titration("side effects recurred")
                return None
        if action == "stop":
            ctx.notes.reason(rule, f"{rule.text} ({present}).")
            return Decision("stop", off())
        if action == "pause":
            until = latest.at + hours(rule.pause_for) if rule.pause_for else None
            restart = fmt(state.rate) if state.rate else "the same rate"
            tail = f" until {when(until)}" if until else ""
            ctx.notes.reason(rule, f"Pause the infusion{tail}, then restart at {restart}.")
            if until is not None:
                ctx.notes.due.append(until)
            return Decision("pause", off())
        ctx.notes.reason(rule, f"Side effects again after a pause ({present}): call the physician.")
        return Decision("ask_physician", state.running)
    return None


def _before_start(ctx: Context, latest: Observation) -> Decision | None:
    """Symptoms the side-effect rules act on, seen before the start: the physician decides."""
    rules = ctx.protocol.side_effects
    present = ", ".join(found for rule in rules if (found := matching(rule, latest)))
    if not present:
        return None
    ctx.notes.alert(
        "side_effects",
        f"Before the start the patient has {present}, which the protocol's side-effect rules "
        "act on: the physician decides whether to start.",
    )
    return Decision("ask_physician", None)


def _notifications(ctx: Context) -> list[Hit]:
    """Alert every notification that holds; return those no physician has answered yet."""
    for hit in hits(ctx, ctx.protocol.notify_if):
        answered = ctx.state.acknowledged(hit.observed_at)
        tail = " A physician has responded since." if answered else ""
        ctx.notes.alert("notify", f"{hit.criterion.text} Seen: {hit.seen}.{tail}", hit.criterion)
    pending = notify_holding(ctx)
    for hit in pending:
        ctx.notes.reason(hit.criterion, f"Notify and await direction: {hit.seen}.")
    if notify_holding(ctx, answered_too=True):
        ctx.hold_titration("a notification threshold still holds")
    return pending


def _rechecks(ctx: Context) -> None:
    """One value beyond a "sustained" threshold: recheck soon, and no raise until then."""
    for criteria in (ctx.protocol.stop_if, ctx.protocol.notify_if):
        if isinstance(criteria, Unspecified):
            continue
        for criterion in criteria:
            if not criterion.sustained or criterion.vital is None:
                continue
            values = vital_values(ctx.state, criterion.vital)
            if not values:
                continue
            single = criterion.model_copy(update={"sustained": False})
            if evaluate(single, ctx.state, ctx.episode.baseline, ctx.episode.pain_goal, ctx.at):
                full = evaluate(
                    criterion, ctx.state, ctx.episode.baseline, ctx.episode.pain_goal, ctx.at
                )
                if full is not None:
                    continue
                seen_at, value = values[-1]
                due = seen_at + RECHECK_WITHIN
                ctx.notes.alert(
                    "recheck",
                    f"{criterion.text} One reading of {value:g} at {when(seen_at)} meets it; "
                    f"the rule needs it sustained: recheck by {when(due)} "
                    f"({RECHECK_WITHIN / timedelta(minutes=1):g} min, the product's reading).",
                    criterion,
                )
                ctx.notes.reason(
                    RECHECK_RULE,
                    f"No raise until the recheck of {criterion.vital.value.replace('_', ' ')}.",
                )
                ctx.notes.due.append(due)
                ctx.hold(f"a recheck of {criterion.vital.value.replace('_', ' ')} is due")


def _stale(ctx: Context) -> None:
    """No pain score young enough: the assessment is overdue and nothing is raised on it."""
    state = ctx.state
    if state.status not in {"running", "paused"}:
        return
    fresh = freshness(ctx.protocol)
    anchor = state.first_started_at or ctx.episode.started_at
    pains = state.pains()
    if pains:
        moment, score = pains[-1]
        if ctx.at - moment <= fresh.window:
            return
        text = (
            f"The last pain score ({score}/10 at {when(moment)}) is older than "
            f"{fresh.hours:g} h: assess pain before any change. {fresh.text.rstrip('.')}."
        )
    else:
        if ctx.at - anchor <= fresh.window:
            ctx.hold_titration("no pain score has been recorded yet")
            return
        text = (
            f"No pain score has been recorded since {when(anchor)}: assess pain before any "
            f"change. {fresh.text.rstrip('.')}."
        )
    ctx.notes.alert("assessment_overdue", text, None, fresh.source or "")
    ctx.hold_titration("the pain score is stale or missing")
