"""CDS Hooks 2.0 contract: real hook calls through the HTTP routes, every card field checked.

The checks in ``assert_card_follows_spec`` are written from the CDS Hooks 2.0 specification
(cds-hooks.hl7.org/2.0, "CDS Service Response"), not from the product's own models: a card has a
summary under 140 characters, an indicator of info/warning/critical, a source with a label;
suggestions need selectionBehavior; override reasons are Codings with a display; links are
absolute or smart. Draft orders are rate-based ketamine infusions.
"""

from __future__ import annotations

import uuid
from typing import Any
from urllib.parse import urlparse

import httpx
import pytest
from ehr.hook_builders import (
    FakeEpisodes,
    FakeFeedbackLog,
    hook_request,
    ketamine_order,
    make_app,
    make_service,
    other_order,
    searchset,
    weight_observation,
)
from fastapi.testclient import TestClient

from ketamine_cds.adapters.cds_hooks.feedback import HttpFhirReader
from ketamine_cds.adapters.cds_hooks.ports import ActiveEpisode
from ketamine_cds.adapters.fhir.r4 import validate_r4
from ketamine_cds.domain.episode import Episode

SIGN = "/cds-services/ketamine-order-sign"
SELECT = "/cds-services/ketamine-order-select"
CARD_KEYS = {
    "uuid",
    "summary",
    "detail",
    "indicator",
    "source",
    "suggestions",
    "selectionBehavior",
    "overrideReasons",
    "links",
}


def _absolute(url: str) -> bool:
    parts = urlparse(url)
    return parts.scheme in {"http", "https"} and bool(parts.netloc)


def assert_card_follows_spec(card: dict[str, Any]) -> None:  # noqa: C901 - one check per rule of the spec
    """Every field of a card as CDS Hooks 2.0 defines it."""
    assert set(card) <= CARD_KEYS
    if "uuid" in card:
        uuid.UUID(card["uuid"])
    assert isinstance(card["summary"], str)
    assert 0 < len(card["summary"]) < 140
    assert card["indicator"] in {"info", "warning", "critical"}
    source = card["source"]
    assert isinstance(source["label"], str)
    assert source["label"]
    if "url" in source:
        assert _absolute(source["url"])
    if "topic" in source:
        assert source["topic"]["code"]
    if "detail" in card:
        assert isinstance(card["detail"], str)
    if card.get("suggestions"):
        assert card["selectionBehavior"] in {"at-most-one", "any"}
        for suggestion in card["suggestions"]:
            assert isinstance(suggestion["label"], str)
            if "uuid" in suggestion:
                uuid.UUID(suggestion["uuid"])
            for action in suggestion["actions"]:
                assert action["type"] in {"create", "update", "delete"}
                assert isinstance(action["description"], str)
                if action["type"] in {"create", "update"}:
                    validate_r4(action["resource"])
    for reason in card.get("overrideReasons", []):
        assert reason["code"]
        assert isinstance(reason["display"], str)
        assert reason["display"]
    for link in card.get("links", []):
        assert isinstance(link["label"], str)
        assert link["type"] in {"absolute", "smart"}
        assert _absolute(link["url"])


@pytest.fixture(scope="module")
def client() -> TestClient:
    return TestClient(make_app(make_service()))


def _cards(client: TestClient, body: dict[str, Any], path: str = SIGN) -> list[dict[str, Any]]:
    response = client.post(path, json=body)
    assert response.status_code == 200, response.text
    cards = response.json()["cards"]
    for card in cards:
        assert_card_follows_spec(card)
    return cards  # type: ignore[no-any-return]


def test_discovery_lists_the_three_services_with_prefetch_templates(client: TestClient) -> None:
    """Discovery lists order-select, order-sign and patient-view, each with id and description."""
    services = client.get("/cds-services").json()["services"]
    assert {s["hook"] for s in services} == {"order-select", "order-sign", "patient-view"}
    for service in services:
        assert service["id"]
        assert service["description"]
    sign = next(s for s in services if s["hook"] == "order-sign")
    assert "{{context.patientId}}" in sign["prefetch"]["weight"]
    assert "http://loinc.org|29463-7" in sign["prefetch"]["weight"]


@pytest.mark.parametrize(
    ("rate", "indicator"),
    [(7, "info"), (14, "info"), (18, "warning"), (70, "critical"), (80, "critical")],
)
def test_order_sign_cards_follow_the_spec_for_each_verdict(
    client: TestClient, rate: float, indicator: str
) -> None:
    """Within, at the ceiling, above it, at and above the hard limit: each card is valid."""
    cards = _cards(client, hook_request(ketamine_order(rate)))
    assert [c["indicator"] for c in cards] == [indicator]


