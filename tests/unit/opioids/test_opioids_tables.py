"""Equivalence tables: shipped data loads, every factor is cited, methadone tiers have no gap."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from library import REF
from pydantic import ValidationError

from ketamine_cds.domain.opioids.tables import EquivalenceTable, Opioid, OpioidRoute
from ketamine_cds.service import opioids


def _table(tiers: list[dict[str, float | None]]) -> dict[str, object]:
    return {
        "id": "test",
        "version": "1",
        "title": "t",
        "source": "s",
        "factors": [
            {
                "drug": "methadone",
                "routes": ["oral"],
                "basis": "mg_per_day",
                "tiers": tiers,
                "source": "s",
            }
        ],
    }


def test_three_tables_ship_with_cdc_2022_among_them() -> None:
    """The product ships CDC 2022, CDC 2016 and the ANZCA parenteral table."""
    assert {t.id for t in REF.opioid_tables()} == {"cdc-2022", "cdc-2016", "anzca-fpm-2021"}


def test_every_line_names_its_source() -> None:
    """No factor (or absence of one) is without a cited source."""
    for table in REF.opioid_tables():
        assert table.source
        for entry in table.factors:
            assert entry.source.strip(), (table.id, entry.drug)


def test_a_missing_factor_says_why() -> None:
    """Buprenorphine in CDC 2022 is listed as having no factor, with the reason."""
    entry = opioids.table(REF, "cdc-2022").lookup(
        Opioid.BUPRENORPHINE, OpioidRoute.SUBLINGUAL, None
    )
    assert entry is not None
    assert not entry.covered
    assert "buprenorphine" in (entry.no_factor or "")


@pytest.mark.parametrize(
    ("daily_mg", "factor"),
    [
        (1, 4),
        (20, 4),
        (20.5, 8),
        (40, 8),
        (40.01, 10),
        (60, 10),
        (60.5, 12),
        (80, 12),
        (81, 12),
        (500, 12),
    ],
)
def test_cdc_2016_methadone_tiers_cover_the_fact_sheet_gaps(daily_mg: float, factor: float) -> None:
    """20.5 mg/day and doses above 80 mg/day belong to a tier (the fact sheet leaves them out)."""
    entry = opioids.table(REF, "cdc-2016").lookup(Opioid.METHADONE, OpioidRoute.ORAL, None)
    assert entry is not None
    assert entry.factor_for(daily_mg) == factor


@given(st.floats(min_value=1e-6, max_value=1e6, allow_nan=False))
def test_every_positive_methadone_dose_is_in_exactly_one_tier(daily_mg: float) -> None:
    """The shipped tiers partition (0, infinity): one and only one tier holds any dose."""
    entry = opioids.table(REF, "cdc-2016").lookup(Opioid.METHADONE, OpioidRoute.ORAL, None)
    assert entry is not None
    assert entry.tiers is not None
    assert sum(tier.holds(daily_mg) for tier in entry.tiers) == 1


def test_a_gap_between_tiers_is_refused() -> None:
    """Tiers written 1-20 then 21-40 (the fact sheet's way) leave a gap and are refused."""
    tiers = [{"above": 0, "up_to": 20, "factor": 4}, {"above": 21, "up_to": None, "factor": 8}]
    with pytest.raises(ValidationError, match="no gap"):
        EquivalenceTable.model_validate(_table(tiers))


def test_tiers_must_start_at_zero() -> None:
    """A first tier starting above 1 mg would leave small doses without a factor."""
    tiers = [{"above": 1, "up_to": None, "factor": 4}]
    with pytest.raises(ValidationError, match="start above 0"):
        EquivalenceTable.model_validate(_table(tiers))


def test_an_unknown_key_is_refused() -> None:
    """The table schema is closed: a misspelt key is an error, not ignored."""
    data = _table([{"above": 0, "up_to": None, "factor": 4}])
    data["factors"][0]["factr"] = 2  # type: ignore[index]
    with pytest.raises(ValidationError, match="factr"):
        EquivalenceTable.model_validate(data)


def test_factor_and_no_factor_together_are_refused() -> None:
    """A line either has a factor or says why not, never both."""
    data = _table([{"above": 0, "up_to": None, "factor": 4}])
    data["factors"][0]["no_factor"] = "because"  # type: ignore[index]
    with pytest.raises(ValidationError, match="exactly one"):
        EquivalenceTable.model_validate(data)


def test_routes_accept_clinical_abbreviations() -> None:
    """'iv', 'sc' and 'po' read as intravenous, subcutaneous and oral."""
    assert OpioidRoute.read("IV") == "intravenous"
    assert OpioidRoute.read("sc") == "subcutaneous"
    assert OpioidRoute.read("po") == "oral"
