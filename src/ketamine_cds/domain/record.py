"""What the clinical record holds, and the refusals it gives.

Users, patients and their weights, episodes, events as written, recommendations as made,
pharmacist verifications.

These are plain values. The stored event keeps the episode file's own JSON for the event (the
interchange vocabulary), beside the columns the record queries (clinical time, recorded time,
author, role, the event it corrects).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from ketamine_cds.domain.errors import UserInputError
from ketamine_cds.domain.roles import Role

EpisodeStatus = str  # "active" or "stopped"


@dataclass(frozen=True)
class User:
    """A person who uses the record, with one role."""

    name: str
    role: Role
    created_at: datetime


@dataclass(frozen=True)
class WeightEntry:
    """A dosing weight as entered (its text keeps the unit it was entered in) and in kg."""

    text: str
    kg: float
    unit: str
    at: datetime
    recorded_by: str


@dataclass(frozen=True)
class NewEpisode:
    """An episode as ordered: patient, protocol (with the file's hash), bag, start."""

    patient: str
    weight: WeightEntry
    protocol_id: str
    protocol_version: str
    protocol_hash: str
    concentration_mg_per_ml: float | None
    phase: str | None
    started_at: datetime
    baseline_json: str
    pain_goal: int
    started_by: str


@dataclass(frozen=True)
class EpisodeHeader(NewEpisode):
    """An episode in the record: as ordered, with its id, status and version."""

    id: int
    status: EpisodeStatus
    version: int

    def content(self) -> dict[str, object]:
        """What the episode's audit digest covers: everything ordered, nothing that changes."""
        return {
            "id": self.id,
            "patient": self.patient,
            "weight": self.weight.text,
            "protocol_id": self.protocol_id,
            "protocol_version": self.protocol_version,
            "protocol_hash": self.protocol_hash,
            "concentration_mg_per_ml": self.concentration_mg_per_ml,
            "phase": self.phase,
            "started_at": self.started_at,
            "baseline": self.baseline_json,
            "pain_goal": self.pain_goal,
            "started_by": self.started_by,
        }


@dataclass(frozen=True)
class StoredEvent:
    """One event as written: the episode file's JSON for it, and where it sits in the record."""

    episode_id: int
    position: int
    event_id: str
    type: str
    at: datetime
    recorded_at: datetime
    recorded_by: str
    role: Role
    corrects: str | None
    body: str

    def content(self) -> dict[str, object]:
        """What the event's audit digest covers."""
        return {"episode_id": self.episode_id, "position": self.position, "body": self.body}


@dataclass(frozen=True)
class NewRecommendation:
    """A recommendation as made and shown, with everything needed to replay it."""

    episode_id: int
    at: datetime
    made_at: datetime
    episode_version: int
    input_digest: str
    output: str
    protocol_id: str
    protocol_version: str
    protocol_hash: str
    limits_version: str
    limits_hash: str
    software_version: str
    made_by: str
    role: Role


@dataclass(frozen=True)
class StoredRecommendation(NewRecommendation):
    """A recommendation in the record, with its id."""

    id: int

    def content(self) -> dict[str, object]:
        """What the recommendation's audit digest covers (all of it but nothing derived)."""
        return {
            "id": self.id,
            "episode_id": self.episode_id,
            "at": self.at,
            "made_at": self.made_at,
            "episode_version": self.episode_version,
            "input_digest": self.input_digest,
            "output": self.output,
            "protocol_id": self.protocol_id,
            "protocol_version": self.protocol_version,
            "protocol_hash": self.protocol_hash,
            "limits_version": self.limits_version,
            "limits_hash": self.limits_hash,
            "software_version": self.software_version,
            "made_by": self.made_by,
            "role": self.role,
        }


@dataclass(frozen=True)
class Verification:
    """A pharmacist's verification of an episode's order."""

    episode_id: int
    verified_by: str
    at: datetime
    note: str | None

    def content(self) -> dict[str, object]:
        """What the verification's audit digest covers."""
        return {
            "episode_id": self.episode_id,
            "verified_by": self.verified_by,
            "at": self.at,
            "note": self.note,
        }


class RecordNotFoundError(UserInputError):
    """Something named by the user (an episode, a user, an event) is not in the record."""


class StaleRecommendationError(UserInputError):
    """A rate change was made against a recommendation that is no longer the latest."""

    def __init__(self, message: str, latest: StoredRecommendation | None) -> None:
        self.latest = latest
        super().__init__(message)


class LimitRefusedError(UserInputError):
    """A rate or dose refused: a hard limit, or a soft limit with no physician's override."""

    def __init__(self, message: str, *, hard: bool) -> None:
        self.hard = hard
        super().__init__(message)


class NotVerifiedError(UserInputError):
    """A first dose or rate before a pharmacist verified the order."""
