"""Card feedback kept in the record's hash-chained audit trail, and FHIR reads for missing data.

Each item of feedback is one audit entry: actor ``ehr:{issuer}`` (the EHR that sent it), action
``cds.card.accepted`` or ``cds.card.overridden``, subject ``cds-card/{uuid}``, and the digest of
what the clinician answered (outcome, accepted suggestions, the override reason and comment).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx

from ketamine_cds import __version__
from ketamine_cds.adapters.cds_hooks.ports import CardFeedback
from ketamine_cds.domain.audit import EntryDraft, digest
from ketamine_cds.service.ports import Clock, UnitOfWorkFactory

EHR_ROLE = "ehr"
FHIR_TIMEOUT_S = 5.0


@dataclass(frozen=True)
class AuditTrailFeedbackLog:
    """Card feedback as audit entries, all the items of one request in one unit of work."""

    uow: UnitOfWorkFactory
    clock: Clock

    def record(self, feedback: list[CardFeedback]) -> None:
        """Append one chained entry per item and commit them together."""
        with self.uow() as uow:
            now = self.clock.now()
            for item in feedback:
                draft = EntryDraft(
                    actor=f"ehr:{item.client}",
                    role=EHR_ROLE,
                    action=f"cds.card.{item.outcome}",
                    subject=f"cds-card/{item.card}",
                    payload_digest=digest(item.content()),
                    versions={"software": __version__, "cds_service": item.service_id},
                )
                uow.audit.add(draft, now)
            uow.commit()


@dataclass(frozen=True)
class HttpFhirReader:
    """Reads the EHR's FHIR server with the access token it handed over (httpx, bounded time)."""

    client: httpx.Client

    def search(self, server: str, token: str, query: str) -> dict[str, Any] | None:
        """The Bundle of a search, or None when the server does not answer with one."""
        url = f"{server.rstrip('/')}/{query}"
        try:
            response = self.client.get(
                url,
                headers={"Authorization": f"Bearer {token}", "Accept": "application/fhir+json"},
                timeout=FHIR_TIMEOUT_S,
            )
        except httpx.HTTPError:
            return None
        if response.status_code != httpx.codes.OK:
            return None
        try:
            body = response.json()
        except ValueError:
            return None
        return body if isinstance(body, dict) and body.get("resourceType") == "Bundle" else None
