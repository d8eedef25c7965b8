"""Valid episodes over every shipped protocol, from one generator behind two sources of chance.

The same code draws an episode from a seeded :class:`random.Random` (the command-line run) or
from hypothesis (the test suite, which then shrinks a failing episode); only :class:`Chance`
differs. An episode is built as the plain data of an episode file, so a failing one can be
written out as YAML and read back by the product.

What it covers, on purpose: weights 30-300 kg (a quarter in pounds); every kind of event in
every phase (doses in infusion phases, rate changes in dose phases, phase changes to any phase);
pauses with readings taken during them; resumes with and without a rate, some above the hard
limit; overrides, some up to a rate above the hard limit; stale gaps of hours to ten days;
episodes with no pain score at all; every symptom of the vocabulary, severe and troublesome;
vital signs on, just across and far beyond every threshold the protocol names; rates of
0.005-3 mg/kg/h in mg/h, mg/kg/h, µg/kg/h and mg/24 h; doses of 0.02-10 mg/kg by every route;
times strictly increasing and written in several time zones.
"""

from __future__ import annotations

import math
import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from typing import Any, TypeVar

from hypothesis import strategies as st
from oracle import HARD_RATE_MG_PER_KG_H, SINGLE_DOSE_MG_PER_KG, mg_of, mg_per_h

from ketamine_cds.domain.protocols.schema import Phase, Protocol, Titration, Unspecified
from ketamine_cds.domain.units import LB_TO_KG, Duration, Mass, PerKgMass, PerKgRate, Rate
from ketamine_cds.domain.vocabulary import Route, Symptom, Vital

T = TypeVar("T")

MIN_KG, MAX_KG = 30.0, 300.0
MIN_RATE, MAX_RATE = 0.005, 3.0  # mg/kg/h
MIN_DOSE, MAX_DOSE = 0.02, 10.0  # mg/kg
EVENT_KINDS = (
    "observation",
    "rate_change",
    "pause",
    "resume",
    "stop",
    "dose_given",
    "prn_given",
    "opioid_use",
    "physician_override",
    "physician_decision",
    "phase_change",
    "entered_in_error",
)
ZONES = (0, 0, 0, 60, -300, 330, 600, -480, 345, -210)  # minutes east of UTC
_VITAL_BOUNDS = {  # inside the episode model's bounds
    Vital.HEART_RATE: (1.0, 299.0),
    Vital.SYSTOLIC_BP: (1.0, 349.0),
    Vital.DIASTOLIC_BP: (1.0, 349.0),
    Vital.RESPIRATORY_RATE: (0.0, 99.0),
    Vital.SPO2: (0.0, 100.0),
}
_VITAL_USUAL = {
    Vital.HEART_RATE: (55.0, 100.0),
    Vital.SYSTOLIC_BP: (100.0, 145.0),
    Vital.DIASTOLIC_BP: (60.0, 90.0),
    Vital.RESPIRATORY_RATE: (10.0, 20.0),
    Vital.SPO2: (93.0, 100.0),
}
_GENERIC_THRESHOLDS = {  # the thresholds the shipped protocols use, for protocols naming none
    Vital.HEART_RATE: [110.0],
    Vital.SYSTOLIC_BP: [160.0],
    Vital.DIASTOLIC_BP: [100.0],
    Vital.RESPIRATORY_RATE: [7.0, 8.0],
    Vital.SPO2: [90.0],
}


