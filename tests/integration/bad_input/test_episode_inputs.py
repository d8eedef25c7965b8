"""Episode files as recommend and replay read them: one weight range, plausible times, bounds."""

from __future__ import annotations

from pathlib import Path

import pytest
from corpus import Case, ids, run_case
from valid_documents import EPISODE, EPISODE_JSON, NOTICE, episode_with

ADULT_RANGE = r"outside the adult range this product supports \(30 to 300 kg\)"
WINDOW = r"is outside the times the product reads \(1990-01-01 to 2099-12-31\)"
NOT_A_WEIGHT = r"is not a plain number followed by kg or lb \(e\.g\. 70 kg\) \(at patient\.weight\)"
HEAD = r"^error: input\.yaml: "


def replay(case_id: str, content: bytes, *, status: int = 2, stderr: str | None = None,
           stdout: str | None = None) -> Case:
    """A ``replay`` case of an episode file."""
    args = ("replay", "{file}")
    return Case(f"replay-{case_id}", args, status, stderr=stderr, stdout=stdout, content=content)


def replay_json(case_id: str, content: bytes, status: int, stdout: str) -> Case:
    """A ``replay --json`` case of an episode file that is accepted."""
    return Case(f"replay-{case_id}", ("replay", "{file}", "--json"), status, stdout=stdout,
                content=content)


def rate(text: str) -> bytes:
    """The valid episode with the rate set written as ``text``."""
    return episode_with(b"rate: 7 mg/h", b"rate: " + text.encode())


def at(text: str) -> bytes:
    """The valid episode with its observation's time written as ``text``."""
    return episode_with(b"at: 2024-05-02T14:00:00Z", b"at: " + text.encode())


def weight(text: str) -> bytes:
    """The valid episode with the patient's weight written as ``text``."""
    return episode_with(b"weight: 70 kg", b"weight: " + text.encode())


def observation(extra: str) -> bytes:
    """The valid episode with more fields on its observation (``pain: 6, <extra>``)."""
    return episode_with(b"pain: 6}", f"pain: 6, {extra}}}".encode())


def _many_events(count: int) -> bytes:
    lines = [
        f"  - {{type: observation, at: '2024-05-{2 + i // 1440:02d}T{i // 60 % 24:02d}:"
        f"{i % 60:02d}:30Z', pain: 5}}\n"
        for i in range(count)
    ]
    head = EPISODE.split(b"events:\n")[0]
    return head + b"events:\n" + "".join(lines).encode()


WEIGHTS = [
    replay("weight-700-kg", weight("700 kg"), stderr=rf"{HEAD}a weight of 700 kg is {ADULT_RANGE}"),
    replay("weight-10-kg", weight("10 kg"), stderr=rf"{HEAD}a weight of 10 kg is {ADULT_RANGE}"),
    replay("weight-350-kg", weight("350 kg"), stderr=rf"{HEAD}a weight of 350 kg is {ADULT_RANGE}"),
    replay("weight-29.9-kg", weight("29.9 kg"), stderr=ADULT_RANGE),
    replay("weight-300.5-kg", weight("300.5 kg"), stderr=ADULT_RANGE),
    replay("weight-66-lb", weight("66 lb"), stderr=rf"66 lb × .* = 29\.94 kg is {ADULT_RANGE}"),
    replay("weight-700-lb", weight("700 lb"), stderr=rf"= 317\.51 kg is {ADULT_RANGE}"),
    replay("weight-7_0-kg", weight("7_0 kg"), stderr=rf"{HEAD}weight '7_0 kg' {NOT_A_WEIGHT}"),
    replay("weight-no-unit-text", weight("'70'"), stderr=rf"weight '70' {NOT_A_WEIGHT}"),
    replay("weight-a-number", weight("70"), stderr=r"Input should be a valid string"),
    replay("weight-stone", weight("70 stone"), stderr=rf"weight '70 stone' {NOT_A_WEIGHT}"),
    replay("weight-exponent", weight("1e2 kg"), stderr=rf"weight '1e2 kg' {NOT_A_WEIGHT}"),
    replay("weight-negative", weight("'-70 kg'"), stderr=NOT_A_WEIGHT),
    replay("weight-nan", weight("nan kg"), stderr=NOT_A_WEIGHT),
    replay("weight-zero", weight("0 kg"), stderr=r"weight '0 kg' is zero \(at patient\.weight\)"),
    replay("weight-duplicate-flow", weight("70 kg, weight: 170 kg"),
           stderr=rf"{HEAD}the key 'weight' is given twice in one mapping \(line 2\); give it"),
    replay("weight-duplicate-block",
           episode_with(b"patient: {id: p1, weight: 70 kg}",
                        b"patient:\n  id: p1\n  weight: 70 kg\n  weight: 170 kg"),
           stderr=r"the key 'weight' is given twice in one mapping \(lines 4 and 5\)"),
    Case("replay-weight-duplicate-json", ("replay", "{file}"), 2,
         stderr=r"input\.json: the key 'weight' is given twice in one object \(line 3\)",
         content=EPISODE_JSON.replace(b'"70 kg"', b'"70 kg", "weight": "170 kg"'),
         file_name="input.json"),
    replay("weight-30-kg", weight("30 kg"), status=3,
           stdout=r"! soft_limit: 7 mg/h is above the infusion rate ceiling of 6 mg/h"),
    replay("weight-300-kg", weight("300 kg"), status=0, stdout=r"\[cancer-continuous 1\.0\.0"),
    replay("weight-154-lb", weight("154 lb"), status=0, stdout=r"\[cancer-continuous 1\.0\.0"),
    replay("weight-upper-case-unit", weight("70 KG"), status=0, stdout=NOTICE),
]

