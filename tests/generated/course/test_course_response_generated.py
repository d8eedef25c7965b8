"""Good et al.'s definition on generated episodes, against an oracle written from the definition.

The oracle reads seed 000's words directly on the generated numbers (the scores before ketamine,
the scores in the last 24 hours, the 24-hour opioid figures before and after, the function
judged), with the product's readings of the periods (decision record 0111); the episode is built
from the same numbers and judged by the product. They must agree on every verdict.
"""

from __future__ import annotations

from statistics import fmean

from bedside_build import build, ev
from course_build import protocol
from hypothesis import given, settings
from hypothesis import strategies as st

from ketamine_cds.domain.outcomes.response import assess_response

scores = st.integers(min_value=0, max_value=10)
opioid = st.one_of(st.none(), st.integers(min_value=0, max_value=2000))
doses = st.one_of(st.none(), st.integers(min_value=0, max_value=30))
function = st.one_of(st.none(), st.sampled_from(["better", "unchanged", "worse"]))


def _oracle(
    baseline: list[int],
    window: list[int],
    med: tuple[int | None, int | None],
    breakthrough: tuple[int | None, int | None],
    judged: str | None,
) -> str:
    """Seed 000: (VRS 0 or mean halved) and (opioid halved or breakthrough halved or function)."""
    base = fmean(baseline)
    pain: bool | None = None
    if window:
        pain = window[-1] == 0 or (base > 0 and fmean(window) <= base / 2)

    def halved(pair: tuple[int | None, int | None]) -> bool | None:
        before, after = pair
        if before is None or after is None:
            return None
        return before > 0 and after <= before / 2

    surrogates = [halved(med), halved(breakthrough), None if judged is None else judged == "better"]
    surrogate: bool | None = (
        True if True in surrogates else (False if all(s is False for s in surrogates) else None)
    )
    if pain is False or surrogate is False:
        return "non_responder"
    if pain is None or surrogate is None:
        return "undetermined"
    return "responder"


@settings(max_examples=60, deadline=None)
@given(
    baseline_pain=scores,
    before=st.lists(scores, max_size=3),
    old=st.lists(scores, max_size=3),
    window=st.lists(scores, max_size=4),
    med=st.tuples(opioid, opioid),
    breakthrough=st.tuples(doses, doses),
    judged=function,
)
def test_the_verdict_is_the_definitions(  # noqa: PLR0913, PLR0917 - each is one generated figure
    baseline_pain: int,
    before: list[int],
    old: list[int],
    window: list[int],
    med: tuple[int | None, int | None],
    breakthrough: tuple[int | None, int | None],
    judged: str | None,
) -> None:
    """Scores before the start, scores older than 24 h, scores in the last 24 h, opioid figures."""
    start = 10.0
    events = [ev("observation", 1 + i, pain=s) for i, s in enumerate(before)]
    first = {}
    if med[0] is not None:
        first["med_mg_per_24h"] = med[0]
    if breakthrough[0] is not None:
        first["breakthrough_doses_24h"] = breakthrough[0]
    if first:
        events.append(ev("opioid_use", 9, **first))
    events.append(ev("rate_change", start, rate="100 mg/24 h", by="RN"))
    events += [ev("observation", 20 + i, pain=s) for i, s in enumerate(old)]
    events += [ev("observation", 80 + i, pain=s) for i, s in enumerate(window)]
    last = {}
    if med[1] is not None:
        last["med_mg_per_24h"] = med[1]
    if breakthrough[1] is not None:
        last["breakthrough_doses_24h"] = breakthrough[1]
    if last:
        events.append(ev("opioid_use", 86, **last))
    if judged is not None:
        events.append(ev("assessment", 87, by="Dr", function=judged))
    # the moment assessed: the last measurement, and at least 50 h after the old scores
    events.append(ev("observation", 88, pain=window[-1] if window else 5))
    window = [*window, window[-1] if window else 5]
    episode = build(events, protocol="good-triple-agent", baseline={"pain": baseline_pain})
    result = assess_response(episode, protocol("good-triple-agent"))
    expected = _oracle(
        [baseline_pain, *before],
        window,
        med,
        breakthrough,
        judged,
    )
    assert result.verdict == expected
