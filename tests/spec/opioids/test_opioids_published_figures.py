"""MED worked examples from published sources and the seeds' own figures.

Sources: the CDC 2022 MME table footnote (Dowell et al., MMWR Recomm Rep 2022;71(RR-3)); seed 000
(case report, Phases I-III, and the Discussion); seed 001 (case 2). Where a seed's figure cannot
be reproduced from the regimen it states, the test pins what can be computed and says why.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from library import REF, med_of_file, timeline_file

from ketamine_cds.domain.opioids.plan import TimelineEntry, timeline
from ketamine_cds.domain.opioids.regimen import Regimen
from ketamine_cds.service import opioids

EXAMPLES = Path(__file__).resolve().parents[3] / "examples" / "regimens"


def med(items: list[dict[str, Any]], table: str = "cdc-2022") -> Any:
    return opioids.med_of(REF, Regimen.model_validate({"items": items}), table)


OXY_SR = {"drug": "oxycodone", "route": "oral", "dose": "10 mg", "doses_per_day": 2}


@pytest.mark.parametrize(
    ("source", "items", "table", "expected"),
    [
        (
            "CDC 2022 table footnote: hydrocodone 5 mg four times a day = 20 MME",
            [{"drug": "hydrocodone", "route": "oral", "dose": "5 mg", "doses_per_day": 4}],
            "cdc-2022",
            20.0,
        ),
        (
            "CDC 2022 table footnote: oxycodone ER 10 mg twice a day = 30 MME",
            [OXY_SR],
            "cdc-2022",
            30.0,
        ),
        (
            "CDC 2022 table: fentanyl transdermal 2.4 per µg/h; a 25 µg/h patch = 60, not 180",
            [
                {
                    "drug": "fentanyl",
                    "route": "transdermal",
                    "patch": "25 µg/h",
                    "change_every_days": 3,
                }
            ],
            "cdc-2022",
            60.0,
        ),
        (
            "CDC 2016 fact sheet: hydromorphone 4; 8 mg/day = 32",
            [{"drug": "hydromorphone", "route": "oral", "dose": "2 mg", "doses_per_day": 4}],
            "cdc-2016",
            32.0,
        ),
        (
            "ANZCA FPM 2021: parenteral morphine 3; 10 mg/day SC = 30",
            [{"drug": "morphine", "route": "sc", "dose": "2.5 mg", "doses_per_day": 4}],
            "anzca-fpm-2021",
            30.0,
        ),
    ],
)
def test_published_worked_examples(
    source: str, items: list[dict[str, Any]], table: str, expected: float
) -> None:
    """Each published worked example gives its published MED."""
    assert med(items, table).total_med_mg == pytest.approx(expected), source


def test_seed_000_phase_i_lies_in_the_seed_range() -> None:
    """Seed 000 Phase I: SR 10 mg bid + IR 5 mg every 6-8 h prn, "MED in the range of 45 to 60".

    The order allows 3-4 IR doses a day: 52.5-60 mg, inside the seed's range; its bounds
    correspond to 2 and 4 as-needed doses taken (45 and 60 mg/day).
    """
    result = med_of_file(EXAMPLES / "seed000-phase1.yaml")
    low, high = result.regimen_range_med_mg
    assert 45.0 <= low <= high <= 60.0
    assert (low, high) == (pytest.approx(52.5), pytest.approx(60.0))
    ir = {"drug": "oxycodone", "route": "oral", "dose": "5 mg", "every_hours": 6, "prn": True}
    assert med([OXY_SR, {**ir, "taken_in_24h": 2}]).total_med_mg == pytest.approx(45.0)
    assert med([OXY_SR, {**ir, "taken_in_24h": 4}]).total_med_mg == pytest.approx(60.0)


def test_seed_000_phase_ii_cannot_reach_the_seed_figure() -> None:
    """Seed 000 Phase II: fentanyl TD 50 µg/h + oxycodone 120 mg/day, "MED in the range of 400-500".

    The shipped tables give 300 (CDC 2022, CDC 2016: 120 + 180) to 330 (ANZCA: 150 + 180). The
    seed does not say which conversion it used; no published factor shipped here reaches 400,
    so the test pins the computed range and that it lies below the seed's figure.
    """
    result = med_of_file(EXAMPLES / "seed000-phase2.yaml")
    assert result.total_med_mg == pytest.approx(300.0)
    assert result.range_med_mg == (pytest.approx(300.0), pytest.approx(330.0))
    assert result.range_med_mg[1] < 400.0


def test_seed_000_last_data_set_is_in_the_200_mg_range() -> None:
    """Seed 000: methadone 7.5 mg bid + oxycodone 10 mg q3h prn, "MED in the 200 mg range".

    CDC 2016 (methadone 15 mg/day, factor 4): 60 + 120 = 180; CDC 2022 (4.7): 70.5 + 120 = 190.5;
    ANZCA has no methadone factor. Both CDC figures are within 10 % of 200.
    """
    result = med_of_file(EXAMPLES / "seed000-last-discharge.yaml")
    totals = dict(result.totals_by_table)
    assert totals == {"cdc-2016": pytest.approx(180.0), "cdc-2022": pytest.approx(190.5)}
    for total in totals.values():
        assert abs(total - 200.0) <= 20.0
    anzca = med_of_file(EXAMPLES / "seed000-last-discharge.yaml", "anzca-fpm-2021")
    assert not anzca.complete


def test_seed_000_episode_700_to_200() -> None:
    """Seed 000 Discussion: MED from about 700 mg/day at the peak to about 200: about -71 %."""
    entries = [
        TimelineEntry(
            day=1,
            label="peak",
            med_mg=700.0,
            computed=False,
            complete=True,
            source="seed 000, Neuropathic Pain / Discussion",
        ),
        TimelineEntry(
            day=2,
            label="last discharge",
            med_mg=200.0,
            computed=False,
            complete=True,
            source="seed 000, Neuropathic Pain / Discussion",
        ),
    ]
    line = timeline(entries)
    assert line.change_from_peak_percent == pytest.approx(-500 / 7, rel=1e-9)


def test_seed_001_case_2_timeline() -> None:
    """Seed 001 case 2: 580 -> 855 -> 1,400 -> 780 mg/day; peak on day 4, -44.3 % by day 6."""
    line = timeline_file(EXAMPLES / "seed001-case2-timeline.yaml")
    recorded = [(e.day, e.med_mg) for e in line.entries if not e.computed]
    assert recorded == [(2, 580.0), (3, 855.0), (4, 1400.0), (6, 780.0)]
    assert (line.peak.day, line.peak.med_mg) == (4, 1400.0)
    assert line.change_from_peak_percent == pytest.approx(-44.29, abs=0.01)


def test_seed_001_case_2_day_1_totals() -> None:
    """Seed 001 case 2, 24 h before day 1: fentanyl 75 µg/h, oral hydromorphone 48 mg, IV 0.2 mg.

    ANZCA (the only shipped table with IV hydromorphone): 225 + 240 + 3 = 468 mg/day. The seed's
    580 on day 2 follows dose increases it does not quantify, so only day 1 is computed; it is
    below 580, as the increases require.
    """
    result = med_of_file(EXAMPLES / "seed001-case2-day1.yaml", "anzca-fpm-2021")
    assert result.complete
    assert [i.med_mg for i in result.items] == [
        pytest.approx(225.0),
        pytest.approx(240.0),
        pytest.approx(3.0),
    ]
    assert result.total_med_mg == pytest.approx(468.0)
    assert result.total_med_mg < 580.0
    cdc = med_of_file(EXAMPLES / "seed001-case2-day1.yaml", "cdc-2022")
    assert not cdc.complete
    assert cdc.range_med_mg == (pytest.approx(468.0), pytest.approx(468.0))