class Chance:
    """Draws from a seeded :class:`random.Random`; :class:`HypothesisChance` draws from hypothesis.

    Every other draw is built on :meth:`integer` and :meth:`real`, so both sources make the same
    episodes from the same code; with hypothesis each draw shrinks towards its first option.
    """

    def __init__(self, rng: random.Random) -> None:
        """Wrap a seeded generator."""
        self._rng = rng

    def integer(self, low: int, high: int) -> int:
        """An integer in [low, high]."""
        return self._rng.randint(low, high)

    def real(self, low: float, high: float) -> float:
        """A float in [low, high]."""
        return self._rng.uniform(low, high)

    def chance(self, probability: float) -> bool:
        """True with ``probability`` (shrinks to False)."""
        return self.integer(0, 999) >= round(1000 * (1 - probability))

    def choice(self, options: Sequence[T]) -> T:
        """One of ``options`` (shrinks to the first)."""
        return options[self.integer(0, len(options) - 1)]

    def weighted(self, options: Sequence[tuple[T, int]]) -> T:
        """One of ``options`` by integer weight (shrinks to the first)."""
        pick = self.integer(0, sum(weight for _, weight in options) - 1)
        for option, weight in options:
            if pick < weight:
                return option
            pick -= weight
        return options[-1][0]

    def log_real(self, low: float, high: float) -> float:
        """A float in [low, high], uniform on a log scale."""
        return math.exp(self.real(math.log(low), math.log(high)))

    def subset(self, options: Sequence[T], most: int) -> list[T]:
        """Up to ``most`` distinct options, in the options' order."""
        picked = {self.integer(0, len(options) - 1) for _ in range(self.integer(1, most))}
        return [options[i] for i in sorted(picked)]


class HypothesisChance(Chance):
    """The same draws, from hypothesis, so a failing episode shrinks."""

    def __init__(self, draw: st.DrawFn) -> None:
        self._draw = draw

    def integer(self, low: int, high: int) -> int:
        return self._draw(st.integers(low, high))

    def real(self, low: float, high: float) -> float:
        return self._draw(st.floats(low, high, allow_nan=False, allow_infinity=False))


@dataclass(frozen=True)
class Case:
    """One generated episode (as file data), its protocol, and the moments to ask about."""

    protocol_id: str
    data: dict[str, Any]
    moments: tuple[datetime, ...]
    twice: tuple[datetime, ...]


# -- numbers and texts --------------------------------------------------------------------------


def number(value: float) -> str:
    """A positive number as a clinician writes it: at most 4 significant digits, no exponent."""
    digits = max(0, 3 - math.floor(math.log10(abs(value)))) if value else 0
    text = f"{value:.{digits}f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def rate_text(chance: Chance, per_kg_h: float, kg: float) -> str:
    """A rate in one of the units the bedside writes."""
    unit = chance.choice(["mg/h", "mg/kg/h", "µg/kg/h", "mg/24 h", "mcg/kg/hr", "mg/kg/day"])
    factor = {
        "mg/h": kg,
        "mg/kg/h": 1.0,
        "µg/kg/h": 1000.0,
        "mg/24 h": kg * 24,
        "mcg/kg/hr": 1000.0,
        "mg/kg/day": 24.0,
    }[unit]
    return f"{number(per_kg_h * factor)} {unit}"


def per_kg(value: object, kg: float, *, rate: bool) -> float | None:
    """A protocol's value (low end of a range) per kg: mg/kg/h for rates, mg/kg for doses."""
    value = getattr(value, "low", value)
    if rate and isinstance(value, Rate | PerKgRate):
        return mg_per_h(value, kg) / kg
    if not rate and isinstance(value, Mass | PerKgMass):
        return mg_of(value, kg) / kg
    return None


def phase_rate(phase: Phase, kg: float) -> float | None:
    """The phase's own rate in mg/kg/h, where it has one."""
    if phase.rate is not None:
        return per_kg(phase.rate, kg, rate=True)
    over = getattr(phase.over, "low", phase.over)
    if phase.total is not None and isinstance(over, Duration):
        total = per_kg(phase.total, kg, rate=False)
        return None if total is None else total / over.hours
    if phase.daily is not None:
        return per_kg(phase.daily, kg, rate=True)
    return None