def test_a_warning_has_override_reasons_and_a_link_to_start_an_episode(client: TestClient) -> None:
    """No active episode: the card links to the new-episode page."""
    card = _cards(client, hook_request(ketamine_order(18)))[0]
    assert len(card["overrideReasons"]) >= 2
    assert card["links"][0]["url"] == "http://testserver/episodes/new"


def test_an_accepted_suggestion_does_not_bring_the_same_card_back(client: TestClient) -> None:
    """The order rewritten by the suggestion is within the protocol: no warning, no suggestion."""
    card = _cards(client, hook_request(ketamine_order(18)))[0]
    rewritten = card["suggestions"][0]["actions"][0]["resource"]
    again = _cards(client, hook_request(rewritten))[0]
    assert again["indicator"] == "info"
    assert "suggestions" not in again


def test_a_per_kg_order_is_rewritten_in_mg_per_kg_per_h(client: TestClient) -> None:
    """0.3 mg/kg/h for 70 kg (21 mg/h) is above 14 mg/h; the suggestion is 0.2 mg/kg/h."""
    card = _cards(client, hook_request(ketamine_order(0.3, "mg/kg/h")))[0]
    assert card["indicator"] == "warning"
    assert "21 mg/h" in card["summary"]
    rate = card["suggestions"][0]["actions"][0]["resource"]["dosageInstruction"][0]["doseAndRate"][
        0
    ]
    assert rate["rateQuantity"]["value"] == pytest.approx(0.2)
    assert rate["rateQuantity"]["code"] == "mg/kg/h"


def test_a_hard_limit_suggests_the_protocol_ceiling_not_the_hard_limit(client: TestClient) -> None:
    """80 mg/h: the suggestion is the 14 mg/h ceiling, never a rate at the 70 mg/h hard limit."""
    card = _cards(client, hook_request(ketamine_order(80)))[0]
    rate = card["suggestions"][0]["actions"][0]["resource"]["dosageInstruction"][0]["doseAndRate"][
        0
    ]
    assert rate["rateQuantity"]["value"] == 14


def test_without_a_protocol_the_product_wide_limits_apply_and_the_card_says_so(
    client: TestClient,
) -> None:
    """No instantiatesCanonical: product-wide default ceiling (0.5 mg/kg/h = 35 mg/h for 70 kg)."""
    within = _cards(client, hook_request(ketamine_order(18, protocol=None)))[0]
    assert within["indicator"] == "info"
    assert "product-wide" in within["summary"]
    assert "No protocol was named" in within["detail"]
    above = _cards(client, hook_request(ketamine_order(40, protocol=None)))[0]
    assert above["indicator"] == "warning"
    assert "35 mg/h" in above["summary"]


def test_an_unknown_protocol_is_checked_against_product_wide_limits_and_named(
    client: TestClient,
) -> None:
    """An order naming a protocol the product does not hold says so in the card."""
    card = _cards(client, hook_request(ketamine_order(18, protocol="not-here")))[0]
    assert "'not-here'" in card["detail"]
    assert "product-wide" in card["summary"]


def test_an_order_known_only_by_its_text_is_checked_and_flagged(client: TestClient) -> None:
    """No RxNorm code, 'Ketamine infusion' in words: checked, and the card flags the fallback."""
    card = _cards(client, hook_request(ketamine_order(18, code=None, text="Ketamine infusion")))[0]
    assert card["indicator"] == "warning"
    assert "by its text only" in card["detail"]


def test_orders_that_are_not_ketamine_get_no_card(client: TestClient) -> None:
    """Paracetamol alone: no card, and no weight is needed."""
    assert _cards(client, hook_request(other_order(), weight="omit")) == []


def test_order_select_checks_only_the_selected_orders(client: TestClient) -> None:
    """Two ketamine drafts, one selected: one card, for the selected order."""
    body = hook_request(
        ketamine_order(18, order_id="a"),
        ketamine_order(80, order_id="b"),
        hook="order-select",
        selections=["MedicationRequest/b"],
    )
    cards = _cards(client, body, SELECT)
    assert [c["indicator"] for c in cards] == ["critical"]


def test_a_bolus_dose_is_checked_as_a_dose(client: TestClient) -> None:
    """7 mg IV over 2 min (0.1 mg/kg) is no infusion; 0.35 mg/kg bolus ceilings do not apply."""
    card = _cards(client, hook_request(ketamine_order(None, dose=80, over_min=2, protocol=None)))[0]
    assert card["indicator"] == "critical"
    assert "hard limit of 70 mg" in card["summary"]


