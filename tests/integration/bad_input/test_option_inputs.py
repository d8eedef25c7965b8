"""Options of protocols, protocol show, plan, check and recommend: strict numbers, one range."""

from __future__ import annotations

from pathlib import Path

import pytest
from corpus import Case, ids, run_case
from valid_documents import EPISODE, NOTICE

P = ("--protocol", "cancer-continuous")
ADULT_RANGE = r"outside the adult range this product supports \(30 to 300 kg\)\.$"
NOT_PLAIN = r"is not a plain decimal number .*no underscores, no NaN or infinity\)\.$"
OUT_OF_READ = r"is outside the numbers the product reads \(1e-06 to 1e\+06\)\.$"
CONCENTRATION = r"is outside 0\.1-100 mg/mL"
PLAN_OK = r"cancer-continuous v1\.0\.0 \(institutional protocol\)"


def plan(case_id: str, *options: str, status: int = 2, stderr: str | None = None,
         stdout: str | None = None) -> Case:
    """A ``plan`` case for cancer-continuous."""
    return Case(f"plan-{case_id}", ("plan", *P, *options), status, stderr=stderr, stdout=stdout)


def check(case_id: str, *options: str, status: int = 2, stderr: str | None = None,
          stdout: str | None = None) -> Case:
    """A ``check`` case for cancer-continuous at 70 kg unless the options give a weight."""
    weight = () if any(o.startswith("--weight") for o in options) else ("--weight-kg", "70")
    return Case(
        f"check-{case_id}", ("check", *P, *weight, *options), status, stderr=stderr, stdout=stdout
    )


def recommend(case_id: str, at: str, *, status: int = 2, stderr: str | None = None,
              stdout: str | None = None) -> Case:
    """A ``recommend`` case at time ``at`` on the valid episode."""
    return Case(
        f"recommend-at-{case_id}",
        ("recommend", "{file}", "--at", at),
        status,
        stderr=stderr,
        stdout=stdout,
        content=EPISODE,
    )


