"""Which ``MedicationRequest`` resources of a FHIR R4 input count towards the MED, and why not.

The input is one ``MedicationRequest`` or a ``Bundle``. A Bundle's other resources (a Patient,
Observations, a MedicationStatement ...) are listed as not read: the MED is of the orders. A
``resourceType`` that FHIR R4 does not define is refused, since a misspelt MedicationRequest left
out would make the total silently too small. A ``history`` Bundle, which lists past versions,
is refused: export the current resources.

A request counts when its ``status`` is ``active``, its ``intent`` an order (``order``,
``original-order``, ``reflex-order``, ``filler-order``, ``instance-order``) or a ``plan`` (how
EHRs record the medicines a patient takes at home; flagged), and ``doNotPerform`` is not true.
The others are listed with why. A request whose status is ``unknown`` leaves the total
incomplete. The same order twice (same ``id`` or same ``identifier``) counts once, with a
warning, when both copies agree, and is refused when they differ.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from typing import Any, TypeVar

from fhir.resources.R4B import get_fhir_model_class
from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.medication import Medication
from fhir.resources.R4B.medicationrequest import MedicationRequest
from fhir.resources.R4B.resource import Resource
from pydantic import BaseModel, ValidationError

from ketamine_cds.domain.errors import UserInputError
from ketamine_cds.domain.opioids.regimen import NotCounted

T = TypeVar("T", bound=BaseModel)
MAX_ENTRIES = 2000
MAX_SHOWN = 60
# FHIR R4 resources that the R4B classes no longer define (they are not medication orders).
_R4_ONLY = frozenset({"EffectEvidenceSynthesis", "RiskEvidenceSynthesis"})
ORDER_INTENTS = frozenset(
    {"order", "original-order", "reflex-order", "filler-order", "instance-order"}
)
PLAN_INTENT = "plan"
_INTENTS_LEFT_OUT = {
    "proposal": "a proposal, not yet decided",
    "option": "an option of a request group, not chosen",
    "directive": "a directive from the patient or a relative, not an order to give",
}
_STATUSES_LEFT_OUT = {
    "on-hold": "on hold: not being given now",
    "cancelled": "cancelled",
    "completed": "completed: no longer given",
    "entered-in-error": "entered in error",
    "stopped": "stopped",
    "draft": "a draft, not yet an order",
    "unknown": "its status is unknown, so whether it is being given cannot be told",
}
ACTIVE = "active"
_NOT_READ_NOTE = {
    "MedicationStatement": "only MedicationRequests are counted for the MED",
    "MedicationAdministration": "only MedicationRequests are counted for the MED",
}


@dataclass
class Request:
    """One MedicationRequest of the input, where it was found, and whether it counts."""

    where: str
    resource: MedicationRequest
    label: str


@dataclass
class Orders:
    """The requests to count, those left out with why, and what the reader noted."""

    counted: list[Request] = field(default_factory=list)
    not_counted: list[NotCounted] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    medications: dict[str, Medication] = field(default_factory=dict)


def _non_finite_at(data: object) -> str | None:
    """The path of the first NaN or infinite number in parsed JSON, or None."""
    stack: list[tuple[object, str]] = [(data, "")]
    while stack:
        node, path = stack.pop()
        if isinstance(node, float) and not math.isfinite(node):
            return path or "the top level"
        if isinstance(node, dict):
            stack.extend((v, f"{path}.{k}" if path else str(k)) for k, v in node.items())
        elif isinstance(node, list):
            stack.extend((v, f"{path}.{i}" if path else str(i)) for i, v in enumerate(node))
    return None


def _known_resource(kind: object) -> bool:
    if not isinstance(kind, str) or not kind:
        return False
    if kind in _R4_ONLY:
        return True
    try:
        model = get_fhir_model_class(kind)
    except (ValueError, KeyError, ImportError, AttributeError):
        return False
    return issubclass(model, Resource) and model.get_resource_type() == kind


def _check_types(resource: dict[str, Any], where: str, name: str) -> None:
    """Refuse a resource, or a contained one, whose resourceType FHIR R4 does not define."""
    kind = resource.get("resourceType")
    if not _known_resource(kind):
        raise UserInputError(
            f"in {name}, {where}: resourceType {kind!r} is not a FHIR R4 resource (a misspelt "
            "MedicationRequest would be left out of the MED, so the file is refused)"
        )
    contained = resource.get("contained")
    if isinstance(contained, list):
        for index, inner in enumerate(contained):
            if isinstance(inner, dict):
                _check_types(inner, f"{where}, contained resource {index + 1}", name)


def validate(model: type[T], data: object, name: str, where: str | None) -> T:
    """A fhir.resources model of ``data``, or one sentence saying where it is not valid FHIR."""
    place = f"in {name}, {where}" if where else f"in {name}"
    try:
        return model.model_validate(data)
    except ValidationError as error:
        first = error.errors()[0]
        at = ".".join(str(p) for p in first["loc"])
        message = " ".join(str(first["msg"]).removeprefix("Value error, ").split())
        raise UserInputError(
            f"{place}: not valid FHIR R4: {message.rstrip('.')} (at {at})"
        ) from None
    except (KeyError, TypeError, ValueError) as error:
        raise UserInputError(f"{place}: not valid FHIR R4 ({error})") from None


def _label(resource: MedicationRequest, position: int) -> str:
    concept = resource.medicationCodeableConcept
    text = None
    if concept is not None:
        text = concept.text or next((c.display for c in concept.coding or [] if c.display), None)
    who = f"MedicationRequest {resource.id}" if resource.id else f"MedicationRequest {position}"
    return who + (f" ({one_line(text)})" if text else "")


def one_line(text: str) -> str:
    """Free text from a resource as one line of at most 60 characters."""
    flat = " ".join(text.split())
    return flat if len(flat) <= MAX_SHOWN else flat[: MAX_SHOWN - 1] + "…"


def _bundle_entries(data: dict[str, Any], name: str) -> list[tuple[int, dict[str, Any] | None]]:
    entries = data.get("entry") or []
    if not isinstance(entries, list):
        raise UserInputError(f"in {name}: the Bundle's entry is not a list")
    if len(entries) > MAX_ENTRIES:
        raise UserInputError(
            f"in {name}: the Bundle has {len(entries)} entries, more than the {MAX_ENTRIES} read"
        )
    shell = {
        **data,
        "entry": [
            {k: v for k, v in e.items() if k != "resource"} if isinstance(e, dict) else e
            for e in entries
        ],
    }
    bundle = validate(Bundle, shell, name, "the Bundle")
    if bundle.type == "history":
        raise UserInputError(
            f"in {name}: a history Bundle lists past versions of each order; export the current "
            "orders (a searchset or collection Bundle)"
        )
    found: list[tuple[int, dict[str, Any] | None]] = []
    for index, entry in enumerate(entries):
        resource = entry.get("resource") if isinstance(entry, dict) else None
        if resource is not None and not isinstance(resource, dict):
            raise UserInputError(f"in {name}, entry {index + 1}: the resource is not a JSON object")
        found.append((index + 1, resource))
    return found


def _full_url(data: dict[str, Any], position: int) -> str | None:
    entries = data.get("entry") or []
    entry = entries[position - 1] if 0 < position <= len(entries) else None
    url = entry.get("fullUrl") if isinstance(entry, dict) else None
    return url if isinstance(url, str) else None


def _entry(  # noqa: PLR0913 - one Bundle entry and where it goes
    data: dict[str, Any],
    *,
    position: int,
    resource: dict[str, Any] | None,
    name: str,
    orders: Orders,
    requests: list[Request],
) -> None:
    """Read one Bundle entry: a request to consider, a Medication to refer to, or a note."""
    where = f"entry {position}"
    if resource is None:
        orders.warnings.append(f"{where} has no resource and is not read")
        return
    _check_types(resource, where, name)
    kind = str(resource["resourceType"])
    if kind == "MedicationRequest":
        request = validate(MedicationRequest, resource, name, where)
        requests.append(Request(where, request, _label(request, position)))
        return
    if kind == "Medication":
        medication = validate(Medication, resource, name, where)
        keys = [_full_url(data, position), f"Medication/{medication.id}" if medication.id else None]
        for key in keys:
            if key is not None:
                orders.medications[key] = medication
        return
    note = _NOT_READ_NOTE.get(kind, "not a medication order")
    orders.warnings.append(f"{where}: a {kind} is not read ({note})")


def _collect(data: dict[str, Any], name: str, orders: Orders) -> list[Request]:
    """Every MedicationRequest of the input; other resources noted as not read."""
    kind = data.get("resourceType")
    if kind == "MedicationRequest":
        _check_types(data, "the MedicationRequest", name)
        single = validate(MedicationRequest, data, name, None)
        return [Request("the MedicationRequest", single, _label(single, 1))]
    if kind != "Bundle":
        shown = kind if isinstance(kind, str) else repr(kind)
        raise UserInputError(f"in {name}: a {shown} is not a MedicationRequest or a Bundle of them")
    requests: list[Request] = []
    for position, resource in _bundle_entries(data, name):
        _entry(
            data, position=position, resource=resource, name=name, orders=orders, requests=requests
        )
    if not requests:
        raise UserInputError(f"in {name}: no MedicationRequest")
    return requests


def _keys(resource: MedicationRequest) -> list[str]:
    keys = [f"id {resource.id}"] if resource.id else []
    for identifier in resource.identifier or []:
        if identifier.value:
            system = f"{identifier.system}|" if identifier.system else ""
            keys.append(f"identifier {system}{identifier.value}")
    return keys


def _content(resource: MedicationRequest) -> str:
    """The request's meaning, without what a copy may change (id, meta, narrative)."""
    dump = resource.model_dump(mode="json")
    for key in ("id", "meta", "text"):
        dump.pop(key, None)
    return json.dumps(dump, sort_keys=True, default=str)


