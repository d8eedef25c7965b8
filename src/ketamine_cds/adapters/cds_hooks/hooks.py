"""The product as a CDS Hooks 2.0 service: which services it offers, and how each call is answered.

Three services: ``ketamine-order-select`` and ``ketamine-order-sign`` check each draft ketamine
order against its protocol (``order-select`` only the orders just selected), and
``ketamine-patient-view`` shows the infusion of a patient with an active episode. The weight comes
from the ``weight`` prefetch; when the client could not fill it, from its FHIR server with the
token it handed over; otherwise the call cannot be answered (:class:`DataUnavailableError`,
HTTP 412). Feedback on a card goes to the audit trail.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from ketamine_cds.adapters.cds_hooks.models import (
    Card,
    CardsResponse,
    Discovery,
    FeedbackRequest,
    HookRequest,
    Link,
    Service,
    Source,
)
from ketamine_cds.adapters.cds_hooks.order_cards import (
    TOPIC,
    OrderContext,
    order_card,
    unreadable_card,
)
from ketamine_cds.adapters.cds_hooks.patient_view import patient_card
from ketamine_cds.adapters.cds_hooks.ports import (
    ActiveEpisodeLookup,
    CardFeedback,
    CardFeedbackLog,
    FhirReader,
)
from ketamine_cds.adapters.fhir.codes import (
    BODY_WEIGHT,
    KETAMINE_CODES,
    LOINC,
    plan_definition_url,
)
from ketamine_cds.adapters.fhir.ketamine_order import KetamineOrder, read_order
from ketamine_cds.adapters.fhir.r4 import bundle_entries, parse
from ketamine_cds.adapters.fhir.weight import WeightReading, latest_weight
from ketamine_cds.domain.errors import UserInputError
from ketamine_cds.domain.protocols.schema import Protocol
from ketamine_cds.service.ports import Clock, ProtocolSource

ORDER_SELECT = "ketamine-order-select"
ORDER_SIGN = "ketamine-order-sign"
PATIENT_VIEW = "ketamine-patient-view"
WEIGHT_QUERY = (
    f"Observation?patient={{{{context.patientId}}}}&code={LOINC}|{BODY_WEIGHT}&_sort=-date&_count=1"
)
_ORDER_PREFETCH = {"weight": WEIGHT_QUERY}
SERVICES: tuple[Service, ...] = (
    Service(
        hook="order-select",
        id=ORDER_SELECT,
        title="Ketamine order check (on selection)",
        description="Checks a selected ketamine MedicationRequest against its protocol's soft "
        "ceilings and the product's hard limits, with the rule and source of every limit.",
        prefetch=_ORDER_PREFETCH,
        usageRequirements="The draft order names its protocol in instantiatesCanonical "
        "(…/PlanDefinition/{id}); the patient's body weight (LOINC 29463-7) is needed.",
    ),
    Service(
        hook="order-sign",
        id=ORDER_SIGN,
        title="Ketamine order check (before signing)",
        description="Checks each draft ketamine MedicationRequest against its protocol's soft "
        "ceilings and the product's hard limits before it is signed.",
        prefetch=_ORDER_PREFETCH,
        usageRequirements="The patient's body weight (LOINC 29463-7) is needed.",
    ),
    Service(
        hook="patient-view",
        id=PATIENT_VIEW,
        title="Ketamine infusion summary",
        description="For a patient with an active ketamine episode: the rate running, the last "
        "pain score and its age, an overdue assessment, open alerts and the oral morphine "
        "equivalent.",
    ),
)
_HOOKS = {service.id: service.hook for service in SERVICES}


class UnknownServiceError(LookupError):
    """A service id the product does not offer."""


class DataUnavailableError(Exception):
    """Data the service needs that the client did not send and the service cannot fetch (412)."""


@dataclass(frozen=True)
class CdsHooksService:
    """The CDS Hooks service, with everything it needs handed in."""

    protocols: ProtocolSource
    episodes: ActiveEpisodeLookup
    feedback_log: CardFeedbackLog
    clock: Clock
    fhir: FhirReader | None = None

    def discovery(self) -> Discovery:
        """The discovery document."""
        return Discovery(services=list(SERVICES))

    def call(self, service_id: str, request: HookRequest, app_url: str) -> CardsResponse:
        """The cards for one hook call; ``app_url`` is where the product's pages are."""
        hook = _HOOKS.get(service_id)
        if hook is None:
            raise UnknownServiceError(f"there is no CDS service '{service_id}'")
        if request.hook != hook:
            raise UserInputError(
                f"the service '{service_id}' answers the {hook} hook, not {request.hook}"
            )
        patient = _text(request.context, "patientId")
        if hook == "patient-view":
            return CardsResponse(cards=self._patient_view(request, patient, app_url))
        return CardsResponse(cards=self._orders(request, patient, app_url, hook))

    def feedback(self, service_id: str, request: FeedbackRequest, client: str) -> int:
        """Keep each item of feedback in the audit trail; returns how many were kept."""
        if service_id not in _HOOKS:
            raise UnknownServiceError(f"there is no CDS service '{service_id}'")
        items = [
            CardFeedback(
                service_id=service_id,
                card=str(item.card),
                outcome=item.outcome,
                at=_timestamp(item.outcomeTimestamp),
                client=client,
                accepted_suggestions=tuple(str(s.id) for s in item.acceptedSuggestions or []),
                reason_code=_reason(item, "code"),
                reason_display=_reason(item, "display"),
                comment=item.overrideReason.userComment if item.overrideReason else None,
            )
            for item in request.feedback
        ]
        self.feedback_log.record(items)
        return len(items)

    def _patient_view(self, request: HookRequest, patient: str, app_url: str) -> list[Card]:
        active = self.episodes.active_for(patient)
        if active is None:
            return []
        source = Source(label="ketamine-cds", topic=TOPIC)
        link = Link(
            label="Open the ketamine episode",
            url=f"{app_url.rstrip('/')}/episodes/{active.episode_id}",
            type="absolute",
        )
        card_id = uuid.uuid5(uuid.NAMESPACE_URL, f"{request.hookInstance}/{active.episode_id}")
        return [patient_card(active, self.clock.now(), source, (link,), card_id)]

    def _orders(self, request: HookRequest, patient: str, app_url: str, hook: str) -> list[Card]:
        orders, failed = _draft_orders(request.context, hook)
        if not orders and not failed:
            return []
        active = self.episodes.active_for(patient)
        base = app_url.rstrip("/")
        link = (
            Link(
                label="Open the ketamine episode",
                url=f"{base}/episodes/{active.episode_id}",
                type="absolute",
            )
            if active is not None
            else Link(label="Start a ketamine episode", url=f"{base}/episodes/new", type="absolute")
        )
        cards: list[Card] = []
        for where, sentence in failed:
            card_id = uuid.uuid5(uuid.NAMESPACE_URL, f"{request.hookInstance}/{where}")
            cards.append(
                unreadable_card(
                    card_id, where, sentence, Source(label="ketamine-cds", topic=TOPIC), (link,)
                )
            )
        if orders:
            # An order that cannot be read needs no weight to say so; one that is checked does.
            weight = self._weight(request, patient)
            cards.extend(self._order_card(request, order, weight, base, link) for order in orders)
        return cards

    def _order_card(
        self,
        request: HookRequest,
        order: KetamineOrder,
        weight: WeightReading,
        base: str,
        link: Link,
    ) -> Card:
        protocol, notes = self._protocol(order)
        limits = self.protocols.limits().table
        if protocol is not None:
            source = Source(
                label=f"ketamine-cds: {protocol.title} {protocol.version}",
                url=plan_definition_url(base, protocol.id),
                topic=TOPIC,
            )
        else:
            source = Source(label="ketamine-cds: product-wide ketamine limits", topic=TOPIC)
        card_id = uuid.uuid5(uuid.NAMESPACE_URL, f"{request.hookInstance}/{order.reference}")
        context = OrderContext(
            order=order,
            protocol=protocol,
            weight=weight,
            limits=limits,
            notes=(*order.notes, *notes),
            source=source,
            links=(link,),
            card_id=card_id,
        )
        return order_card(context)

    def _protocol(self, order: KetamineOrder) -> tuple[Protocol | None, tuple[str, ...]]:
        if order.protocol_id is None:
            return None, ()
        known = {loaded.protocol.id: loaded.protocol for loaded in self.protocols.all()}
        protocol = known.get(order.protocol_id)
        if protocol is None:
            unknown = (
                f"The order names protocol '{order.protocol_id}', which this product does not "
                "hold; it was checked against the product-wide limits only."
            )
            return None, (unknown,)
        if order.protocol_version not in (None, protocol.version):
            other = (
                f"The order names version {order.protocol_version} of '{protocol.id}'; it was "
                f"checked against version {protocol.version}, the one this product holds."
            )
            return protocol, (other,)
        return protocol, ()

    def _weight(self, request: HookRequest, patient: str) -> WeightReading:
        prefetch = request.prefetch or {}
        if "weight" in prefetch:
            found = latest_weight(prefetch["weight"], "the weight prefetch", codes=False)
        else:
            found = self._fetch_weight(request, patient)
        if found is None:
            raise DataUnavailableError(
                "the patient's body weight (an Observation with LOINC 29463-7) was neither "
                "prefetched nor found on the FHIR server, and every ketamine dose is checked "
                "per kilogram"
            )
        return found

    def _fetch_weight(self, request: HookRequest, patient: str) -> WeightReading | None:
        auth = request.fhirAuthorization
        if self.fhir is None or request.fhirServer is None or auth is None:
            return None
        query = WEIGHT_QUERY.replace("{{context.patientId}}", patient)
        bundle = self.fhir.search(request.fhirServer, auth.access_token, query)
        return latest_weight(bundle, "the body weight read from the FHIR server", codes=False)