WEIGHTS = [
    plan("weight-700-kg", "--weight-kg", "700", stderr=rf"a weight of 700 kg is {ADULT_RANGE}"),
    plan("weight-10-kg", "--weight-kg", "10", stderr=rf"a weight of 10 kg is {ADULT_RANGE}"),
    plan("weight-350-kg", "--weight-kg", "350", stderr=rf"a weight of 350 kg is {ADULT_RANGE}"),
    plan("weight-29.99-kg", "--weight-kg", "29.99", stderr=ADULT_RANGE),
    plan("weight-300.01-kg", "--weight-kg", "300.01", stderr=ADULT_RANGE),
    plan("weight-zero", "--weight-kg", "0", stderr=ADULT_RANGE),
    plan("weight-negative", "--weight-kg", "-70", stderr=ADULT_RANGE),
    plan("weight-30-kg", "--weight-kg", "30", status=0, stdout=r"Patient weight: 30 kg\n"),
    plan("weight-spaces", "--weight-kg", " 70 ", status=0, stdout=r"Patient weight: 70 kg\n"),
    plan("weight-exponent", "--weight-kg", "7e1", status=0, stdout=r"Patient weight: 70 kg\n"),
    plan("weight-lb-154", "--weight-lb", "154", status=0,
         stdout=r"Patient weight: 154 lb × 0\.45359237 kg/lb = 69\.85 kg"),
    plan("weight-lb-66", "--weight-lb", "66", stderr=rf"66 lb .* = 29\.94 kg is {ADULT_RANGE}"),
    plan("weight-lb-700", "--weight-lb", "700", stderr=rf"= 317\.51 kg is {ADULT_RANGE}"),
    plan("weight-lb-7_0", "--weight-lb", "7_0", stderr=rf"^error: --weight-lb: '7_0' {NOT_PLAIN}"),
    plan("weight-7_0", "--weight-kg", "7_0", stderr=rf"^error: --weight-kg: '7_0' {NOT_PLAIN}"),
    plan("weight-nan", "--weight-kg", "nan", stderr=rf"--weight-kg: 'nan' {NOT_PLAIN}"),
    plan("weight-NaN", "--weight-kg", "NaN", stderr=rf"--weight-kg: 'NaN' {NOT_PLAIN}"),
    plan("weight-inf", "--weight-kg", "inf", stderr=rf"--weight-kg: 'inf' {NOT_PLAIN}"),
    plan("weight-minus-inf", "--weight-kg", "-inf", stderr=rf"'-inf' {NOT_PLAIN}"),
    plan("weight-infinity", "--weight-kg", "Infinity", stderr=rf"'Infinity' {NOT_PLAIN}"),
    plan("weight-1e400", "--weight-kg", "1e400", stderr=rf"--weight-kg: 1e400 {OUT_OF_READ}"),
    plan("weight-1e-400", "--weight-kg", "1e-400", stderr=rf"1e-400 {OUT_OF_READ}"),
    plan("weight-hex", "--weight-kg", "0x46", stderr=rf"'0x46' {NOT_PLAIN}"),
    plan("weight-with-unit", "--weight-kg", "70kg", stderr=rf"'70kg' {NOT_PLAIN}"),
    plan("weight-decimal-comma", "--weight-kg", "70,5", stderr=rf"'70,5' {NOT_PLAIN}"),
    plan("weight-words", "--weight-kg", "seventy", stderr=rf"'seventy' {NOT_PLAIN}"),
    plan("weight-empty", "--weight-kg", "", stderr=rf"--weight-kg: '' {NOT_PLAIN}"),
    plan("weight-two-points", "--weight-kg", "7.0.0", stderr=rf"'7\.0\.0' {NOT_PLAIN}"),
    plan("weight-fullwidth-digits", "--weight-kg", "７０", stderr=NOT_PLAIN),
    plan("weight-kg-and-lb", "--weight-kg", "70", "--weight-lb", "154",
         stderr=r"give the patient's weight once, with --weight-kg or --weight-lb\.$"),
    plan("weight-missing", stderr=r"give the patient's weight once"),
    plan("weight-value-missing", "--weight-kg",
         stderr=r"^error: option '--weight-kg' requires an argument"),
    check("weight-300-kg", "--weight-kg", "300", "--rate-mg-per-h", "5", status=0,
          stdout=r"^WITHIN PROTOCOL\n"),
    check("weight-700-kg", "--weight-kg", "700", "--rate-mg-per-h", "5", stderr=ADULT_RANGE),
    check("weight-10-kg", "--weight-kg", "10", "--rate-mg-per-h", "5", stderr=ADULT_RANGE),
    check("weight-350-kg", "--weight-kg", "350", "--rate-mg-per-h", "5", stderr=ADULT_RANGE),
    check("weight-lb-nan", "--weight-lb", "nan", "--rate-mg-per-h", "5", stderr=NOT_PLAIN),
]

CONCENTRATIONS = [
    plan(f"concentration-{text}", "--weight-kg", "70", "--concentration-mg-per-ml", text,
         stderr=rf"--concentration-mg-per-ml: a concentration of {text} mg/mL {CONCENTRATION}")
    for text in ("0", "0.05", "0.099", "100.5", "101", "1000", "-1")
] + [
    plan("concentration-1e-308", "--weight-kg", "70", "--concentration-mg-per-ml", "1e-308",
         stderr=rf"--concentration-mg-per-ml: 1e-308 {OUT_OF_READ}"),
    plan("concentration-nan", "--weight-kg", "70", "--concentration-mg-per-ml", "nan",
         stderr=NOT_PLAIN),
    plan("concentration-underscore", "--weight-kg", "70", "--concentration-mg-per-ml", "1_0",
         stderr=NOT_PLAIN),
    plan("concentration-0.1", "--weight-kg", "70", "--concentration-mg-per-ml", "0.1",
         status=0, stdout=r"7 mg/h = 70 mL/h at 0\.1 mg/mL"),
    plan("concentration-100", "--weight-kg", "70", "--concentration-mg-per-ml", "100",
         status=0, stdout=r"7 mg/h = 0\.07 mL/h at 100 mg/mL"),
    plan("concentration-2", "--weight-kg", "70", "--concentration-mg-per-ml", "2",
         status=0, stdout=r"7 mg/h = 3\.5 mL/h at 2 mg/mL"),
]

