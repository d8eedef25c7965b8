"""The bedside engine: one pure function says what the protocol says to do now.

``recommend(episode, protocol, limits, at)`` replays the episode up to ``at`` and answers with an
action, the rate to run, the reasons (rule and source), alerts and the next assessment time. It
reads no clock and no file: the same inputs always give the same answer. One engine serves every
protocol; what it does comes from the protocol's data. Where the data says the source is silent
(:class:`Unspecified`), the answer is ``ask_physician`` naming that rule, never an invented one.

The order of the checks is the order of safety: an infusion already stopped; a rate at or above
the hard limit; a stop criterion; the side-effect rules; a pause; the start; notification
thresholds; the soft limit; then the phase's own course (titration, hold, taper, next phase).
The recommended rate is never quietly lowered to a limit: at a ceiling the engine holds the rate
and says so.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from ketamine_cds.domain.bedside.criteria import Hit, evaluate, latest_observation
from ketamine_cds.domain.bedside.output import (
    Action,
    Alert,
    AlertKind,
    PrnAdvice,
    Reason,
    Recommendation,
)
from ketamine_cds.domain.bedside.state import EpisodeState, replay
from ketamine_cds.domain.episode import Episode, Observation, PhaseChange
from ketamine_cds.domain.errors import UserInputError
from ketamine_cds.domain.protocols.check import check_rate
from ketamine_cds.domain.protocols.fields import high_end, low_end
from ketamine_cds.domain.protocols.limits import LimitTable
from ketamine_cds.domain.protocols.resolve import ResolvedPhase, rate_for, resolve_phase
from ketamine_cds.domain.protocols.schema import (
    Criterion,
    Phase,
    Protocol,
    Rule,
    SideEffectRule,
    Taper,
    Titration,
    Transition,
    Unspecified,
)
from ketamine_cds.domain.units import Duration, Mass, Rate

_EPS = 1e-9
_PRODUCT = "ketamine-cds reading"


def _hours(value: Duration) -> timedelta:
    return timedelta(hours=value.hours)


def _mg_h(rate: Rate | None) -> float | None:
    return None if rate is None else round(rate.mg_per_h, 4)


def _fmt(rate: Rate) -> str:
    return f"{rate.mg_per_h:.4g} mg/h"


def _when(moment: datetime) -> str:
    return moment.isoformat(timespec="minutes")


@dataclass
class _Decision:
    action: Action
    rate: Rate | None
    dose: Mass | None = None


@dataclass
class _Engine:
    episode: Episode
    protocol: Protocol
    limits: LimitTable
    at: datetime
    state: EpisodeState
    phase: Phase
    resolved: ResolvedPhase
    reasons: list[Reason] = field(default_factory=list)
    alerts: list[Alert] = field(default_factory=list)
    due: list[datetime] = field(default_factory=list)
    prn_at_start: bool = False

    # -- small helpers -------------------------------------------------------------------
    def reason(self, rule: Rule | str, text: str, source: str | None = None) -> None:
        """Record a reason, from a protocol rule or a named product reading."""
        if isinstance(rule, Rule):
            self.reasons.append(Reason(rule=rule.id, text=text, source=str(rule.source)))
        else:
            self.reasons.append(Reason(rule=rule, text=text, source=source or _PRODUCT))

    def alert(self, kind: AlertKind, text: str, rule: Rule | None, source: str = "") -> None:
        """Record an alert, with the rule and source it rests on."""
        self.alerts.append(
            Alert(
                kind=kind,
                text=text,
                source=str(rule.source) if rule is not None else (source or _PRODUCT),
                rule=rule.id if rule is not None else None,
            )
        )

    @property
    def weight_text(self) -> str:
        """The dosing weight as shown."""
        return str(self.state.weight)

    def hard_rate(self) -> Rate:
        """The hard rate limit for this patient."""
        return self.limits.hard_rate()[1].for_weight(self.state.weight)

    def ceiling_rate(self) -> Rate | None:
        """The soft ceiling on rate, raised only by a physician's override."""
        ceiling = self.resolved.ceiling.rate
        if self.state.override_rates and ceiling is not None:
            return max([ceiling, *self.state.override_rates])
        return ceiling

    def latest_pain(self, since: datetime | None = None) -> tuple[datetime, int] | None:
        """The most recent pain score (since a time, if given)."""
        pains = self.state.pains(since)
        return pains[-1] if pains else None

    # -- the decision --------------------------------------------------------------------
    def decide(self) -> _Decision:  # noqa: PLR0911 - the order of the checks is the order of safety
        """Run the checks in order of safety; the first that decides, decides."""
        self.version_check()
        self.bedside_change_checks()
        state = self.state
        if state.status == "stopped":
            return self.after_stop()
        if state.status == "running" and state.rate is not None and state.rate >= self.hard_rate():
            hard_rule, hard = self.limits.hard_rate()
            self.alert(
                "hard_limit",
                f"{_fmt(state.rate)} is at or above the hard limit of {_fmt(self.hard_rate())} "
                f"({hard}) for {self.weight_text}; nothing overrides a hard limit.",
                None,
                "; ".join(str(s) for s in hard_rule.sources),
            )
            self.reason(hard_rule.id, hard_rule.text, str(hard_rule.sources[0]))
            return _Decision("stop", Rate.of(0, "mg/hour"))
        stops = self.hits(self.protocol.stop_if)
        if stops and state.status != "paused":
            for hit in stops:
                self.alert(
                    "stop_criterion", f"{hit.criterion.text} Seen: {hit.seen}.", hit.criterion
                )
                self.reason(hit.criterion, hit.criterion.text)
            return _Decision("stop", Rate.of(0, "mg/hour"))
        side = self.side_effect_rules()
        if side is not None:
            return side
        if state.status == "paused":
            return self.while_paused()
        if not state.changes and not state.doses:
            return self.start()
        notify = self.notifications()
        if self.soft_limit_blocks():
            return _Decision("ask_physician", state.rate)
        if notify:
            return _Decision("ask_physician", state.rate)
        return self.course(blocked=bool(self.pending_notifications(acknowledged_too=True)))

    # -- checks that only add alerts -----------------------------------------------------
    def version_check(self) -> None:
        """Show a protocol version different from the one the order was written against."""
        wanted = self.episode.protocol.version
        if wanted is not None and wanted != self.protocol.version:
            self.alert(
                "protocol_version",
                f"The episode was ordered under {self.protocol.id} {wanted}; the protocol now "
                f"loaded is version {self.protocol.version}. Check the order against it.",
                None,
            )

    def bedside_change_checks(self) -> None:
        """Flag the latest bedside increase if it came too early or took too large a step."""
        titration = self.phase.titration
        change = self.state.last_change()
        if not isinstance(titration, Titration) or change is None or change.old is None:
            return
        if not change.new > change.old:
            return
        earlier = [c for c in self.state.changes[:-1] if c.old is None or c.new > c.old]
        since = earlier[-1].at if earlier else self.state.started_at
        wait = self.titration_wait(titration)
        if since is not None and change.at - since < wait - timedelta(seconds=1):
            self.alert(
                "titration_too_early",
                f"The rate was raised to {_fmt(change.new)} at {_when(change.at)} by "
                f"{change.by}, {(change.at - since).total_seconds() / 3600:.3g} h after the "
                f"previous step; the protocol allows a step every "
                f"{wait.total_seconds() / 3600:.3g} h (event {change.position}).",
                titration,
            )
        allowed = self.next_up(titration, change.old, tolerance=True)
        if allowed is not None and change.new.mg_per_h > allowed.mg_per_h + 1e-6:
            self.alert(
                "step_too_large",
                f"The rate went from {_fmt(change.old)} to {_fmt(change.new)} (event "
                f"{change.position}); the protocol's step allows up to {_fmt(allowed)}.",
                titration,
            )

    def hits(self, criteria: list[Criterion] | Unspecified) -> list[Hit]:
        """The criteria that hold now."""
        if isinstance(criteria, Unspecified):
            return []
        found: list[Hit] = []
        for criterion in criteria:
            hit = evaluate(
                criterion, self.state, self.episode.baseline, self.episode.pain_goal, self.at
            )
            if hit is not None:
                found.append(hit)
        return found

    def pending_notifications(self, *, acknowledged_too: bool = False) -> list[Hit]:
        """Notification thresholds (other than pain above goal) that hold now."""
        hits = [h for h in self.hits(self.protocol.notify_if) if not h.criterion.pain_above_goal]
        if acknowledged_too:
            return hits
        return [h for h in hits if not self.state.acknowledged(h.observed_at)]

    def notifications(self) -> list[Hit]:
        """Alert every notification that holds; return those no physician has answered yet."""
        for hit in self.hits(self.protocol.notify_if):
            answered = self.state.acknowledged(hit.observed_at)
            tail = " A physician has responded since." if answered else ""
            self.alert("notify", f"{hit.criterion.text} Seen: {hit.seen}.{tail}", hit.criterion)
        pending = self.pending_notifications()
        for hit in pending:
            self.reason(hit.criterion, f"Notify and await direction: {hit.seen}.")
        return pending

    def soft_limit_blocks(self) -> bool:
        """Alert a rate above the soft ceiling; block unless a physician has overridden it."""
        rate = self.state.rate
        if rate is None or self.phase.kind not in {"continuous", "timed_infusion"}:
            return False
        result = check_rate(
            self.protocol, self.state.weight, rate, self.limits, phase_id=self.phase.id
        )
        if result.verdict != "soft_limit_exceeded":
            return False
        limit = result.limit
        source = "; ".join(limit.sources) if limit else str(self.phase.source)
        covering = [
            o
            for o, r in zip(self.state.overrides, self.state.override_rates, strict=False)
            if r.mg_per_h + _EPS >= rate.mg_per_h
        ]
        if covering:
            last = covering[-1]
            self.alert(
                "override_in_effect",
                f"{_fmt(rate)} is above the soft ceiling ({limit.value if limit else '?'}); "
                f"overridden by {last.physician} at {_when(last.at)}: {last.reason}",
                None,
                source,
            )
            return False
        self.alert(
            "soft_limit",
            f"{result.reasons[0]} A physician's override with a reason is needed to continue "
            "at this rate; otherwise lower it.",
            None,
            source,
        )
        self.reason(
            limit.id if limit else self.phase.id,
            f"Soft limit: {result.reasons[0]}",
            source,
        )
        return True

    # -- states ---------------------------------------------------------------------------
    def after_stop(self) -> _Decision:
        """The infusion is off: keep it off, and observe where the protocol says so."""
        stopped = self.state.stopped_at
        assert stopped is not None  # noqa: S101 - set with the status
        taper = self.protocol.taper
        text = f"The infusion was stopped at {_when(stopped)}."
        if isinstance(taper, Taper) and taper.observe_after_stop is not None:
            until = stopped + _hours(taper.observe_after_stop)
            if self.at < until:
                self.alert(
                    "observe_after_stop",
                    f"Observe in hospital until {_when(until)} ({taper.observe_after_stop} after "
                    "stopping) before discharge.",
                    taper,
                )
                self.due.append(until)
            text += f" Observe {taper.observe_after_stop} after stopping."
            self.reason(taper, text)
        else:
            self.reason("infusion-stopped", text + " Restarting is a physician's decision.")
        return _Decision("discontinue", Rate.of(0, "mg/hour"))

    def side_effect_rules(self) -> _Decision | None:  # noqa: PLR0911 - a case each
        """Seed 004's pause-and-restart and termination rules, as the protocol lists them."""
        rules = sorted(self.protocol.side_effects, key=lambda r: r.action != "stop")
        latest = latest_observation(self.state)
        if not rules or latest is None or self.state.status != "running":
            return None
        position = self.state.observations[-1][0]
        if position < self.state.resumed_position:
            return None
        for rule in rules:
            present = self.matching(rule, latest)
            if not present:
                continue
            self.alert("side_effects", f"{rule.text} Seen: {present}.", rule)
            action = rule.action
            if action == "pause" and self.state.side_effect_pauses > 0:
                action = rule.on_recurrence or "ask_physician"
                if self.state.acknowledged(latest.at):
                    self.reason(rule, "Side effects recurred; a physician has given direction.")
                    return _Decision("continue", self.state.rate)
            if action == "stop":
                self.reason(rule, f"{rule.text} ({present}).")
                return _Decision("stop", Rate.of(0, "mg/hour"))
            if action == "pause":
                until = latest.at + _hours(rule.pause_for) if rule.pause_for else None
                self.reason(
                    rule,
                    f"Pause the infusion{f' until {_when(until)}' if until else ''}, then "
                    f"restart at {_fmt(self.state.rate) if self.state.rate else 'the same rate'}.",
                )
                if until is not None:
                    self.due.append(until)
                return _Decision("pause", Rate.of(0, "mg/hour"))
            self.reason(rule, f"Side effects again after a pause ({present}): call the physician.")
            return _Decision("ask_physician", self.state.rate)
        return None

    @staticmethod
    def matching(rule: SideEffectRule, obs: Observation) -> str:
        """The symptoms of ``obs`` that trigger ``rule``, as text (empty when none)."""
        if rule.symptoms == "troublesome":
            return ", ".join(s.value for s in obs.symptoms) if obs.troublesome else ""
        return ", ".join(s.value for s in obs.symptoms if s in rule.symptoms)

    def while_paused(self) -> _Decision:
        """Restart after the protocol's pause, or ask where the protocol gives no restart."""
        paused = self.state.paused_at
        assert paused is not None  # noqa: S101 - set with the status
        session = self.session_resume()
        if session is not None:
            return session
        rule = next(
            (r for r in self.protocol.side_effects if r.action == "pause" and r.pause_for), None
        )
        if rule is None or rule.pause_for is None:
            self.reason(
                "no-restart-rule",
                f"The infusion has been paused since {_when(paused)}; the protocol gives no rule "
                "for restarting, so a physician decides.",
            )
            return _Decision("ask_physician", Rate.of(0, "mg/hour"))
        until = paused + _hours(rule.pause_for)
        if self.at < until:
            self.reason(rule, f"Paused at {_when(paused)}; restart at {_when(until)}.")
            self.due.append(until)
            return _Decision("pause", Rate.of(0, "mg/hour"))
        self.reason(rule, f"The {rule.pause_for} pause is over: restart at the earlier rate.")
        return _Decision("resume", self.state.rate)

    def start(self) -> _Decision:
        """The phase has not begun: its starting rate or dose, from the protocol."""
        phase, resolved = self.phase, self.resolved
        if phase.rate_unspecified is not None:
            rule = phase.rate_unspecified
            self.reason(rule, rule.text)
            self.alert("physician_needed", f"Starting rate not given: {rule.text}", rule)
            return _Decision("ask_physician", None)
        self.prn_at_start = True
        if phase.kind in {"bolus", "divided_doses"}:
            dose = resolved.dose
            self.reason(phase, f"Start: {phase.text}")
            if dose is None:
                self.alert("physician_needed", "The dose per administration is not given.", phase)
                return _Decision("ask_physician", None)
            return _Decision("start", None, dose)
        rate = resolved.rate
        assert rate is not None  # noqa: S101 - continuous and timed phases have a rate
        text = f"Start {phase.title.lower()}: {_fmt(rate)} for {self.weight_text}. {phase.text}"
        span = resolved.rate_range
        if span is not None and span[1].mg_per_h > span[0].mg_per_h + _EPS:
            text += (
                f" The source gives a range ({_fmt(span[0])} to {_fmt(span[1])}); the low end is "
                "shown and the physician chooses within it."
            )
        self.reason(phase, text)
        if rate >= self.hard_rate():
            self.alert("hard_limit", "The starting rate reaches the hard limit.", phase)
            return _Decision("ask_physician", None)
        return _Decision("start", rate)

    # -- the phase's course -----------------------------------------------------------------
    def course(self, *, blocked: bool) -> _Decision:
        """Titration, hold, taper and the next phase, by the kind of phase."""
        if self.phase.repeat is not None:
            session = self.session_course()
            if session is not None:
                return session
        if self.phase.kind == "timed_infusion":
            return self.timed_course()
        if self.phase.kind in {"bolus", "divided_doses"}:
            return self.dose_course(blocked=blocked)
        return self.continuous_course(blocked=blocked)

    def transitions(self, *kinds: str) -> list[Transition]:
        """Transitions out of this phase of the given kinds."""
        return [
            t
            for t in self.protocol.transitions
            if t.from_phase == self.phase.id and t.when in kinds
        ]

    def to_next(self, transition: Transition, why: str) -> _Decision:
        """Move to the transition's target phase, with its starting rate."""
        self.reason(transition, f"{why} {transition.text}")
        if transition.to_phase is None:
            return _Decision("next_phase", self.state.rate)
        target = self.protocol.phase(transition.to_phase)
        resolved = resolve_phase(target, self.state.weight, self.limits)
        for conversion in transition.conversions:
            self.reason(conversion, conversion.text)
        return _Decision("next_phase", resolved.rate, resolved.dose)

    def duration_over(self) -> bool | None:
        """Whether the phase's stated duration (low end) has run; None when it states none."""
        if self.phase.duration is None or self.state.started_at is None:
            return None
        low = low_end(self.phase.duration)
        return self.at - self.state.started_at >= _hours(low)

    def continuous_course(self, *, blocked: bool) -> _Decision:
        """A continuous infusion: next phase, taper, hold or titrate."""
        state, rate = self.state, self.state.rate
        assert rate is not None  # noqa: S101 - running
        self.course_length_alert()
        if self.duration_over():
            for transition in self.transitions("after_duration"):
                return self.to_next(transition, f"The phase's {self.phase.duration} have run.")
        taper = self.protocol.taper
        good = self.last_good_rate()
        tapering = (
            good is not None
            and rate.mg_per_h < good.mg_per_h - _EPS
            and any(c.old is not None and c.new < c.old for c in state.changes)
        )
        if tapering and good is not None:
            return self.taper_course(taper, rate, good)
        titration = self.phase.titration
        if isinstance(titration, Titration):
            last_up = state.last_increase()
            since = last_up.at if last_up is not None else state.started_at
            if since is not None:
                self.due.append(since + self.titration_wait(titration))
        pain = self.latest_pain(since=state.changes[-1].at if state.changes else None)
        if pain is None:
            self.reason(
                "assess-pain",
                f"No pain score since the rate was set to {_fmt(rate)}: continue and assess pain.",
            )
            return _Decision("continue", rate)
        if pain[1] <= self.episode.pain_goal:
            return self.comfortable(taper, rate)
        return self.titrate(rate, pain, blocked=blocked)

    def last_good_rate(self) -> Rate | None:
        """The highest rate this phase ran at while pain was at or below the patient's goal."""
        best: Rate | None = None
        for _, obs in self.state.observations:
            if obs.pain is None or obs.pain > self.episode.pain_goal:
                continue
            running = self.rate_at(obs.at)
            if running is not None and (best is None or running > best):
                best = running
        return best

    def rate_at(self, moment: datetime) -> Rate | None:
        """The rate running in this phase at ``moment``."""
        current: Rate | None = None
        for change in self.state.changes:
            if change.at <= moment:
                current = change.new
        return current

    def comfortable(self, taper: Taper | Unspecified, rate: Rate) -> _Decision:
        """Pain at goal: hold, and start the taper when the protocol says."""
        goal = self.episode.pain_goal
        if isinstance(taper, Unspecified):
            self.reason("comfortable", f"Pain at or below the goal of {goal}/10: continue.")
            self.reason(taper, taper.text)
            return _Decision("continue", rate)
        since = self.comfortable_since()
        if taper.hold_at_effective is not None:
            until = since + _hours(taper.hold_at_effective)
            if self.at < until:
                self.reason(
                    taper,
                    f"Comfortable since {_when(since)}: hold {_fmt(rate)} for "
                    f"{taper.hold_at_effective} (until {_when(until)}), then reduce gradually.",
                )
                self.due.append(until)
                return _Decision("continue", rate)
            return self.taper_step(
                taper, rate, f"Comfortable at {_fmt(rate)} since {_when(since)}."
            )
        if taper.over is not None and self.duration_over():
            self.reason(
                taper,
                f"The phase's planned length ({self.phase.duration}) has run: {taper.text}",
            )
            self.alert(
                "physician_needed", "The wean is optional and its steps are not given.", taper
            )
            return _Decision("taper", rate)
        self.reason("comfortable", f"Pain at or below the goal of {goal}/10: continue.")
        if taper.hold_at_effective is None and taper.steps:
            self.reason(
                taper,
                "The source gives no rule for how long to hold the effective rate before the "
                "taper; the physician decides when to begin.",
            )
        return _Decision("continue", rate)

    def comfortable_since(self) -> datetime:
        """Start of the current run of pain scores at or below goal, at the current rate."""
        last_change = self.state.changes[-1].at if self.state.changes else self.state.phase_since
        since = self.at
        for when, score in reversed(self.state.pains(since=last_change)):
            if score > self.episode.pain_goal:
                break
            since = when
        return since

    def taper_step(self, taper: Taper, rate: Rate, why: str) -> _Decision:
        """The next reduction: a listed step, a percentage, or the physician's step."""
        if taper.stop_below is not None:
            floor = rate_for(low_end(taper.stop_below), self.state.weight)
            if rate < floor:
                self.reason(taper, f"{why} {_fmt(rate)} is below {_fmt(floor)}: stop the infusion.")
                return _Decision("discontinue", Rate.of(0, "mg/hour"))
        for step in taper.steps or []:
            target = rate_for(high_end(step), self.state.weight)
            if target.mg_per_h < rate.mg_per_h - _EPS:
                self.reason(taper, f"{why} Reduce to {step} ({_fmt(target)}). {taper.text}")
                return _Decision("taper", target)
        if taper.step_percent is not None:
            target = rate.scaled(1 - taper.step_percent / 100)
            self.reason(taper, f"{why} Reduce by {taper.step_percent:g} % to {_fmt(target)}.")
            return _Decision("taper", target)
        self.reason(taper, f"{why} {taper.text}")
        self.alert(
            "physician_needed",
            f"Reduce gradually from {_fmt(rate)}: the source gives no step size or interval, so "
            "the physician sets each step.",
            taper,
        )
        return _Decision("taper", rate)

    def taper_course(self, taper: Taper | Unspecified, rate: Rate, good: Rate) -> _Decision:
        """During a taper: stop below the floor, go back if pain returns, else the next step."""
        if isinstance(taper, Unspecified):
            self.reason(taper, f"The rate was lowered from {_fmt(good)}. {taper.text}")
            return _Decision("ask_physician", rate)
        decreases = [c for c in self.state.changes if c.old is not None and c.new < c.old]
        last = decreases[-1]
        pain = self.latest_pain(since=last.at)
        if self.pain_returned(pain, last.at):
            seen = f"pain {pain[1]}/10" if pain is not None else "opioid use up"
            if taper.on_pain_return is None:
                self.reason(
                    taper,
                    f"The taper brought pain back ({seen}); the source says reduce only as "
                    "tolerated and gives no rule for this, so the physician decides.",
                )
                return _Decision("ask_physician", rate)
            if good >= self.hard_rate():
                return _Decision("ask_physician", rate)
            self.reason(
                taper,
                f"The taper brought pain back ({seen}): return to the last effective rate "
                f"{_fmt(good)}. {taper.on_pain_return}",
            )
            self.alert(
                "physician_needed",
                "When the taper resumes, reduce more slowly than the step that failed.",
                taper,
            )
            return _Decision("increase", good)
        return self.taper_step(taper, rate, f"Tapering from {_fmt(good)}; now {_fmt(rate)}.")

    def pain_returned(self, pain: tuple[datetime, int] | None, since: datetime) -> bool:
        """Pain above goal, or more opioid than before the reduction, since ``since``."""
        if pain is not None and pain[1] > self.episode.pain_goal:
            return True
        before = [o for o in self.state.opioid_use if o.at <= since]
        after = [o for o in self.state.opioid_use if o.at > since]
        if not before or not after:
            return False
        old, new = before[-1], after[-1]
        if old.med_mg_per_24h is not None and new.med_mg_per_24h is not None:
            return new.med_mg_per_24h > old.med_mg_per_24h
        if old.breakthrough_doses_24h is not None and new.breakthrough_doses_24h is not None:
            return new.breakthrough_doses_24h > old.breakthrough_doses_24h
        return False

    def titration_wait(self, titration: Titration) -> timedelta:
        """The least time between steps: the interval, or the half-life wait if longer."""
        wait = _hours(low_end(titration.interval))
        if titration.wait_half_lives and titration.half_life is not None:
            wait = max(wait, _hours(titration.half_life) * titration.wait_half_lives)
        return wait

    def next_up(self, titration: Titration, rate: Rate, *, tolerance: bool = False) -> Rate | None:
        """The rate one step up (the top of a percentage range when judging a bedside step)."""
        weight = self.state.weight
        if titration.step is not None:
            step = high_end(titration.step)
            if isinstance(step, Mass):
                return None
            return Rate.of(rate.mg_per_h + rate_for(step, weight).mg_per_h, "mg/hour")
        if titration.step_percent is not None:
            percent = titration.step_percent[1 if tolerance else 0]
            return rate.scaled(1 + percent / 100)
        for entry in titration.schedule or []:
            target = rate_for(high_end(entry), weight)
            if target.mg_per_h > rate.mg_per_h + 1e-6:
                return target
        return None

    def triggered(self, titration: Titration, pain: tuple[datetime, int]) -> bool:
        """Whether the titration's trigger holds on the latest pain score."""
        goal, score = self.episode.pain_goal, pain[1]
        if titration.when == "no_effect":
            return score >= self.episode.baseline.pain
        if titration.when == "pain_recurs":
            earlier = [s for when, s in self.state.pains(self.state.phase_since) if when < pain[0]]
            return score > goal and bool(earlier) and score > min(earlier)
        return score > goal

    def titrate(self, rate: Rate, pain: tuple[datetime, int], *, blocked: bool) -> _Decision:  # noqa: C901, PLR0911
        """Pain above goal: a step up when the protocol allows one now."""
        titration = self.phase.titration
        goal = self.episode.pain_goal
        seen = f"Pain {pain[1]}/10 is above the goal of {goal}/10."
        if isinstance(titration, Unspecified):
            self.reason(titration, f"{seen} {titration.text}")
            self.alert("physician_needed", titration.text, titration)
            return _Decision("ask_physician", rate)
        if titration is None or titration.direction != "up":
            self.reason(
                self.phase,
                f"{seen} The phase gives a fixed rate and no titration; the physician decides.",
            )
            return _Decision("ask_physician", rate)
        if not self.triggered(titration, pain):
            self.reason(
                titration,
                f"{seen} The protocol titrates when '{titration.when.replace('_', ' ')}', which "
                "this pain history does not show; the physician decides.",
            )
            return _Decision("ask_physician", rate)
        if blocked:
            self.reason(titration, f"{seen} No increase while a notification threshold holds.")
            return _Decision("continue", rate)
        latest = latest_observation(self.state)
        if latest is not None and latest.symptoms:
            self.reason(
                titration,
                f"{seen} Side effects are present ({', '.join(s.value for s in latest.symptoms)}): "
                "the protocol titrates to comfort without side effects, so hold the rate.",
            )
            return _Decision("continue", rate)
        target = self.next_up(titration, rate)
        if target is None:
            self.reason(titration, f"{seen} The escalation schedule is complete.")
            self.alert("ceiling_reached", "The last step of the schedule is running.", titration)
            return _Decision("continue", rate)
        last_up = self.state.last_increase()
        since = last_up.at if last_up is not None else self.state.started_at
        assert since is not None  # noqa: S101 - running
        wait = self.titration_wait(titration)
        if self.at - since < wait:
            self.reason(
                titration,
                f"{seen} The next step is allowed at {_when(since + wait)} "
                f"({wait.total_seconds() / 3600:.3g} h after {_when(since)}).",
            )
            self.due.append(since + wait)
            return _Decision("continue", rate)
        ceiling = self.ceiling_rate()
        if ceiling is not None and target.mg_per_h > ceiling.mg_per_h + 1e-6:
            rule = self.resolved.ceiling
            self.reason(
                rule.rule_id,
                f"{seen} The next step ({_fmt(target)}) would pass the ceiling of "
                f"{_fmt(ceiling)}: hold the rate; the ceiling is reached. {rule.text}",
                "; ".join(str(s) for s in rule.sources),
            )
            self.alert(
                "ceiling_reached",
                f"Ceiling {_fmt(ceiling)} reached; a higher rate needs a physician.",
                None,
                "; ".join(str(s) for s in rule.sources),
            )
            return _Decision("continue", rate)
        if target >= self.hard_rate():
            self.alert(
                "hard_limit", f"The next step ({_fmt(target)}) reaches the hard limit.", None
            )
            return _Decision("continue", rate)
        text = f"{seen} Step up from {_fmt(rate)} to {_fmt(target)}. {titration.text}"
        if (
            titration.step_percent is not None
            and titration.step_percent[1] > titration.step_percent[0]
        ):
            text += (
                f" The source allows {titration.step_percent[0]:g}-"
                f"{titration.step_percent[1]:g} %; "
                "the low end is shown and the physician may choose more."
            )
        self.reason(titration, text)
        self.due.append(self.at + wait)
        return _Decision("increase", target)

    def course_length_alert(self) -> None:
        """Say when an infusion has run past the longest duration its source states."""
        duration = self.phase.duration
        if duration is None or self.state.started_at is None:
            return
        high = high_end(duration)
        if self.at - self.state.started_at > _hours(high):
            self.alert(
                "course_duration",
                f"The phase has run longer than the {duration} its source describes.",
                self.phase,
            )

    def timed_course(self) -> _Decision:
        """A timed infusion: run to its end, then the protocol's next phase by response."""
        state, rate = self.state, self.state.rate
        assert rate is not None  # noqa: S101 - running
        assert state.started_at is not None  # noqa: S101 - running
        total = self.resolved.dose
        hours = total.mg / rate.mg_per_h if total is not None else None
        end = state.started_at + timedelta(hours=hours) if hours is not None else None
        if end is not None and self.at < end:
            self.reason(self.phase, f"{self.phase.text} Running {_fmt(rate)} until {_when(end)}.")
            self.due.append(end)
            return _Decision("continue", rate)
        pain = self.latest_pain(since=state.started_at)
        baseline = self.episode.baseline.pain
        severe = any(obs.severe for obs in self.state.phase_observations())
        if pain is None:
            self.reason("assess-pain", "The infusion has run: assess pain to choose the next step.")
            return _Decision("continue", Rate.of(0, "mg/hour"))
        reduction = 100.0 * (baseline - pain[1]) / baseline if baseline else 0.0
        why = f"Pain {baseline}/10 → {pain[1]}/10 ({reduction:.3g} % better)."
        for transition in self.transitions("response"):
            if reduction + _EPS >= (transition.pain_reduction_percent or 0):
                return self.to_next(transition, why)
        for transition in self.transitions("no_response"):
            if not severe:
                return self.to_next(transition, f"{why} No severe side effects.")
        self.reason(
            self.phase,
            f"{why} The protocol gives no next step for this case after this phase; the "
            "physician decides.",
        )
        return _Decision("ask_physician", Rate.of(0, "mg/hour"))

    def dose_course(self, *, blocked: bool) -> _Decision:  # noqa: C901, PLR0912, PLR0911
        """Boluses and divided doses: the next dose when due, doubled or stepped if allowed."""
        phase = self.phase
        last_at, last_dose, _ = self.state.doses[-1]
        if phase.kind == "divided_doses" and phase.doses_per_day:
            interval = timedelta(hours=24 / phase.doses_per_day)
        elif phase.interval is not None:
            interval = _hours(low_end(phase.interval))
        else:
            given_over = _hours(self.resolved.over) if self.resolved.over else timedelta(0)
            if self.at >= last_at + given_over:
                for transition in self.transitions("after_duration"):
                    return self.to_next(transition, f"The dose given at {_when(last_at)} is in.")
            self.reason(phase, f"{phase.text} The source gives no repeat interval.")
            return _Decision("ask_physician", None, last_dose)
        if self.at < last_at + interval:
            self.reason(phase, f"Next dose due at {_when(last_at + interval)}.")
            self.due.append(last_at + interval)
            return _Decision("continue", None, last_dose)
        pain = self.latest_pain(since=last_at)
        if pain is None:
            self.reason("assess-pain", "Assess pain before the next dose.")
            return _Decision("continue", None, last_dose)
        if pain[1] <= self.episode.pain_goal:
            for transition in self.transitions("response"):
                return self.to_next(transition, f"Pain {pain[1]}/10 at goal.")
            self.reason(phase, "Pain at goal: give the same dose when due.")
            return _Decision("continue", None, last_dose)
        titration = phase.titration
        if isinstance(titration, Unspecified) or titration is None:
            rule: Rule = titration if titration is not None else phase
            self.reason(rule, f"Pain {pain[1]}/10 above goal; the source gives no dose step.")
            return _Decision("ask_physician", None, last_dose)
        if blocked or not self.triggered(titration, pain):
            self.reason(titration, "No step now: a notification holds or the trigger is absent.")
            return _Decision("continue", None, last_dose)
        percent = titration.step_percent[0] if titration.step_percent else None
        step = low_end(titration.step) if titration.step is not None else None
        if percent is not None:
            target = last_dose.scaled(1 + percent / 100)
        elif isinstance(step, Mass):
            target = Mass.of(last_dose.mg + step.mg, "mg")
        else:
            self.reason(titration, "The step is not a dose; the physician decides.")
            return _Decision("ask_physician", None, last_dose)
        hard_rule, hard = self.limits.hard_dose()
        if target >= hard.for_weight(self.state.weight):
            self.alert("hard_limit", f"{target} reaches the hard limit ({hard}).", None)
            self.reason(hard_rule.id, hard_rule.text, str(hard_rule.sources[0]))
            return _Decision("ask_physician", None, last_dose)
        ceiling = self.resolved.ceiling.dose
        if ceiling is not None and target.mg > ceiling.mg + 1e-6:
            self.alert("ceiling_reached", f"The next dose would pass {ceiling}.", None)
            return _Decision("continue", None, last_dose)
        self.reason(
            titration, f"Pain {pain[1]}/10 above goal: next dose {target}. {titration.text}"
        )
        return _Decision("increase", None, target)

    def session_course(self) -> _Decision | None:
        """A course of sessions (e.g. 4 h daily): end a session when its time has run."""
        repeat, state = self.phase.repeat, self.state
        assert repeat is not None  # noqa: S101 - checked by the caller
        length = self.session_length()
        if length is None or not state.sessions or state.rate is None:
            return None
        start = state.sessions[-1]
        if self.at - start < length:
            return None
        times = repeat.times if isinstance(repeat.times, int) else repeat.times[1]
        if len(state.sessions) >= times:
            self.reason(
                self.phase,
                f"Session {len(state.sessions)} of {repeat.times}: the course is complete.",
            )
            return _Decision("discontinue", Rate.of(0, "mg/hour"))
        following = start + _hours(repeat.every)
        self.reason(
            self.phase,
            f"Session {len(state.sessions)} has run its {length.total_seconds() / 3600:g} h: "
            f"stop the pump until the next session at {_when(following)}.",
        )
        self.due.append(following)
        return _Decision("pause", Rate.of(0, "mg/hour"))

    def session_length(self) -> timedelta | None:
        """How long one session lasts."""
        if self.phase.kind == "timed_infusion" and self.resolved.over is not None:
            return _hours(self.resolved.over)
        if self.phase.duration is not None:
            return _hours(low_end(self.phase.duration))
        return None

    def session_resume(self) -> _Decision | None:
        """Between sessions: start the next one when it is due."""
        repeat = self.phase.repeat
        if repeat is None or not self.state.sessions:
            return None
        following = self.state.sessions[-1] + _hours(repeat.every)
        if self.at < following:
            self.reason(self.phase, f"Next session at {_when(following)}.")
            self.due.append(following)
            return _Decision("pause", Rate.of(0, "mg/hour"))
        self.reason(self.phase, "The next session is due: restart at the session's rate.")
        return _Decision("resume", self.state.rate)

    # -- next look and adjuncts ---------------------------------------------------------------
    def next_assessment(self) -> datetime | None:  # noqa: C901, PLR0912 - a case each
        """The earliest future time something is due; now, if an assessment is overdue."""
        monitoring = self.protocol.monitoring
        anchor = self.state.started_at or self.episode.started_at
        observed = [obs.at for obs in self.state.phase_observations() if obs.at >= anchor]
        last_seen = observed[-1] if observed else anchor
        overdue: datetime | None = None
        if isinstance(monitoring, list) and self.state.status in {"running", "paused"}:
            for order in monitoring:
                if order.every is None:
                    continue
                every = _hours(low_end(order.every))
                if order.times is not None:
                    # A limited series ("every hour x 3") belongs to the start of the infusion.
                    first = self.state.first_started_at
                    if first is None or first != self.state.started_at:
                        continue
                    if len(observed) >= order.times:
                        continue
                    due = anchor + every * (len(observed) + 1)
                else:
                    due = last_seen + every
                if due < self.at:
                    overdue = due if overdue is None else min(overdue, due)
                    self.alert(
                        "assessment_overdue",
                        f"{order.text} An assessment was due at {_when(due)}.",
                        order,
                    )
                else:
                    self.due.append(due)
        future = sorted(d for d in self.due if d > self.at)
        if overdue is not None:
            return self.at
        if future:
            return future[0]
        if isinstance(monitoring, Unspecified):
            self.reason(monitoring, monitoring.text)
        elif self.state.status in {"running", "paused"}:
            self.reason(
                "no-assessment-interval",
                "The protocol gives no interval for the next assessment; the ordering team "
                "sets it.",
            )
        return None

    def prn_advice(self, action: Action) -> list[PrnAdvice]:
        """As-needed adjuncts indicated by the symptoms present now (or at the start)."""
        latest = latest_observation(self.state)
        present = set(latest.symptoms) if latest is not None else set()
        advice: list[PrnAdvice] = []
        for prn in self.protocol.prn:
            wanted = [s.value for s in prn.for_symptoms if s in present]
            at_start = prn.at_start and action == "start"
            if not wanted and not at_start:
                continue
            given = [g for g in self.state.prn_given if g.drug.lower() == prn.drug.lower()]
            available, note = True, "Indicated now."
            if at_start:
                note = "Give the first dose at the start of the infusion."
            if given and prn.interval is not None:
                ready = given[-1].at + _hours(prn.interval)
                if self.at < ready:
                    available, note = (
                        False,
                        f"Last given {_when(given[-1].at)}; next from {_when(ready)}.",
                    )
            allowed = None if prn.max_doses is None else prn.max_doses + int(prn.at_start)
            if allowed is not None and len(given) >= allowed:
                available, note = False, f"All {allowed} doses the order allows have been given."
            if prn.alternative_to is not None:
                note += f" Alternative to {prn.alternative_to}."
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