def test_a_microgram_for_milligram_slip_is_refused_with_the_reading_spelled_out(
    client: TestClient,
) -> None:
    """18000 mg/h is no ketamine dose: critical, saying what it is if µg/h was meant."""
    card = _cards(client, hook_request(ketamine_order(18000)))[0]
    assert card["indicator"] == "critical"
    assert "18 mg/h" in card["detail"]


def test_an_unreadable_ketamine_order_gets_a_warning_saying_why(client: TestClient) -> None:
    """A ketamine order in mL/h cannot be checked: a warning names the unit."""
    card = _cards(client, hook_request(ketamine_order(7, "mL/h")))[0]
    assert card["indicator"] == "warning"
    assert "mL/h" in card["detail"]


def test_an_unreadable_order_needs_no_weight_to_say_so(client: TestClient) -> None:
    """An order in mL/h without a weight: the warning card, not 412."""
    cards = _cards(client, hook_request(ketamine_order(7, "mL/h"), weight="omit"))
    assert [c["indicator"] for c in cards] == ["warning"]


def test_without_a_protocol_the_suggestion_is_the_product_wide_ceiling(client: TestClient) -> None:
    """40 mg/h, no protocol: rewritten to 35 mg/h (0.5 mg/kg/h for 70 kg), named as product-wide."""
    card = _cards(client, hook_request(ketamine_order(40, protocol=None)))[0]
    suggestion = card["suggestions"][0]
    assert suggestion["label"] == "Change the order to the product-wide ceiling of 35 mg/h"
    rate = suggestion["actions"][0]["resource"]["dosageInstruction"][0]["doseAndRate"][0]
    assert rate["rateQuantity"]["value"] == 35


def test_a_weight_in_pounds_is_converted_and_shown(client: TestClient) -> None:
    """100 [lb_av] = 45.359237 kg: the ceiling is 0.2 mg/kg/h × 45.359237 kg = 9.0718474 mg/h."""
    body = hook_request(ketamine_order(18), weight=searchset(weight_observation(100, "[lb_av]")))
    card = _cards(client, body)[0]
    assert "soft limit of 9.0718474 mg/h" in card["summary"]
    assert "100 lb × 0.45359237 kg/lb" in card["detail"]


def test_a_null_weight_prefetch_is_412(client: TestClient) -> None:
    """The client found no weight (prefetch null): the check cannot run, HTTP 412."""
    assert client.post(SIGN, json=hook_request(ketamine_order(18), weight=None)).status_code == 412


def test_an_entered_in_error_weight_does_not_count(client: TestClient) -> None:
    """A weight entered in error is no weight: 412."""
    body = hook_request(
        ketamine_order(18), weight=searchset(weight_observation(status="entered-in-error"))
    )
    assert client.post(SIGN, json=body).status_code == 412


def test_a_missing_weight_is_read_from_the_fhir_server_with_the_handed_token() -> None:
    """Prefetch omitted, fhirServer given: the weight is searched with the client's token."""
    seen: list[httpx.Request] = []

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json=searchset(weight_observation(70)))

    reader = HttpFhirReader(httpx.Client(transport=httpx.MockTransport(answer)))
    client = TestClient(make_app(make_service(fhir=reader)))
    body = hook_request(ketamine_order(18), weight="omit", fhir_server="https://ehr.example/fhir")
    cards = _cards(client, body)
    assert "14 mg/h" in cards[0]["summary"]
    assert seen[0].headers["Authorization"] == "Bearer some-opaque-fhir-access-token"
    assert "code=http://loinc.org|29463-7" in str(seen[0].url).replace("%7C", "|")


def test_a_fhir_server_that_fails_leaves_the_call_412() -> None:
    """The server answers 500: the weight cannot be obtained, HTTP 412."""
    reader = HttpFhirReader(
        httpx.Client(transport=httpx.MockTransport(lambda _: httpx.Response(500)))
    )
    client = TestClient(make_app(make_service(fhir=reader)))
    body = hook_request(ketamine_order(18), weight="omit", fhir_server="https://ehr.example/fhir")
    assert client.post(SIGN, json=body).status_code == 412


@pytest.mark.parametrize(
    ("path", "body", "status"),
    [
        ("/cds-services/nope", hook_request(ketamine_order(18)), 404),
        (SIGN, {"hook": "order-sign", "context": {}}, 400),
        (SIGN, {**hook_request(ketamine_order(18)), "hook": "patient-view"}, 400),
        (SIGN, {**hook_request(ketamine_order(18)), "context": {"patientId": "1"}}, 400),
        (SELECT, hook_request(ketamine_order(18), hook="order-select"), 400),
    ],
)
def test_bad_calls_are_refused_in_one_sentence(
    client: TestClient, path: str, body: dict[str, Any], status: int
) -> None:
    """Unknown service 404; a body that is not CDS Hooks, or a wrong hook, 400 with a sentence."""
    response = client.post(path, json=body)
    assert response.status_code == status
    detail = response.json()["detail"]
    assert detail.endswith(".")
    assert "\n" not in detail