def _once(requests: list[Request], name: str, orders: Orders) -> list[Request]:
    """Each order once: a copy that agrees is noted, one that differs is refused."""
    first_by_key: dict[str, Request] = {}
    first_by_content: dict[str, Request] = {}
    kept: list[Request] = []
    for request in requests:
        keys = _keys(request.resource)
        earlier = next((first_by_key[k] for k in keys if k in first_by_key), None)
        content = _content(request.resource)
        if earlier is not None:
            key = next(k for k in keys if k in first_by_key)
            if _content(earlier.resource) != content:
                raise UserInputError(
                    f"in {name}: {earlier.where} and {request.where} are the same order ({key}) "
                    "but differ, so which one is current cannot be told"
                )
            reason = f"the same order as {earlier.where} ({key}): counted once"
            orders.not_counted.append(NotCounted(request.label, reason))
            continue
        twin = first_by_content.get(content)
        if twin is not None:
            orders.warnings.append(
                f"{request.where} is identical to {twin.where} but for its id; both are counted "
                "as separate orders"
            )
        for key in keys:
            first_by_key[key] = request
        first_by_content.setdefault(content, request)
        kept.append(request)
    return kept


def _why_not(request: Request, name: str) -> NotCounted | None:
    """Why a request is not counted, or None when it counts."""
    resource = request.resource
    status, intent = str(resource.status or ""), str(resource.intent or "")
    if status != ACTIVE:
        reason = _STATUSES_LEFT_OUT.get(status)
        if reason is None:
            raise UserInputError(
                f"in {name}, {request.where}: status '{status}' is not a MedicationRequest status "
                f"(active, {', '.join(_STATUSES_LEFT_OUT)})"
            )
        return NotCounted(
            request.label, f"status {status}: {reason}", incomplete=status == "unknown"
        )
    if intent not in ORDER_INTENTS and intent != PLAN_INTENT:
        reason = _INTENTS_LEFT_OUT.get(intent)
        if reason is None:
            known = ", ".join([*sorted(ORDER_INTENTS), PLAN_INTENT, *_INTENTS_LEFT_OUT])
            raise UserInputError(
                f"in {name}, {request.where}: intent '{intent}' is not a MedicationRequest intent "
                f"({known})"
            )
        return NotCounted(request.label, f"intent {intent}: {reason}")
    if resource.doNotPerform:
        return NotCounted(request.label, "doNotPerform: an order not to give it")
    return None


def select_orders(data: dict[str, Any], name: str) -> Orders:
    """The MedicationRequests of a FHIR input that count, and the others with why."""
    where = _non_finite_at(data)
    if where is not None:
        raise UserInputError(f"in {name}: the number at {where} is not finite (NaN or infinity)")
    orders = Orders()
    for request in _once(_collect(data, name, orders), name, orders):
        reason = _why_not(request, name)
        if reason is not None:
            orders.not_counted.append(reason)
            continue
        if request.resource.intent == PLAN_INTENT:
            orders.warnings.append(
                f"{request.label}: counted as a plan (intent plan), not an order; check that it "
                "is being taken"
            )
        orders.counted.append(request)
    if not orders.counted:
        left = "; ".join(f"{n.what}: {n.reason}" for n in orders.not_counted)
        raise UserInputError(f"in {name}: no MedicationRequest is counted ({left})")
    return orders