def _text(context: dict[str, Any], key: str) -> str:
    value = context.get(key)
    if not isinstance(value, str) or not value:
        raise UserInputError(f"the hook context has no {key}")
    return value


def _draft_orders(  # noqa: C901 - read, select, then sort readable from unreadable
    context: dict[str, Any], hook: str
) -> tuple[list[KetamineOrder], list[tuple[str, str]]]:
    """The ketamine orders among the draft orders, and those recognised but unreadable."""
    bundle = context.get("draftOrders")
    if not isinstance(bundle, dict):
        raise UserInputError("the hook context has no draftOrders Bundle")
    entries = bundle_entries(bundle, "draftOrders", codes=False)
    medications: dict[str, Any] = {}
    requests: list[tuple[str, dict[str, Any]]] = []
    for position, entry in enumerate(entries, start=1):
        resource = entry.get("resource") if isinstance(entry, dict) else None
        if not isinstance(resource, dict):
            continue
        where = f"draftOrders entry {position}"
        if resource.get("resourceType") == "Medication":
            medication = parse(resource, where, "Medication", codes=False)
            keys = [entry.get("fullUrl"), f"Medication/{medication.id}" if medication.id else None]
            medications.update({key: medication for key in keys if key})
        elif resource.get("resourceType") == "MedicationRequest":
            requests.append((where, resource))
    if hook == "order-select":
        requests = _selected(context, requests)
    orders: list[KetamineOrder] = []
    failed: list[tuple[str, str]] = []
    for where, resource in requests:
        label = f"MedicationRequest/{resource['id']}" if resource.get("id") else where
        try:
            order = read_order(resource, label, medications, codes=False)
        except UserInputError as error:
            # An order that is not ketamine is another service's business, readable or not.
            if _names_ketamine(resource):
                failed.append((label, str(error)))
            continue
        if order is not None:
            orders.append(order)
    return orders, failed


def _selected(
    context: dict[str, Any], requests: list[tuple[str, dict[str, Any]]]
) -> list[tuple[str, dict[str, Any]]]:
    """The draft orders an ``order-select`` call names in ``selections``."""
    selections = context.get("selections")
    if not isinstance(selections, list) or not selections:
        raise UserInputError("the order-select context has no selections")
    chosen = {str(s) for s in selections}
    return [(w, r) for w, r in requests if f"MedicationRequest/{r.get('id')}" in chosen]


def _names_ketamine(resource: dict[str, Any]) -> bool:
    text = json.dumps(resource)
    return "ketamine" in text.lower() or any(f'"{code}"' in text for code in KETAMINE_CODES)


def _reason(item: Any, key: str) -> str | None:  # noqa: ANN401 - a FeedbackItem
    reason = item.overrideReason.reason if item.overrideReason else None
    return None if reason is None else getattr(reason, key)


def _timestamp(text: str) -> datetime:
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise UserInputError(f"the outcomeTimestamp '{text}' is not an ISO 8601 instant") from None
    if moment.tzinfo is None:
        raise UserInputError(f"the outcomeTimestamp '{text}' has no time zone")
    return moment
