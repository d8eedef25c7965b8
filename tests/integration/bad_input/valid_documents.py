"""Valid documents of each format the commands read, for cases to start from and break."""

from __future__ import annotations

from importlib import resources

EPISODE = b"""\
schema_version: 1
patient: {id: p1, weight: 70 kg}
protocol: {id: cancer-continuous, version: 1.0.0}
started_at: 2024-05-02T10:00:00Z
baseline: {pain: 8}
pain_goal: 4
events:
  - {type: rate_change, at: 2024-05-02T10:00:00Z, rate: 7 mg/h, by: nurse}
  - {type: observation, at: 2024-05-02T14:00:00Z, pain: 6}
"""

EPISODE_JSON = b"""\
{
  "schema_version": 1,
  "patient": {"id": "p1", "weight": "70 kg"},
  "protocol": {"id": "cancer-continuous", "version": "1.0.0"},
  "started_at": "2024-05-02T10:00:00Z",
  "baseline": {"pain": 8},
  "pain_goal": 4,
  "events": [
    {"type": "rate_change", "at": "2024-05-02T10:00:00Z", "rate": "7 mg/h", "by": "nurse"},
    {"type": "observation", "at": "2024-05-02T14:00:00Z", "pain": 6}
  ]
}
"""

PATIENT = b"""\
id: p1
age_years: 58
sex: female
weight: 70 kg
pain:
  population: cancer
  baseline_score: 8
"""

PATIENT_JSON = b'{"id": "p1", "age_years": 58, "weight": "70 kg", "pain": {"population": "cancer"}}'

PROTOCOL_ID = "cancer-continuous"
PROTOCOL = (
    resources.files("ketamine_cds.protocols").joinpath(f"{PROTOCOL_ID}.yaml").read_bytes()
)

NOTICE = r"Decision support, not a prescriber"


def episode_with(old: bytes, new: bytes, base: bytes = EPISODE) -> bytes:
    """The valid episode with one piece of text replaced (which must be there)."""
    assert old in base, old
    return base.replace(old, new, 1)


def patient_with(extra: bytes) -> bytes:
    """The valid patient record with more lines after it."""
    return PATIENT + extra