def _phase(protocol: Protocol, phase_id: str) -> Phase:
    for phase in protocol.phases:
        if phase.id == phase_id:
            return phase
    known = ", ".join(p.id for p in protocol.phases)
    raise UserInputError(
        f"the episode names phase '{phase_id}', which protocol {protocol.id} does not have "
        f"(its phases: {known})"
    )


def recommend(
    episode: Episode, protocol: Protocol, limits: LimitTable, at: datetime
) -> Recommendation:
    """What the protocol says to do at ``at``, from the episode up to that moment.

    Parameters
    ----------
    episode
        The episode so far; events after ``at`` are ignored.
    protocol
        The protocol the episode follows (its id must match the episode's).
    limits
        The product-wide hard limits, default soft ceiling and dose bands.
    at
        The moment asked about, timezone-aware; the engine never reads the clock.

    Returns
    -------
    Recommendation
        Action, rate, reasons, alerts, next assessment time and indicated adjuncts.
    """
    if at.tzinfo is None or at.utcoffset() is None:
        raise UserInputError(f"the time {at.isoformat()} has no time zone; give one (e.g. Z)")
    if at < episode.started_at:
        raise UserInputError(
            f"{at.isoformat()} is before the episode started ({episode.started_at.isoformat()})"
        )
    if episode.protocol.id != protocol.id:
        raise UserInputError(
            f"the episode follows protocol '{episode.protocol.id}', not '{protocol.id}'"
        )
    weight = episode.patient.body_weight
    limits.check_weight(weight)
    for event in episode.events:
        if isinstance(event, PhaseChange):
            _phase(protocol, event.to_phase)
    state = replay(episode, protocol.phases[0].id, at)
    phase = _phase(protocol, state.phase_id)
    engine = _Engine(
        episode=episode,
        protocol=protocol,
        limits=limits,
        at=at,
        state=state,
        phase=phase,
        resolved=resolve_phase(phase, weight, limits),
    )
    decision = engine.decide()
    rate = decision.rate
    if rate is not None and rate >= engine.hard_rate():
        rate = None  # a rate at or above the hard limit is never recommended
    next_at = engine.next_assessment()
    prn = engine.prn_advice(decision.action)
    return Recommendation(
        at=at,
        protocol_id=protocol.id,
        protocol_version=protocol.version,
        phase=phase.id,
        action=decision.action,
        rate_mg_per_h=_mg_h(rate),
        dose_mg=None if decision.dose is None else round(decision.dose.mg, 4),
        reasons=engine.reasons,
        alerts=engine.alerts,
        next_assessment_at=next_at,
        prn=prn,
    )


__all__ = ["recommend"]