TIMES = [
    replay("event-year-9999", at("9999-05-02T14:00:00Z"),
           stderr=rf"{HEAD}event 2 \(observation\), at: 9999-05-02T14:00:00\+00:00 {WINDOW}\.$"),
    replay("event-year-2100", at("2100-01-01T00:00:00Z"),
           stderr=rf"event 2 \(observation\), at: 2100-01-01T00:00:00\+00:00 {WINDOW}"),
    replay("start-year-1989",
           episode_with(b"started_at: 2024-05-02T10:00:00Z", b"started_at: 1989-05-02T10:00:00Z"),
           stderr=rf"{HEAD}1989-05-02T10:00:00\+00:00 {WINDOW} \(at started_at\)\.$"),
    replay("start-after-events",
           episode_with(b"started_at: 2024-05-02T10:00:00Z", b"started_at: 9999-05-02T10:00:00Z"),
           stderr=r"is earlier than the episode start"),
    replay("time-without-zone", at("2024-05-02T14:00"),
           stderr=r"event 2 \(observation\), at: the time has no time zone"),
    replay("time-as-base-60", at("14:00"),
           stderr=rf"{HEAD}line 9: '14:00' is read by some YAML readers as a number in base 60"),
    replay("time-in-words", at("yesterday"),
           stderr=r"event 2 \(observation\), at: Input should be a valid datetime"),
    replay("time-month-13", at("2024-13-02T14:00:00Z"),
           stderr=r"month value is outside expected range of 1-12"),
    replay("time-february-30",
           at("2024-02-30T14:00:00Z"),
           stderr=r"event 2 \(observation\), at: Input should be a valid datetime"),
    replay("time-hour-25", at("2024-05-02T25:00:00Z"),
           stderr=r"event 2 \(observation\), at: Input should be a valid datetime"),
    replay("events-out-of-order",
           at("2024-05-02T09:00:00Z"),
           stderr=r"is earlier than event 1 .*events must be in time order"),
    replay("offset-time-accepted",
           at("2024-05-02T16:00:00+02:00"),
           status=0, stdout=r"INCREASE  9 mg/h"),
]