def phase_dose(phase: Phase, kg: float) -> float | None:
    """The phase's own dose per administration in mg/kg, where it has one."""
    if phase.dose is not None:
        return per_kg(phase.dose, kg, rate=False)
    if phase.daily is not None and phase.doses_per_day:
        daily = per_kg(phase.daily, kg, rate=True)
        return None if daily is None else daily * 24 / phase.doses_per_day
    return None


def phase_ceiling(phase: Phase, kg: float, *, rate: bool) -> float | None:
    """The phase's lowest stated ceiling per kg, of the kind asked for."""
    if isinstance(phase.ceilings, Unspecified):
        return None
    found = [per_kg(c.limit, kg, rate=rate) for c in phase.ceilings]
    values = [v for v in found if v is not None]
    return min(values) if values else None


def titration_step(phase: Phase, kg: float, current: float, *, rate: bool) -> float | None:
    """One step of the phase's titration from ``current`` (mg/kg/h or mg/kg), if it gives one."""
    titration = phase.titration
    if not isinstance(titration, Titration):
        return None
    if titration.step_percent is not None:
        return current * (1 + titration.step_percent[0] / 100)
    if titration.step is not None:
        step = per_kg(titration.step, kg, rate=rate)
        return None if step is None else current + step
    for entry in titration.schedule or []:
        value = per_kg(entry, kg, rate=True)
        if rate and value is not None and value > current * 1.0001:
            return value
    return None


def titration_hours(phase: Phase) -> float:
    """The least time between titration steps (2 h where the phase gives none)."""
    titration = phase.titration
    if not isinstance(titration, Titration):
        return 2.0
    interval = getattr(titration.interval, "low", titration.interval)
    hours = interval.hours if isinstance(interval, Duration) else 2.0
    if titration.wait_half_lives and titration.half_life is not None:
        hours = max(hours, titration.wait_half_lives * titration.half_life.hours)
    return hours


def _clamp(value: float, low: float, high: float) -> float:
    return min(high, max(low, value))


# -- the parts of an episode --------------------------------------------------------------------


@dataclass
class _Course:
    """What the generator tracks while writing events, to make the next ones plausible."""

    protocol: Protocol
    kg: float
    phase: Phase
    at: datetime
    zone: timezone
    rate: float | None = None  # mg/kg/h last set
    dose: float | None = None  # mg/kg last given
    paused: bool = False
    no_pain: bool = False
    orderly: bool = False
    last_kind: str = ""


def weight_text(chance: Chance) -> str:
    """A weight in 30-300 kg, favouring the edges and seed 001's 200-250 kg; a quarter in lb."""
    kg = chance.weighted(
        [
            ((lambda: chance.real(45, 120)), 6),
            ((lambda: chance.real(MIN_KG, MAX_KG)), 3),
            ((lambda: chance.choice([MIN_KG, MAX_KG, 200.0, 210.0, 250.0])), 1),
            ((lambda: chance.real(200, 250)), 1),
        ]
    )()
    if chance.chance(0.25):
        pounds = math.floor(kg / LB_TO_KG * 10) / 10
        pounds = _clamp(pounds, math.ceil(MIN_KG / LB_TO_KG * 10) / 10, MAX_KG / LB_TO_KG)
        return f"{number(pounds)} lb"
    return f"{round(kg, 1):g} kg"


def kg_of(text: str) -> float:
    """The kilograms of a weight text this module wrote."""
    value, unit = text.split()
    return float(value) * (LB_TO_KG if unit == "lb" else 1.0)


def start_time(chance: Chance) -> tuple[datetime, timezone]:
    """A start between 2020 and 2030, on the minute, in some time zone."""
    zone = timezone(timedelta(minutes=chance.choice(ZONES)))
    moment = datetime(2020, 1, 1, tzinfo=UTC) + timedelta(minutes=chance.integer(0, 5_000_000))
    return moment.astimezone(zone), zone


