"""CDS Hooks 2.0 on the wire: discovery, the hook request, cards, and feedback.

Field names are the specification's (camelCase). What the specification requires is required
here; what it constrains is checked (a summary under 140 characters, ``selectionBehavior`` when
there are suggestions, a link's type). Extra fields a client sends are kept, not refused: the
specification lets clients and services extend the objects.
"""

from __future__ import annotations

from typing import Any, Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, model_validator

SUMMARY_MAX = 139  # "<140 characters"


class Wire(BaseModel):
    """A CDS Hooks object: extension fields are allowed and kept."""

    model_config = ConfigDict(extra="allow", frozen=True)


class Coding(Wire):
    """A code with its system; ``display`` is required where the specification shows it."""

    system: str | None = None
    code: str
    display: str | None = None


class Service(Wire):
    """One entry of the discovery response."""

    hook: str
    title: str | None = None
    description: str
    id: str = Field(pattern=r"^[A-Za-z0-9._~-]+$")
    prefetch: dict[str, str] | None = None
    usageRequirements: str | None = None  # noqa: N815 - the specification's name


class Discovery(Wire):
    """``GET {base}/cds-services``."""

    services: list[Service]


class FhirAuthorization(Wire):
    """The access token a service may use to read the client's FHIR server."""

    access_token: str
    token_type: Literal["Bearer"]
    expires_in: int
    scope: str
    subject: str
    patient: str | None = None


class HookRequest(Wire):
    """``POST {base}/cds-services/{id}``."""

    hook: str
    hookInstance: UUID  # noqa: N815
    fhirServer: str | None = None  # noqa: N815
    fhirAuthorization: FhirAuthorization | None = None  # noqa: N815
    context: dict[str, Any]
    prefetch: dict[str, dict[str, Any] | None] | None = None

    @model_validator(mode="after")
    def _token_needs_server(self) -> HookRequest:
        if self.fhirAuthorization is not None and self.fhirServer is None:
            raise ValueError("fhirAuthorization is given without fhirServer")
        return self


class Source(Wire):
    """Who says what a card says."""

    label: str = Field(min_length=1)
    url: str | None = None
    icon: str | None = None
    topic: Coding | None = None


class Action(Wire):
    """One change a suggestion makes to the client's data."""

    type: Literal["create", "update", "delete"]
    description: str
    resource: dict[str, Any] | None = None
    resourceId: list[str] | None = None  # noqa: N815

    @model_validator(mode="after")
    def _what_it_acts_on(self) -> Action:
        if self.type in {"create", "update"} and self.resource is None:
            raise ValueError(f"a {self.type} action needs its resource")
        if self.type == "delete" and not self.resourceId:
            raise ValueError("a delete action names the resources (resourceId)")
        return self


class Suggestion(Wire):
    """A change the clinician can accept with one click."""

    label: str
    uuid: UUID | None = None
    isRecommended: bool | None = None  # noqa: N815
    actions: list[Action] = Field(default_factory=list)


class Link(Wire):
    """A link to more, in the browser (``absolute``) or as a SMART app (``smart``)."""

    label: str
    url: str
    type: Literal["absolute", "smart"]
    appContext: str | None = None  # noqa: N815
    autolaunchable: bool | None = None


class Card(Wire):
    """One card."""

    uuid: UUID | None = None
    summary: str = Field(min_length=1, max_length=SUMMARY_MAX)
    detail: str | None = None
    indicator: Literal["info", "warning", "critical"]
    source: Source
    suggestions: list[Suggestion] | None = None
    selectionBehavior: Literal["at-most-one", "any"] | None = None  # noqa: N815
    overrideReasons: list[Coding] | None = None  # noqa: N815
    links: list[Link] | None = None

    @model_validator(mode="after")
    def _selection_with_suggestions(self) -> Card:
        if self.suggestions and self.selectionBehavior is None:
            raise ValueError("a card with suggestions needs selectionBehavior")
        if self.overrideReasons and any(not r.display for r in self.overrideReasons):
            raise ValueError("every override reason needs a display")
        return self


class CardsResponse(Wire):
    """The answer to a hook call."""

    cards: list[Card]
    systemActions: list[Action] | None = None  # noqa: N815


class AcceptedSuggestion(Wire):
    """A suggestion the clinician accepted."""

    id: UUID


class OverrideReason(Wire):
    """Why a card was overridden."""

    reason: Coding | None = None
    userComment: str | None = None  # noqa: N815


class FeedbackItem(Wire):
    """What became of one card."""

    card: UUID
    outcome: Literal["accepted", "overridden"]
    acceptedSuggestions: list[AcceptedSuggestion] | None = None  # noqa: N815
    overrideReason: OverrideReason | None = None  # noqa: N815
    outcomeTimestamp: str  # noqa: N815

    @model_validator(mode="after")
    def _outcome_fields(self) -> FeedbackItem:
        if self.outcome == "accepted" and not self.acceptedSuggestions:
            raise ValueError("accepted feedback names the suggestions accepted")
        if self.outcome == "overridden" and self.acceptedSuggestions:
            raise ValueError("overridden feedback accepts no suggestion")
        return self


class FeedbackRequest(Wire):
    """``POST {base}/cds-services/{id}/feedback``."""

    feedback: list[FeedbackItem] = Field(min_length=1)