FIELDS = [
    replay("pain-11", observation("note: x").replace(b"pain: 6,", b"pain: 11,"),
           stderr=rf"{HEAD}event 2 \(observation\), pain: 11 is out of range \(input should be "
                  r"less than or equal to 10\)\.$"),
    replay("pain-minus-1", episode_with(b"pain: 6}", b"pain: -1}"),
           stderr=r"event 2 \(observation\), pain: -1 is out of range"),
    replay("pain-fraction", episode_with(b"pain: 6}", b"pain: 6.5}"),
           stderr=r"event 2 \(observation\), pain: Input should be a valid integer"),
    replay("baseline-pain-11", episode_with(b"baseline: {pain: 8}", b"baseline: {pain: 11}"),
           stderr=r"11 is out of range .* \(at baseline\.pain\)\.$"),
    replay("heart-rate-yes", observation("heart_rate: yes"),
           stderr=rf"{HEAD}line 9: 'yes' is read by some YAML readers as a boolean"),
    replay("heart-rate-hex", observation("heart_rate: 0x50"),
           stderr=r"line 9: '0x50' is read by some YAML readers as a number in hexadecimal"),
    replay("heart-rate-underscores", observation("heart_rate: 8_0"),
           stderr=r"line 9: '8_0' is read by some YAML readers as a number with underscores"),
    replay("heart-rate-nan", observation("heart_rate: .nan"), stderr=r"not finite"),
    replay("heart-rate-too-large", observation("heart_rate: 1.0e+999"), stderr=r"too large"),
    replay("unknown-symptom", observation("symptoms: [hiccups]"),
           stderr=r"'hiccups' is not a symptom on the closed list"),
    replay("unknown-key", episode_with(b"pain_goal: 4", b"pain_goal: 4\ncolour: blue"),
           stderr=rf"{HEAD}unknown key 'colour'\.$"),
    replay("unknown-event-type", episode_with(b"type: observation", b"type: vitals"),
           stderr=r"event 2: the event type is not one the episode format knows\.$"),
    replay("schema-version-2", episode_with(b"schema_version: 1", b"schema_version: 2"),
           stderr=r"\(at schema_version\)\.$"),
    replay("missing-patient", episode_with(b"patient: {id: p1, weight: 70 kg}\n", b""),
           stderr=rf"{HEAD}'patient' is required\.$"),
    replay("events-not-a-list", EPISODE.split(b"events:")[0] + b"events: 5\n",
           stderr=r"\(at events\)\.$"),
    replay("rate-infinite", episode_with(b"rate: 7 mg/h", b"rate: 1e400 mg/h"),
           stderr=r"event 1 \(rate_change\), rate: inf mg/h is outside the numbers the product "
                  r"reads \(1e-06 to 1e\+06\)\.$"),
    replay("rate-vanishing", episode_with(b"rate: 7 mg/h", b"rate: 1e-308 mg/h"),
           stderr=r"event 1 \(rate_change\), rate: 1e-308 mg/h is outside the numbers"),
    replay("rate-underscores", episode_with(b"rate: 7 mg/h", b"rate: 7_0 mg/h"),
           stderr=r"'_0' in '_0 mg/h' is not a unit the product reads"),
    replay("rate-without-unit", episode_with(b"rate: 7 mg/h", b"rate: 7"), stderr=r"event 1"),
    replay("unknown-protocol", episode_with(b"id: cancer-continuous", b"id: nope"),
           stderr=r"^error: there is no protocol 'nope'; known protocols: "),
    replay("too-many-events", _many_events(1001),
           stderr=r"^error: input\.yaml holds 1,001 events, more than the 1,000 an episode file"),
    replay("as-many-events-as-allowed-but-a-bad-one",
           _many_events(1000).replace(b"pain: 5}", b"pain: 12}", 1),
           stderr=r"event 1 \(observation\), pain: 12 is out of range"),
]

OUTCOMES = [
    replay("within-protocol", EPISODE, status=0,
           stdout=r"CONTINUE  7 mg/h  \[cancer-continuous 1\.0\.0, phase infusion\]"),
    replay_json("within-protocol-json", EPISODE, 0, r'"action": "increase"'),
    Case("replay-json-file", ("replay", "{file}"), 0, stdout=r"INCREASE  9 mg/h",
         content=EPISODE_JSON, file_name="input.json"),
    replay("soft-limit", rate("18 mg/h"), status=3,
           stdout=r"! soft_limit: "),
    replay_json("soft-limit-json", rate("18 mg/h"), 3, r'"kind": "soft_limit"'),
    replay("hard-limit", rate("80 mg/h"), status=4,
           stdout=r"! hard_limit: .*80 mg/h is at or above the hard limit .*70 mg/h"),
    replay_json("hard-limit-json", rate("80 mg/h"), 4, r'"kind": "hard_limit"'),
    replay("hard-limit-in-pounds", weight("154 lb").replace(b"rate: 7 mg/h", b"rate: 70 mg/h"),
           status=4, stdout=r"! hard_limit: "),
    replay_json("other-protocol-version", episode_with(b"version: 1.0.0", b"version: 9.9.9"), 0,
                r'"kind": "protocol_version"'),
    Case("recommend-soft-limit", ("recommend", "{file}", "--at", "2024-05-02T15:00Z"), 3,
         stdout=r"! soft_limit: ", content=rate("18 mg/h")),
    Case("recommend-hard-limit", ("recommend", "{file}", "--at", "2024-05-02T15:00Z", "--json"), 4,
         stdout=r'"kind": "hard_limit"', content=rate("80 mg/h")),
    Case("recommend-within", ("recommend", "{file}", "--at", "2024-05-02T15:00Z"), 0,
         stdout=rf"INCREASE  9 mg/h(.|\n)*{NOTICE}", content=EPISODE),
]

CASES = WEIGHTS + TIMES + FIELDS + OUTCOMES


@pytest.mark.parametrize("case", CASES, ids=ids(CASES))
def test_episode_case(case: Case, tmp_path: Path) -> None:
    """An episode file is refused in one sentence with status 2, or replayed with its status."""
    run_case(case, tmp_path)