def baseline(chance: Chance) -> dict[str, Any]:
    """Baseline pain and, mostly, some vital signs (percentage rules need them)."""
    data: dict[str, Any] = {"pain": chance.weighted([(7, 4), (chance.integer(0, 10), 6)])}
    for vital, name in (
        (Vital.HEART_RATE, "heart_rate"),
        (Vital.SYSTOLIC_BP, "systolic_bp"),
        (Vital.DIASTOLIC_BP, "diastolic_bp"),
        (Vital.RESPIRATORY_RATE, "respiratory_rate"),
        (Vital.SPO2, "spo2"),
    ):
        if chance.chance(0.75):
            low, high = _VITAL_USUAL[vital]
            data[name] = round(chance.real(low, high))
    return data


def thresholds(protocol: Protocol, base: dict[str, Any]) -> dict[Vital, list[float]]:
    """Every threshold the protocol's criteria name, per vital (percentages on this baseline)."""
    found = {vital: list(values) for vital, values in _GENERIC_THRESHOLDS.items()}
    for criteria in (protocol.stop_if, protocol.notify_if):
        for criterion in criteria if isinstance(criteria, list) else []:
            if criterion.vital is None or criterion.value is None:
                continue
            value = criterion.value
            if criterion.from_baseline_percent:
                if criterion.vital.value not in base:
                    continue
                value = base[criterion.vital.value] * (1 + value / 100)
            found.setdefault(criterion.vital, []).append(value)
    return found


def vital_value(chance: Chance, vital: Vital, near: list[float]) -> float:
    """A value: usual, on or just across a threshold, or far beyond one."""
    low, high = _VITAL_BOUNDS[vital]
    mode = chance.weighted([("usual", 4), ("threshold", 5 if near else 0), ("extreme", 1)])
    if mode == "usual":
        value = chance.real(*_VITAL_USUAL[vital])
    elif mode == "threshold" and near:
        delta = chance.choice([0.0, -1.0, 1.0, -0.5, 0.5, -2.0, 2.0, -5.0, 5.0, -0.01, 0.01])
        value = chance.choice(near) + delta
    else:
        value = chance.real(low, high)
    value = _clamp(value, low, high)
    return round(value, 1) if chance.chance(0.2) else float(round(value))


def symptoms(chance: Chance) -> dict[str, Any]:
    """Some symptoms of the vocabulary (all of it, now and then), some severe or troublesome;
    'other' with the words that say what it is."""
    found = chance.subset(list(Symptom), chance.choice([1, 2, 3, len(Symptom)]))
    data: dict[str, Any] = {"symptoms": [s.value for s in found]}
    if "other" in data["symptoms"]:
        data["other_symptom"] = chance.choice(["tingling lips", "metallic taste", "tinnitus"])
    if chance.chance(0.3):
        data["severe"] = [s.value for s in chance.subset(found, len(found))]
    if chance.chance(0.4):
        data["troublesome"] = True
    return data


def observation(chance: Chance, course: _Course, near: dict[Vital, list[float]]) -> dict[str, Any]:
    """Pain, vital signs, sedation and symptoms; never empty."""
    data: dict[str, Any] = {"type": "observation"}
    if not course.no_pain and chance.chance(0.8 if course.orderly else 0.65):
        data["pain"] = chance.weighted([(chance.integer(5, 10), 3), (chance.integer(0, 10), 2)])
    for vital in _VITAL_BOUNDS:
        if chance.chance(0.3):
            if course.orderly and chance.chance(0.9):
                data[vital.value] = float(round(chance.real(*_VITAL_USUAL[vital])))
            else:
                data[vital.value] = vital_value(chance, vital, near.get(vital, []))
    if chance.chance(0.12):
        data["sedation"] = chance.integer(0, 10)
    if chance.chance(0.6 if course.paused else (0.12 if course.orderly else 0.3)):
        data.update(symptoms(chance))
    if len(data) == 1:
        data["heart_rate"] = vital_value(chance, Vital.HEART_RATE, near[Vital.HEART_RATE])
    return data