CHECKS = [
    check("rate-within", "--rate-mg-per-h", "10", status=0, stdout=r"^WITHIN PROTOCOL\n"),
    check("rate-at-ceiling", "--rate-mg-per-h", "14", status=0, stdout=r"^WITHIN PROTOCOL\n"),
    check("rate-soft", "--rate-mg-per-h", "18", status=3, stdout=r"^SOFT LIMIT EXCEEDED"),
    check("rate-hard", "--rate-mg-per-h", "70", status=4, stdout=r"^HARD LIMIT EXCEEDED"),
    check("rate-hard-json", "--rate-mg-per-h", "70", "--json", status=4,
          stdout=r'"verdict": "hard_limit_exceeded"'),
    check("rate-micrograms-for-mg", "--rate-mg-per-h", "5000",
          stderr=r"5000 mg/h .*µg/h.* 5 mg/h\.$"),
    check("rate-micrograms-for-mg-7000", "--rate-mg-per-h", "7000",
          stderr=r"7000 mg/h .*µg/h.* 7 mg/h\.$"),
    check("dose-micrograms-for-mg", "--dose-mg", "5000", stderr=r"5000 mg .*µg.* 5 mg\.$"),
    check("rate-zero", "--rate-mg-per-h", "0", stderr=r"a rate of 0 mg/h is not a rate to check"),
    check("rate-negative", "--rate-mg-per-h", "-5", stderr=r"-5 mg/h is not a rate to check"),
    check("rate-7_0", "--rate-mg-per-h", "7_0", stderr=rf"--rate-mg-per-h: '7_0' {NOT_PLAIN}"),
    check("rate-nan", "--rate-mg-per-h", "nan", stderr=rf"--rate-mg-per-h: 'nan' {NOT_PLAIN}"),
    check("rate-inf", "--rate-mg-per-h", "inf", stderr=rf"--rate-mg-per-h: 'inf' {NOT_PLAIN}"),
    check("rate-1e-308", "--rate-mg-per-h", "1e-308", stderr=rf"1e-308 {OUT_OF_READ}"),
    check("rate-1e308", "--rate-mg-per-h", "1e308", stderr=rf"1e308 {OUT_OF_READ}"),
    check("dose-nan", "--dose-mg", "NaN", stderr=rf"--dose-mg: 'NaN' {NOT_PLAIN}"),
    check("dose-hard", "--dose-mg", "70", status=4, stdout=r"^HARD LIMIT EXCEEDED"),
    check("over-nan", "--dose-mg", "10", "--over-min", "nan",
          stderr=rf"--over-min: 'nan' {NOT_PLAIN}"),
    check("over-1e-308", "--dose-mg", "10", "--over-min", "1e-308",
          stderr=rf"--over-min: 1e-308 {OUT_OF_READ}"),
    check("over-zero", "--dose-mg", "10", "--over-min", "0", stderr=r"over 0 min is not a time"),
    check("over-without-dose", "--rate-mg-per-h", "5", "--over-min", "5",
          stderr=r"--over-min goes with --dose-mg\.$"),
    check("rate-and-dose", "--rate-mg-per-h", "5", "--dose-mg", "5",
          stderr=r"give either --rate-mg-per-h or --dose-mg, not both or neither\.$"),
    check("neither-rate-nor-dose", stderr=r"give either --rate-mg-per-h or --dose-mg"),
    check("unknown-phase", "--rate-mg-per-h", "5", "--phase", "nope",
          stderr=r"protocol 'cancer-continuous' has no phase 'nope'; its phases: infusion\.$"),
    check("phase-with-newline", "--rate-mg-per-h", "5", "--phase", "infusion\nSTOP",
          stderr=r"--phase: 'infusion\\(n|x0a)STOP' is not a name the product knows"),
    check("phase-too-long", "--rate-mg-per-h", "5", "--phase", "x" * 101,
          stderr=r"--phase: 'x{40}' is not a name the product knows \(at most 100 characters"),
    check("rate-value-missing", "--rate-mg-per-h",
          stderr=r"option '--rate-mg-per-h' requires an argument"),
]

