"""The MED calculator, including the mistakes other calculators have made."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from library import REF

from ketamine_cds.domain.errors import UserInputError
from ketamine_cds.domain.opioids.calculator import compute_med
from ketamine_cds.domain.opioids.regimen import Regimen
from ketamine_cds.service import opioids


def regimen(*items: dict[str, Any]) -> Regimen:
    return Regimen.model_validate({"items": list(items)})


def patch(rate: str, **extra: Any) -> dict[str, Any]:
    return {"drug": "fentanyl", "route": "transdermal", "patch": rate, **extra}


@pytest.mark.parametrize("days", [1, 2, 3, 7])
def test_fentanyl_patch_factor_is_per_ug_per_h_not_per_patch_day(days: int) -> None:
    """25 µg/h is 60 MED/day whatever the change interval (not 180 = 25 x 2.4 x 3, not 20)."""
    result = opioids.med_of(REF, regimen(patch("25 µg/h", change_every_days=days)))
    assert result.total_med_mg == pytest.approx(60.0)


def test_two_patches_add_their_rates() -> None:
    """Two 50 µg/h patches worn together are 100 µg/h: 240 MED/day under CDC 2022."""
    result = opioids.med_of(REF, regimen(patch("50 mcg/hr", patches=2)))
    assert result.items[0].daily_dose == pytest.approx(100.0)
    assert result.total_med_mg == pytest.approx(240.0)


def test_a_patch_written_in_mg_per_h_is_converted() -> None:
    """0.025 mg/h is the same patch as 25 µg/h."""
    a = opioids.med_of(REF, regimen(patch("0.025 mg/h")))
    b = opioids.med_of(REF, regimen(patch("25 µg/h")))
    assert a.total_med_mg == pytest.approx(b.total_med_mg)


def buccal(dose: str) -> dict[str, Any]:
    return {
        "drug": "fentanyl",
        "route": "buccal",
        "form": "tablet",
        "dose": dose,
        "prn": True,
        "taken_in_24h": 4,
    }


def test_transmucosal_fentanyl_factor_applies_to_micrograms() -> None:
    """4 buccal tablets of 200 µg are 800 µg/day x 0.13 = 104 MED (CDC 2016), not 0.104."""
    result = opioids.med_of(REF, regimen(buccal("200 µg")), "cdc-2016")
    assert result.items[0].daily_dose_unit == "µg/day"
    assert result.items[0].daily_dose == pytest.approx(800.0)
    assert result.total_med_mg == pytest.approx(104.0)


def test_transmucosal_fentanyl_in_mg_and_in_ug_agree() -> None:
    """0.2 mg and 200 mcg of buccal fentanyl give the same MED."""
    a = opioids.med_of(REF, regimen(buccal("0.2 mg")), "cdc-2016")
    b = opioids.med_of(REF, regimen(buccal("200 mcg")), "cdc-2016")
    assert a.total_med_mg == pytest.approx(b.total_med_mg)


def test_transmucosal_fentanyl_written_in_mg_for_ug_is_refused() -> None:
    """200 mg of buccal fentanyl (meant: 200 µg) is refused, naming the item and mg/µg."""
    with pytest.raises(UserInputError, match=r"fentanyl buccal.*mg against µg"):
        opioids.med_of(REF, regimen(buccal("200 mg")), "cdc-2016")


def test_a_table_that_splits_dose_forms_asks_for_the_form() -> None:
    """CDC 2016 gives film and tablet different factors, so a buccal dose needs its form."""
    item = buccal("200 µg")
    del item["form"]
    with pytest.raises(UserInputError, match="give form"):
        opioids.med_of(REF, regimen(item), "cdc-2016")


def test_no_rounding_before_summing() -> None:
    """Three codeine lines of 2.25 MED each total 6.75, not 6 (each rounded down first)."""
    line = {"drug": "codeine", "route": "oral", "dose": "15 mg", "doses_per_day": 1}
    result = opioids.med_of(REF, regimen(line, line, line))
    assert [i.med_mg for i in result.items] == [pytest.approx(2.25)] * 3
    assert result.total_med_mg == pytest.approx(6.75)


def test_methadone_tier_is_chosen_by_the_total_daily_dose() -> None:
    """10 mg + 15 mg of methadone a day is 25 mg/day, tier factor 8 for both lines: 200 MED."""
    a = {"drug": "methadone", "route": "oral", "dose": "10 mg", "doses_per_day": 1}
    b = {"drug": "methadone", "route": "oral", "dose": "15 mg", "doses_per_day": 1}
    result = opioids.med_of(REF, regimen(a, b), "cdc-2016")
    assert [i.factor for i in result.items] == [8, 8]
    assert result.total_med_mg == pytest.approx(200.0)
    assert any("non-linear" in w for w in result.warnings)


def test_a_route_the_table_does_not_cover_is_named_and_left_out() -> None:
    """IV morphine under CDC 2022: shown, left out, no total; only the covered part is given."""
    iv = {"drug": "morphine", "route": "iv", "dose": "2 mg", "every_hours": 4}
    oral = {"drug": "morphine", "route": "oral", "dose": "10 mg", "every_hours": 4}
    result = opioids.med_of(REF, regimen(iv, oral))
    assert result.items[0].med_mg is None
    assert result.total_med_mg is None
    assert result.covered_med_mg == pytest.approx(60.0)
    assert [(o.drug, o.route) for o in result.left_out] == [("morphine", "intravenous")]
    assert result.regimen_range_med_mg is None
    assert not result.complete
    assert any("intravenous" in w for w in result.warnings)
    assert result.range_med_mg == (pytest.approx(96.0), pytest.approx(96.0))  # 12 x 3 + 60


def test_prn_without_doses_taken_is_flagged_as_an_estimate() -> None:
    """An as-needed order without the doses taken uses its maximum and says so."""
    item = {"drug": "oxycodone", "route": "oral", "dose": "5 mg", "every_hours": 4, "prn": True}
    result = opioids.med_of(REF, regimen(item))
    assert result.total_med_mg == pytest.approx(45.0)
    assert any("most the order allows" in w for w in result.warnings)


def test_prn_doses_actually_taken_are_used() -> None:
    """Three as-needed doses of 5 mg oxycodone taken: 15 mg/day, 22.5 MED."""
    item = {
        "drug": "oxycodone",
        "route": "oral",
        "dose": "5 mg",
        "every_hours": 4,
        "prn": True,
        "taken_in_24h": 3,
    }
    assert opioids.med_of(REF, regimen(item)).total_med_mg == pytest.approx(22.5)


def test_pca_total_and_infusion_rate() -> None:
    """A hydromorphone PCA of 12 mg/24 h and SC morphine 1 mg/h under the ANZCA table."""
    pca = {"drug": "hydromorphone", "route": "iv", "pca_total_24h": "12 mg"}
    infusion = {"drug": "morphine", "route": "sc", "rate": "1 mg/h"}
    result = opioids.med_of(REF, regimen(pca, infusion), "anzca-fpm-2021")
    assert [i.med_mg for i in result.items] == [pytest.approx(180.0), pytest.approx(72.0)]


def test_times_of_day_count_the_doses() -> None:
    """Oxycodone 10 mg at 08:00 and 20:00 is two doses a day."""
    item = {"drug": "oxycodone", "route": "po", "dose": "10 mg", "times_of_day": ["08:00", "20:00"]}
    assert opioids.med_of(REF, regimen(item)).total_med_mg == pytest.approx(30.0)


def test_tablets_of_a_stated_strength() -> None:
    """Two tablets of 5 mg every 6 h is 40 mg/day of oxycodone."""
    item = {
        "drug": "oxycodone",
        "route": "oral",
        "tablets": 2,
        "strength": "5 mg",
        "every_hours": 6,
    }
    assert opioids.med_of(REF, regimen(item)).items[0].daily_dose == pytest.approx(40.0)


def test_range_across_tables_uses_only_tables_covering_every_item() -> None:
    """A 25 µg/h patch: CDC 2022 and 2016 give 60, ANZCA 75, so the range is 60-75."""
    result = opioids.med_of(REF, regimen(patch("25 µg/h")))
    assert result.range_med_mg == (pytest.approx(60.0), pytest.approx(75.0))
    assert dict(result.totals_by_table)["anzca-fpm-2021"] == pytest.approx(75.0)


@given(
    st.lists(
        st.tuples(
            st.sampled_from(["morphine", "oxycodone", "hydromorphone", "codeine", "tramadol"]),
            st.floats(min_value=0.5, max_value=200),
            st.integers(min_value=1, max_value=8),
        ),
        min_size=1,
        max_size=6,
    )
)
def test_total_is_the_unrounded_sum_of_the_lines(lines: list[tuple[str, float, int]]) -> None:
    """For any oral regimen the total equals the sum of each line's dose x factor."""
    items = [
        {"drug": d, "route": "oral", "dose": f"{mg} mg", "doses_per_day": n} for d, mg, n in lines
    ]
    table = opioids.table(REF, "cdc-2022")
    result = compute_med(regimen(*items), table)
    factors = {
        "morphine": 1.0,
        "oxycodone": 1.5,
        "hydromorphone": 5.0,
        "codeine": 0.15,
        "tramadol": 0.2,
    }
    expected = sum(mg * n * factors[d] for d, mg, n in lines)
    assert result.total_med_mg == pytest.approx(expected, rel=1e-9)
    assert result.complete