def rate_value(chance: Chance, course: _Course) -> float:
    """mg/kg/h: the phase's own, a step from the current, near a ceiling or the hard limit, any."""
    own = phase_rate(course.phase, course.kg)
    ceiling = phase_ceiling(course.phase, course.kg, rate=True)
    current = course.rate or own or 0.1
    titrated = titration_step(course.phase, course.kg, current, rate=True)
    if course.orderly and titrated is not None and chance.chance(0.9):
        if ceiling is not None and titrated > ceiling and chance.chance(0.7):
            return _clamp(current, MIN_RATE, MAX_RATE)
        return _clamp(titrated, MIN_RATE, MAX_RATE)
    if course.orderly and course.rate is None and own and chance.chance(0.8):
        return _clamp(own, MIN_RATE, MAX_RATE)
    mode = chance.weighted(
        [
            ("step", 5 if course.orderly else 2),
            ("own", 3),
            ("ceiling", 1 if ceiling else 0),
            ("hard", 1),
            ("down", 1),
            ("any", 2),
        ]
    )
    if mode == "own" and own:
        value = own * chance.choice([1.0, 1.0, 0.8, 1.2])
    elif mode == "step":
        value = chance.choice(
            [current * 1.5, current * 2, current + 2 / course.kg, current * 1.25, current * 1.1]
        )
    elif mode == "down":
        value = current * chance.real(0.3, 0.9)
    elif mode == "ceiling" and ceiling:
        value = ceiling * chance.choice([1.0, 0.95, 1.05, 1.5])
    elif mode == "hard":
        value = HARD_RATE_MG_PER_KG_H * chance.choice([1.0, 0.99, 1.01, 0.9, 1.5, 3.0])
    else:
        value = chance.log_real(MIN_RATE, MAX_RATE)
    return _clamp(value, MIN_RATE, MAX_RATE)


def dose_value(chance: Chance, course: _Course, route: Route) -> float:
    """mg/kg: the phase's own, a step from the last, near the route's hard limit, or any."""
    own = phase_dose(course.phase, course.kg) or course.dose
    if course.orderly and chance.chance(0.8):
        titrated = titration_step(course.phase, course.kg, course.dose or own or 0.1, rate=False)
        if titrated is not None and course.dose is not None:
            return _clamp(titrated, MIN_DOSE, MAX_DOSE)
        if own is not None:
            return _clamp(own, MIN_DOSE, MAX_DOSE)
    mode = chance.weighted([("own", 4 if own else 0), ("step", 2), ("limit", 2), ("any", 3)])
    if mode == "own" and own:
        value = own * chance.choice([1.0, 1.0, 0.5, 1.5])
    elif mode == "step":
        value = (course.dose or own or 0.25) * chance.choice([1.5, 2.0])
    elif mode == "limit":
        value = SINGLE_DOSE_MG_PER_KG[route] * chance.choice([1.0, 0.99, 1.01, 0.9, 1.5])
    else:
        value = chance.log_real(MIN_DOSE, MAX_DOSE)
    return _clamp(value, MIN_DOSE, MAX_DOSE)


def dose_text(chance: Chance, per_kg_dose: float, kg: float) -> str:
    """A dose in mg, sometimes in µg or g."""
    mg = per_kg_dose * kg
    if mg < 5 and chance.chance(0.3):
        return f"{number(mg * 1000)} µg"
    if mg > 500 and chance.chance(0.3):
        return f"{number(mg / 1000)} g"
    return f"{number(mg)} mg"


_WHO = ("RN Lee", "RN Chen", "Dr Patel")


def _rate_change(chance: Chance, course: _Course) -> dict[str, Any]:
    course.rate, course.paused = rate_value(chance, course), False
    return {"rate": rate_text(chance, course.rate, course.kg), "by": chance.choice(_WHO)}


