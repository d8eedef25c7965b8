"""Seed 001, Case 2 as an EHR order: the CDS Hooks cards the order-sign hook answers with.

Seed 001 ("Ketamine Protocol Details"): start at 0.1 mg/kg/h, raise by 2 mg/h up to "a maximum
infusion rate of 0.2 mg/kg/hr or 20 mg/hr, whichever is lower" (read as 20 mg/h, see the
protocol file's reading). Case 2 reports 0.1 mg/kg/h as 7 mg/h, so the patient weighed 70 kg,
whose ceiling is the lower of 14 mg/h and 20 mg/h: 14 mg/h. The case ran 18 mg/h (day 4). The
product's hard limit on infusions is 1 mg/kg/h (seed 004 Appendix 2, ICU sedation; Schwenk
2018), 70 mg/h for 70 kg.
"""

from __future__ import annotations

from ehr.hook_builders import hook_request, ketamine_order, make_app, make_service, searchset
from ehr.hook_builders import weight_observation as weight
from fastapi.testclient import TestClient

SIGN = "/cds-services/ketamine-order-sign"


def _cards(body: dict[str, object]) -> list[dict[str, object]]:
    response = TestClient(make_app(make_service())).post(SIGN, json=body)
    assert response.status_code == 200, response.text
    return response.json()["cards"]  # type: ignore[no-any-return]


def test_case_2_order_of_18_mg_per_h_for_70_kg_is_a_warning_naming_14_mg_per_h() -> None:
    """18 mg/h for 70 kg under cancer-continuous: a warning naming the 14 mg/h ceiling."""
    cards = _cards(hook_request(ketamine_order(18), weight=searchset(weight(70))))
    assert len(cards) == 1
    card = cards[0]
    assert card["indicator"] == "warning"
    assert "14 mg/h" in str(card["summary"])
    assert "ceiling-0-2-mg-per-kg-per-h" in str(card["detail"])
    assert "[seed 001], Ketamine Protocol Details" in str(card["detail"])
    assert card["overrideReasons"]


def test_case_2_ceiling_suggestion_rewrites_the_order_to_14_mg_per_h() -> None:
    """The suggestion sets the order's rateQuantity to 14 mg/h, the lower of 0.2 mg/kg/h and 20."""
    card = _cards(hook_request(ketamine_order(18), weight=searchset(weight(70))))[0]
    suggestions = card["suggestions"]
    assert isinstance(suggestions, list)
    resource = suggestions[0]["actions"][0]["resource"]
    rate = resource["dosageInstruction"][0]["doseAndRate"][0]["rateQuantity"]
    assert rate["value"] == 14
    assert rate["code"] == "mg/h"


def test_80_mg_per_h_for_70_kg_is_critical_at_the_hard_limit_of_70_mg_per_h() -> None:
    """80 mg/h is above 1 mg/kg/h for 70 kg (70 mg/h): a critical card, nothing to override."""
    card = _cards(hook_request(ketamine_order(80), weight=searchset(weight(70))))[0]
    assert card["indicator"] == "critical"
    assert "hard limit of 70 mg/h" in str(card["summary"])
    assert "hard-rate-icu-sedation" in str(card["detail"])
    assert "overrideReasons" not in card


def test_the_same_order_without_a_weight_is_answered_412() -> None:
    """No body weight prefetched and no FHIR server to read one from: HTTP 412."""
    response = TestClient(make_app(make_service())).post(
        SIGN, json=hook_request(ketamine_order(18), weight="omit")
    )
    assert response.status_code == 412
    assert "29463-7" in response.json()["detail"]


def test_7_mg_per_h_the_case_start_is_within_the_protocol() -> None:
    """7 mg/h (0.1 mg/kg/h for 70 kg), the case's start, is within the protocol: info."""
    card = _cards(hook_request(ketamine_order(7), weight=searchset(weight(70))))[0]
    assert card["indicator"] == "info"
    assert "within protocol cancer-continuous" in str(card["summary"])
