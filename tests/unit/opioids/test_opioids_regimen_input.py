"""Bad regimen input is refused with one sentence naming the file and the item."""

from __future__ import annotations

from typing import Any

import pytest
from library import REF

from ketamine_cds.adapters.opioid_files import regimen_from_data
from ketamine_cds.domain.errors import UserInputError
from ketamine_cds.service import opioids


def read(*items: dict[str, Any]) -> None:
    regimen_from_data({"items": list(items)}, "regimen.yaml", REF.opioid_products())


@pytest.mark.parametrize(
    ("item", "message"),
    [
        (
            {"drug": "oxycontinn", "route": "oral", "dose": "10 mg", "doses_per_day": 2},
            r"item 1 \(oxycontinn oral\).*unknown drug 'oxycontinn'",
        ),
        (
            {"drug": "oxycodone", "route": "oral", "dose": 10, "doses_per_day": 2},
            r"item 1 \(oxycodone oral\).*dose 10 has no unit",
        ),
        (
            {"drug": "oxycodone", "route": "oral", "dose": "10", "doses_per_day": 2},
            r"item 1 \(oxycodone oral\).*without its unit",
        ),
        (
            {"drug": "oxycodone", "route": "oral", "dose": "10 mg", "doses_per_day": 0},
            r"item 1 \(oxycodone oral\).*doses_per_day must be above zero",
        ),
        (
            {"drug": "oxycodone", "route": "oral", "dose": "10 mg", "every_hours": 0},
            r"every_hours must be above zero",
        ),
        (
            {"drug": "fentanyl", "route": "transdermal", "change_every_days": 3},
            r"item 1 \(fentanyl transdermal\).*patch needs its delivery rate",
        ),
        (
            {"drug": "fentanyl", "route": "transdermal", "dose": "25 mg"},
            r"patch needs its delivery rate",
        ),
        ({"drug": "oxycodone", "route": "oral", "dose": "10 mg"}, r"give how often"),
        (
            {"drug": "oxycodone", "route": "oral", "dose": "10 mg", "prn": True},
            r"as-needed item needs the doses taken",
        ),
        (
            {"drug": "oxycodone", "route": "oral", "tablets": 2, "every_hours": 6},
            r"tablets need their strength",
        ),
        (
            {"drug": "oxycodone", "route": "oral", "dose": "0.1 mg/kg", "every_hours": 6},
            r"weight-based",
        ),
        (
            {
                "drug": "oxycodone",
                "route": "oral",
                "dose": "10 mg",
                "every_hours": 6,
                "colour": "x",
            },
            r"item 1 \(oxycodone oral\): unknown key 'colour'",
        ),
    ],
)
def test_bad_items_are_refused_naming_the_item(item: dict[str, Any], message: str) -> None:
    """Unknown drug, missing unit, zero frequency, patch without µg/h and the like are refused."""
    with pytest.raises(UserInputError, match=message):
        read(item)


def test_the_second_item_is_named_when_it_is_the_bad_one() -> None:
    """The message points at item 2 by its own name."""
    good = {"drug": "morphine", "route": "oral", "dose": "10 mg", "every_hours": 4}
    bad = {
        "name": "night dose",
        "drug": "morphine",
        "route": "oral",
        "dose": "10 mg",
        "doses_per_day": -1,
    }
    with pytest.raises(UserInputError, match=r"regimen\.yaml, item 2 \(night dose\)"):
        read(good, bad)


def test_an_empty_regimen_is_refused() -> None:
    """A regimen needs at least one item."""
    with pytest.raises(UserInputError, match=r"regimen\.yaml"):
        regimen_from_data({"items": []}, "regimen.yaml", REF.opioid_products())


def test_an_unknown_table_is_refused() -> None:
    """Asking for a table the product does not ship names the shipped ones."""
    with pytest.raises(UserInputError, match=r"shipped: .*cdc-2022"):
        opioids.table(REF, "who-1996")