def _pause(chance: Chance, course: _Course) -> dict[str, Any]:
    course.paused = True
    data: dict[str, Any] = {"by": chance.choice(_WHO)}
    if chance.chance(0.3):
        data["for_side_effects"] = False
    if chance.chance(0.5):
        data["reason"] = "troublesome side effects"
    return data


def _resume(chance: Chance, course: _Course) -> dict[str, Any]:
    course.paused = False
    data: dict[str, Any] = {"by": chance.choice(_WHO)}
    if chance.chance(0.5):
        course.rate = rate_value(chance, course)
        data["rate"] = rate_text(chance, course.rate, course.kg)
    return data


def _stop(chance: Chance, course: _Course) -> dict[str, Any]:
    return {"by": chance.choice(_WHO), "reason": "as ordered"}


def _dose_given(chance: Chance, course: _Course) -> dict[str, Any]:
    route = chance.choice([None, *Route])
    course.dose = dose_value(chance, course, route or course.phase.route)
    data = {"dose": dose_text(chance, course.dose, course.kg), "by": chance.choice(_WHO)}
    if route is not None:
        data["route"] = route.value
    return data


def _prn_given(chance: Chance, course: _Course) -> dict[str, Any]:
    drugs = [(p.drug, str(getattr(p.dose, "low", p.dose))) for p in course.protocol.prn]
    drug, dose = chance.choice([*drugs, ("ondansetron", "4 mg"), ("lorazepam", "1 mg")])
    data = {"drug": drug, "dose": dose, "by": chance.choice(_WHO)}
    if chance.chance(0.5):
        data["route"] = chance.choice(list(Route)).value
    return data


def _opioid_use(chance: Chance, course: _Course) -> dict[str, Any]:
    data: dict[str, Any] = {}
    if chance.chance(0.7):
        data["med_mg_per_24h"] = round(chance.real(0, 600), 1)
    if not data or chance.chance(0.3):
        data["breakthrough_doses_24h"] = chance.integer(0, 12)
    return data


def _physician_override(chance: Chance, course: _Course) -> dict[str, Any]:
    data: dict[str, Any] = {"physician": "Dr Patel", "reason": "pain uncontrolled, reviewed"}
    if course.phase.kind in {"bolus", "divided_doses"} and chance.chance(0.6):
        base = phase_dose(course.phase, course.kg) or 0.35
        limit = chance.choice(
            [base * 1.5, base * 3, SINGLE_DOSE_MG_PER_KG[course.phase.route] * 1.5]
        )
        data["up_to"] = dose_text(chance, _clamp(limit, MIN_DOSE, MAX_DOSE), course.kg)
    elif chance.chance(0.6):
        base = phase_ceiling(course.phase, course.kg, rate=True) or 0.5
        limit = chance.choice([base * 1.2, base * 2, HARD_RATE_MG_PER_KG_H * 1.5, 0.99])
        data["up_to"] = rate_text(chance, _clamp(limit, MIN_RATE, MAX_RATE), course.kg)
    return data


def _physician_decision(chance: Chance, course: _Course) -> dict[str, Any]:
    return {"physician": "Dr Patel", "decision": "continue as planned"}


def _phase_change(chance: Chance, course: _Course) -> dict[str, Any]:
    course.phase = chance.choice(course.protocol.phases)
    course.rate = course.dose = None
    return {"to_phase": course.phase.id, "by": chance.choice(_WHO)}


_WRITERS = {
    "rate_change": _rate_change,
    "pause": _pause,
    "resume": _resume,
    "stop": _stop,
    "dose_given": _dose_given,
    "prn_given": _prn_given,
    "opioid_use": _opioid_use,
    "physician_override": _physician_override,
    "physician_decision": _physician_decision,
    "phase_change": _phase_change,
}


def event(
    chance: Chance, course: _Course, kind: str, near: dict[Vital, list[float]]
) -> dict[str, Any]:
    """The fields of one event of ``kind`` (without its time), updating what the course tracks."""
    if kind == "observation":
        return observation(chance, course, near)
    return {"type": kind, **_WRITERS[kind](chance, course)}


