"""What the CDS Hooks service needs from the rest of the product, declared here.

The record implements :class:`ActiveEpisodeLookup` (a patient's active episode with its latest
recommendation) and :class:`CardFeedbackLog` (the audit trail); :class:`FhirReader` reads the
client's FHIR server when a prefetch is missing. Tests hand in fakes; bootstrap hands in the real
ones. Nothing here is a module-level global.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from ketamine_cds.domain.bedside.output import Recommendation
from ketamine_cds.domain.episode import Episode


@dataclass(frozen=True)
class ActiveEpisode:
    """A patient's active episode as the record holds it now."""

    episode_id: str
    episode: Episode
    recommendation: Recommendation | None
    concentration_mg_per_ml: float | None = None


class ActiveEpisodeLookup(Protocol):
    """The active episode of an EHR patient, if any."""

    def active_for(self, patient_id: str) -> ActiveEpisode | None:
        """The patient's active episode (the EHR's patient id), or None."""
        ...


@dataclass(frozen=True)
class CardFeedback:
    """What became of one card, as the audit trail keeps it."""

    service_id: str
    card: str
    outcome: str
    at: datetime
    client: str
    accepted_suggestions: tuple[str, ...] = ()
    reason_code: str | None = None
    reason_display: str | None = None
    comment: str | None = None
    details: dict[str, Any] = field(default_factory=dict)

    def content(self) -> dict[str, object]:
        """What the audit entry's digest covers."""
        return {
            "service": self.service_id,
            "card": self.card,
            "outcome": self.outcome,
            "at": self.at,
            "client": self.client,
            "accepted_suggestions": list(self.accepted_suggestions),
            "reason_code": self.reason_code,
            "reason_display": self.reason_display,
            "comment": self.comment,
        }


class CardFeedbackLog(Protocol):
    """Where card feedback is kept (the audit trail)."""

    def record(self, feedback: list[CardFeedback]) -> None:
        """Keep every item, all together or none."""
        ...


class FhirReader(Protocol):
    """Reads the client's FHIR server with the token the client handed over."""

    def search(self, server: str, token: str, query: str) -> dict[str, Any] | None:
        """The Bundle a search returns, or None when the server cannot be read."""
        ...
