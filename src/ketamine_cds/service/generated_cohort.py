"""A generated cohort of infusion episodes, for the audit page's demonstration and its benchmark.

The episodes are synthetic (a seeded random generator, the same cohort for the same seed), shaped
like the audits of seed 000: an assessment at admission (population, pain type, BPI, PSEQ), the
24-hour opioid MED, a continuous infusion under one of four shipped protocols raised once or
twice, daily pain scores, occasional side effects, an assessment of function, and a stop after
3 to 7 days. They are test data, not patients: no figure in them is a clinical claim.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from typing import Any

from ketamine_cds.domain.episode import Episode

# (protocol, population, starting rate, step up in the starting rate's unit)
_PROTOCOLS: tuple[tuple[str, str, str, str], ...] = (
    ("cancer-continuous", "cancer", "0.1 mg/kg/h", "0.03 mg/kg/h"),
    ("jackson-burst", "cancer", "100 mg/24 h", "200 mg/24 h"),
    ("noncancer-subcutaneous", "non_cancer", "0.05 mg/kg/h", "0.05 mg/kg/h"),
    ("ultra-low-memantine", "cancer", "55 µg/kg/h", ""),
)
_SIDE_EFFECTS = ("nausea", "vivid_dreams", "dizziness", "sedation", "hallucinations", "dysphoria")
HOUR = timedelta(hours=1)


def _rate_text(start: str, step: str, steps: int) -> str:
    """The rate after ``steps`` steps up (same unit as the start)."""
    if steps == 0 or not step:
        return start
    value, unit = start.split(" ", 1)
    add, _ = step.split(" ", 1)
    return f"{float(value) + steps * float(add):g} {unit}"


def _episode(rng: random.Random, index: int, start: datetime) -> dict[str, Any]:
    protocol, population, rate, step = _PROTOCOLS[index % len(_PROTOCOLS)]
    weight = rng.randint(50, 105)
    started = start + index * 7 * HOUR
    baseline = rng.randint(6, 10)
    responder = rng.random() < 0.62
    days = rng.randint(3, 7)
    med = float(rng.randrange(60, 900, 10))
    pain_type = rng.choice(["somatic", "neuropathic", "visceral", "mixed"])

    def at(hours: float) -> str:
        return (started + hours * HOUR).isoformat()

    events: list[dict[str, Any]] = [
        {
            "type": "assessment",
            "at": at(0),
            "by": "pain team",
            "population": population,
            "pain_types": [pain_type],
            "bpi": {
                "worst": baseline,
                "least": max(0, baseline - 4),
                "average": baseline - 1,
                "now": baseline,
                "general_activity": 8,
                "mood": 7,
                "walking_ability": 8,
                "sleep": 7,
            },
            "pseq": {"answers": [rng.randint(0, 3) for _ in range(10)]},
        },
        {"type": "opioid_use", "at": at(0), "med_mg_per_24h": med, "breakthrough_doses_24h": 8},
        {"type": "rate_change", "at": at(0.5), "rate": rate, "by": "RN"},
    ]
    steps = 0
    for day in range(1, days + 1):
        hours = 24.0 * day
        improving = responder and day >= 2
        pain = max(0, baseline - (rng.randint(4, baseline) if improving else rng.randint(0, 2)))
        observation: dict[str, Any] = {"type": "observation", "at": at(hours), "pain": pain}
        if rng.random() < 0.15:
            observation["symptoms"] = [rng.choice(_SIDE_EFFECTS)]
        events.append(observation)
        share = 0.4 if improving else rng.uniform(0.8, 1.1)
        events.append(
            {
                "type": "opioid_use",
                "at": at(hours + 0.25),
                "med_mg_per_24h": round(med * share, 1),
                "breakthrough_doses_24h": 3 if improving else 8,
            }
        )
        if not improving and step and steps < 2 and day < days:
            steps += 1
            events.append(
                {
                    "type": "rate_change",
                    "at": at(hours + 0.5),
                    "rate": _rate_text(rate, step, steps),
                    "by": "RN",
                }
            )
    end = 24.0 * days + 1
    events.append(
        {
            "type": "assessment",
            "at": at(end),
            "by": "pain team",
            "function": "better" if responder and rng.random() < 0.7 else "unchanged",
            "bpi": {
                "worst": max(0, baseline - (4 if responder else 1)),
                "least": 1,
                "average": max(0, baseline - (4 if responder else 1)),
                "now": 2,
                "general_activity": 4 if responder else 8,
                "mood": 4,
                "walking_ability": 5,
                "sleep": 5,
            },
            "pseq": {"answers": [rng.randint(2, 5) for _ in range(10)]},
        }
    )
    events.append({"type": "stop", "at": at(end + 0.5), "by": "pain team"})
    return {
        "patient": {"id": f"generated-{index + 1:05d}", "weight": f"{weight} kg"},
        "protocol": {"id": protocol},
        "started_at": started.isoformat(),
        "baseline": {"pain": baseline},
        "pain_goal": 3,
        "events": events,
    }


def generated_cohort(n: int, seed: int = 1, start: datetime | None = None) -> list[Episode]:
    """``n`` synthetic episodes, the same for the same ``seed`` and ``start``."""
    rng = random.Random(seed)  # noqa: S311 - test data, not security
    first = start or datetime.fromisoformat("2024-01-01T08:00:00+00:00")
    return [Episode.model_validate(_episode(rng, index, first)) for index in range(n)]