def next_kind(chance: Chance, course: _Course) -> str:
    """The kind of the next event: any kind in any phase, weighted by what the phase does; an
    orderly course mostly alternates assessments and the protocol's own steps."""
    dosing = course.phase.kind in {"bolus", "divided_doses"}
    given = "dose_given" if dosing else "rate_change"
    if course.orderly and chance.chance(0.85):
        if course.last_kind == "observation" and chance.chance(0.6):
            return given
        return "observation"
    weights = {
        "observation": 8,
        "rate_change": 2 if dosing else 4,
        "pause": 1,
        "resume": 3 if course.paused else 1,
        "stop": 1,
        "dose_given": 5 if dosing else 1,
        "prn_given": 1,
        "opioid_use": 1,
        "physician_override": 1,
        "physician_decision": 1,
        "phase_change": 2,
    }
    return chance.weighted(list(weights.items()))


def gap(chance: Chance, course: _Course, kind: str) -> timedelta:
    """Time to the next event: minutes, hours, or a stale gap of up to ten days; an orderly
    course steps minutes after an assessment and assesses about one titration interval later."""
    if course.orderly and chance.chance(0.85):
        if kind in {"rate_change", "dose_given"}:
            return timedelta(minutes=chance.integer(1, 30))
        hours = titration_hours(course.phase) * chance.choice([1.0, 1.0, 0.5, 1.25, 2.0])
        return timedelta(minutes=max(1, round(hours * 60)) + chance.integer(0, 20))
    minutes = chance.weighted(
        [
            ((lambda: chance.integer(30, 240)), 6),
            ((lambda: chance.integer(1, 59)), 3),
            ((lambda: chance.integer(240, 1440)), 3),
            ((lambda: chance.integer(1440, 14400)), 1),
        ]
    )()
    return timedelta(minutes=minutes, seconds=chance.choice([0, 0, 0, 30]))


def episode_data(chance: Chance, protocol: Protocol) -> dict[str, Any]:
    """One episode under ``protocol``, as the data of an episode file."""
    weight = weight_text(chance)
    started, zone = start_time(chance)
    base = baseline(chance)
    data: dict[str, Any] = {
        "schema_version": 1,
        "patient": {"id": "generated", "weight": weight},
        "protocol": {"id": protocol.id},
        "started_at": started.isoformat(),
        "baseline": base,
        "pain_goal": chance.weighted([(chance.integer(2, 5), 4), (chance.integer(0, 10), 1)]),
    }
    if chance.chance(0.3):
        data["protocol"]["version"] = chance.weighted([(protocol.version, 9), ("9.9.9", 1)])
    phase = protocol.phases[0]
    if chance.chance(0.2):
        phase = chance.choice(protocol.phases)
        data["phase"] = phase.id
    course = _Course(protocol, kg_of(weight), phase, started, zone)
    course.no_pain = chance.chance(0.08)
    course.orderly = chance.chance(0.5)
    identified = chance.chance(0.3)
    near = thresholds(protocol, base)
    events: list[dict[str, Any]] = []
    count = chance.weighted(
        [(chance.integer(4, 14), 6), (chance.integer(0, 3), 2), (chance.integer(15, 30), 2)]
    )
    for position in range(count):
        if course.orderly and position == 0:
            kind = (
                "dose_given" if course.phase.kind in {"bolus", "divided_doses"} else "rate_change"
            )
        else:
            kind = next_kind(chance, course)
        target = correction_target(chance, events) if identified else None
        if target is not None:
            kind = chance.weighted([(target["type"], 3), ("entered_in_error", 2)])
        step = timedelta(0) if position == 0 and chance.chance(0.3) else gap(chance, course, kind)
        course.at += max(step, timedelta(seconds=30 if events else 0))
        if kind == "entered_in_error":
            item = {"type": kind, "by": "RN Lee", "reason": "recorded for the wrong patient"}
        else:
            item = event(chance, course, kind, near)
        course.last_kind = kind
        zone = course.zone
        if chance.chance(0.1):
            zone = timezone(timedelta(minutes=chance.choice(ZONES)))
        when = course.at.astimezone(zone)
        events.append({"type": item.pop("type"), "at": when.isoformat(), **item})
        if identified:
            events[-1].update(record_identity(chance, position, when, target))
    data["events"] = events
    return data