def _active(episode: Episode) -> ActiveEpisode:
    from ketamine_cds.domain.bedside import recommend  # noqa: PLC0415

    source = make_service().protocols
    protocol = source.get(episode.protocol.id).protocol
    at = episode.events[-1].at
    return ActiveEpisode(
        "42", episode, recommend(episode, protocol, source.limits().table, at), 1.0
    )


def test_patient_view_shows_the_running_rate_pain_age_and_med(seed_case_2: Episode) -> None:
    """Seed 001 case 2 on day 4 at 12:00: 18 mg/h, pain 5/10 2 h ago, MED 1400 mg, a link."""
    from datetime import UTC, datetime  # noqa: PLC0415

    from ehr.hook_builders import FixedClock  # noqa: PLC0415

    day_4 = seed_case_2.model_copy(
        update={"events": [e for e in seed_case_2.events if e.at.day <= 4]}
    )
    episodes = FakeEpisodes({"1288992": _active(day_4)})
    service = make_service(
        episodes=episodes, clock=FixedClock(datetime(2024, 5, 4, 12, tzinfo=UTC))
    )
    client = TestClient(make_app(service))
    body = {**hook_request(), "hook": "patient-view"}
    body["context"] = {"userId": "Practitioner/1", "patientId": "1288992"}
    cards = _cards(client, body, "/cds-services/ketamine-patient-view")
    assert len(cards) == 1
    card = cards[0]
    assert "18 mg/h (18 mL/h)" in card["summary"]
    assert "pain 5/10 2 h 0 min ago" in card["summary"]
    assert "1400 mg/24 h" in card["detail"]
    assert card["links"][0]["url"] == "http://testserver/episodes/42"
    assert card["indicator"] in {"warning", "critical"}  # 18 mg/h is above the 14 mg/h ceiling


def test_patient_view_without_an_active_episode_has_no_card(client: TestClient) -> None:
    """No episode for the patient: no card."""
    body = {**hook_request(), "hook": "patient-view"}
    body["context"] = {"userId": "Practitioner/1", "patientId": "someone-else"}
    assert _cards(client, body, "/cds-services/ketamine-patient-view") == []


def test_an_order_for_a_patient_on_an_episode_links_to_the_episode(seed_case_2: Episode) -> None:
    """With an active episode, the card's link is the episode page."""
    client = TestClient(
        make_app(make_service(episodes=FakeEpisodes({"1288992": _active(seed_case_2)})))
    )
    card = _cards(client, hook_request(ketamine_order(18)))[0]
    assert card["links"][0]["url"] == "http://testserver/episodes/42"


def test_feedback_accepted_and_overridden_is_kept_against_the_card() -> None:
    """Each feedback item reaches the log with card, outcome, suggestion and reason."""
    log = FakeFeedbackLog()
    client = TestClient(make_app(make_service(log=log)))
    card = _cards(client, hook_request(ketamine_order(18)))[0]
    suggestion = card["suggestions"][0]["uuid"]
    body = {
        "feedback": [
            {
                "card": card["uuid"],
                "outcome": "accepted",
                "acceptedSuggestions": [{"id": suggestion}],
                "outcomeTimestamp": "2024-05-04T12:01:00Z",
            },
            {
                "card": card["uuid"],
                "outcome": "overridden",
                "overrideReason": {
                    "reason": card["overrideReasons"][0],
                    "userComment": "Pain service agrees",
                },
                "outcomeTimestamp": "2024-05-04T12:02:00Z",
            },
        ]
    }
    response = client.post("/cds-services/ketamine-order-sign/feedback", json=body)
    assert response.status_code == 200
    assert [k.outcome for k in log.kept] == ["accepted", "overridden"]
    assert log.kept[0].accepted_suggestions == (suggestion,)
    assert log.kept[1].reason_code == "physician-override"
    assert log.kept[1].comment == "Pain service agrees"
    assert {k.card for k in log.kept} == {card["uuid"]}


def test_feedback_accepting_nothing_is_refused() -> None:
    """'accepted' without acceptedSuggestions is not valid feedback: 400."""
    client = TestClient(make_app(make_service()))
    body = {
        "feedback": [
            {
                "card": str(uuid.uuid4()),
                "outcome": "accepted",
                "outcomeTimestamp": "2024-05-04T12:01:00Z",
            }
        ]
    }
    assert client.post("/cds-services/ketamine-order-sign/feedback", json=body).status_code == 400