PROTOCOL_IDS = [
    Case("plan-unknown-protocol", ("plan", "--protocol", "nope", "--weight-kg", "70"), 2,
         stderr=r"^error: there is no protocol 'nope'; known protocols: .*cancer-continuous"),
    Case("check-unknown-protocol",
         ("check", "--protocol", "Cancer-Continuous", "--weight-kg", "70", "--rate-mg-per-h", "5"),
         2, stderr=r"there is no protocol 'Cancer-Continuous'; known protocols"),
    Case("plan-protocol-with-newline", ("plan", "--protocol", "a\nb", "--weight-kg", "70"), 2,
         stderr=r"--protocol: 'a\\(n|x0a)b' is not a name the product knows"),
    Case("plan-protocol-empty", ("plan", "--protocol", "", "--weight-kg", "70"), 2,
         stderr=r"--protocol: '' is not a name the product knows"),
    Case("plan-protocol-missing", ("plan", "--weight-kg", "70"), 2,
         stderr=r"^error: missing option '--protocol' \(see 'ketamine-cds plan --help'\)\.$"),
    Case("show-unknown-protocol", ("protocol", "show", "nope"), 2,
         stderr=r"there is no protocol 'nope'; known protocols"),
    Case("show-protocol-missing", ("protocol", "show"), 2,
         stderr=r"missing argument 'protocol_id' \(see 'ketamine-cds protocol show --help'\)"),
    Case("show-known-protocol", ("protocol", "show", "cancer-continuous"), 0,
         stdout=rf"cancer-continuous v1\.0\.0(.|\n)*{NOTICE}"),
    Case("show-known-protocol-json", ("protocol", "show", "cancer-continuous", "--json"), 0,
         stdout=r'"id": "cancer-continuous"'),
    Case("protocols-listed", ("protocols",), 0, stdout=r"cancer-continuous\s+v1\.0\.0"),
    Case("protocols-extra-argument", ("protocols", "extra"), 2,
         stderr=r"got unexpected extra argument\(s\) \(extra\)"),
    Case("schema-printed", ("protocol", "schema"), 0, stdout=r'"\$defs"'),
    Case("assess-unknown-protocol", ("assess", "{file}", "--protocol", "nope"), 2,
         stderr=r"there is no protocol 'nope'", content=b"age_years: 40\n"),
]

TIMES = [
    recommend("year-9999", "9999-12-31T23:00Z",
              stderr=r"--at: 9999-12-31T23:00:00\+00:00 is outside the times the product reads "
                     r"\(1990-01-01 to 2099-12-31\)\.$"),
    recommend("year-2100", "2100-01-01T00:00Z", stderr=r"is outside the times the product reads"),
    recommend("year-1989", "1989-12-31T23:59Z", stderr=r"is outside the times the product reads"),
    recommend("year-0001", "0001-01-01T00:00Z", stderr=r"is outside the times the product reads"),
    recommend("no-zone", "2024-05-02T12:00", stderr=r"--at: the time '2024-05-02T12:00' has no "
                                                     r"time zone; add one"),
    recommend("words", "yesterday", stderr=r"--at: 'yesterday' is not a time"),
    recommend("month-13", "2024-13-01T00:00Z", stderr=r"is not a time"),
    recommend("february-30", "2024-02-30T10:00Z", stderr=r"is not a time"),
    recommend("hour-25", "2024-05-02T25:00Z", stderr=r"is not a time"),
    recommend("epoch-seconds", "1714644000", stderr=r"is not a time"),
    recommend("empty", "", stderr=r"is not a time"),
    recommend("too-long", "2024-05-02T12:00Z" + " " * 40, stderr=r"is not a time"),
    recommend("before-start", "2024-05-01T00:00Z", stderr=r"is before the episode started"),
    recommend("within-a-year-of-the-start", "2025-05-01T10:00Z", status=0,
              stdout=r"2025-05-01T10:00:00Z  .*\[cancer-continuous 1\.0\.0"),
    recommend("in-the-window-but-years-after-the-start", "2099-12-31T23:59Z",
              stderr=r"is more than a year after the episode started"),
    recommend("utc-offset", "2024-05-02T17:00+02:00", status=0,
              stdout=r"2024-05-02T17:00:00\+02:00  INCREASE  9 mg/h"),
    Case("recommend-at-missing", ("recommend", "{file}"), 2,
         stderr=r"missing option '--at' \(see 'ketamine-cds recommend --help'\)", content=EPISODE),
]

CASES = WEIGHTS + CONCENTRATIONS + CHECKS + PROTOCOL_IDS + TIMES


@pytest.mark.parametrize("case", CASES, ids=ids(CASES))
def test_option_case(case: Case, tmp_path: Path) -> None:
    """Each option is refused in one sentence with status 2, or accepted with its outcome."""
    run_case(case, tmp_path)