def correction_target(chance: Chance, earlier: list[dict[str, Any]]) -> dict[str, Any] | None:
    """Now and then an earlier event (not yet corrected) that the next one corrects."""
    if not earlier or not chance.chance(0.1):
        return None
    corrected = {e.get("corrects") for e in earlier}
    open_ = [e for e in earlier if e["id"] not in corrected and e["type"] != "entered_in_error"]
    return chance.choice(open_) if open_ else None


def record_identity(
    chance: Chance, position: int, when: datetime, target: dict[str, Any] | None
) -> dict[str, Any]:
    """An event's identity in the record: an id, sometimes written down late, and the event it
    corrects (by one of the same kind, or an entry withdrawing it in error)."""
    found: dict[str, Any] = {"id": f"ev-{position + 1}"}
    if chance.chance(0.15):
        late = timedelta(minutes=chance.integer(1, 720))
        found.update(recorded_at=(when + late).isoformat(), recorded_by="RN Chen", role="nurse")
    if target is not None:
        found["corrects"] = target["id"]
    return found


def moments(chance: Chance, data: dict[str, Any]) -> tuple[datetime, ...]:
    """When to ask: the start, at every event, between events, and after the last, long after."""
    start = datetime.fromisoformat(data["started_at"])
    times = [datetime.fromisoformat(e["at"]) for e in data["events"]]
    last = times[-1] if times else start
    found = {start, *times}
    span = (last - start).total_seconds()
    for _ in range(chance.integer(1, 2)):
        found.add(start + timedelta(seconds=round(chance.real(0, span))))
    for _ in range(chance.integer(1, 2)):
        after = chance.choice([1, 30, 120, 360, 1500, 4320, 14400])
        found.add(last + timedelta(minutes=after))
    return tuple(sorted(found))


def fixed_moments(data: dict[str, Any]) -> tuple[datetime, ...]:
    """The moments every episode is asked about, drawn by no chance: the start, every event, and
    a minute, six hours, a day and ten days after the last."""
    start = datetime.fromisoformat(data["started_at"])
    times = [datetime.fromisoformat(e["at"]) for e in data["events"]]
    last = times[-1] if times else start
    after = [last + timedelta(minutes=m) for m in (1, 360, 1440, 14400)]
    return tuple(sorted({start, *times, *after}))


def case(chance: Chance, protocol: Protocol) -> Case:
    """An episode, the moments to check it at, and one (before the last event where there is
    one, so that cutting the episode there drops something) to check twice."""
    data = episode_data(chance, protocol)
    when = moments(chance, data)
    last = datetime.fromisoformat(data["events"][-1]["at"]) if data["events"] else when[-1]
    earlier = [moment for moment in when if moment < last] or list(when)
    twice = (chance.choice(earlier),)
    return Case(protocol.id, data, when, twice)


def seeded_case(seed: int, index: int, protocols: Sequence[Protocol]) -> Case:
    """Case ``index`` of the run with ``seed``: protocols in turn, reproducible one by one."""
    protocol = protocols[index % len(protocols)]
    return case(Chance(random.Random(f"{seed}:{index}")), protocol)  # noqa: S311 - test data


@st.composite
def cases(draw: st.DrawFn, protocols: Sequence[Protocol]) -> Case:
    """Hypothesis strategy: a case under one of ``protocols``."""
    chance = HypothesisChance(draw)
    return case(chance, chance.choice(list(protocols)))
