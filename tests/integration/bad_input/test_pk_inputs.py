"""Bad input for ``pk simulate`` and ``pk models``, run through the real command line.

Each case is the command's options (with files made for it where it needs them) and the outcome
it must have: the exact sentence on stderr and exit 2, including the errors the command-line
library finds before the command runs (an unknown option, an extra argument). No case may end
in a traceback or write anything.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest
from typer.testing import CliRunner

from ketamine_cds.entrypoints.cli.app import app
from ketamine_cds.entrypoints.cli.common import EXIT_USER_ERROR

runner = CliRunner()
EXAMPLES = Path(__file__).resolve().parents[3] / "examples" / "episodes"
EPISODE = str(EXAMPLES / "seed-001-case-2.yaml")
RATE = ("--rate-mg-per-h", "5", "--hours", "4", "--weight-kg", "70")
MAX_SEED = "9223372036854775807"
MODELS = "clements-1981, domino-1984, hijazi-2003, perez-ruixo-2021"
ROUTES = "iv, sc, oral, sublingual, intranasal, im"


@dataclass(frozen=True)
class Case:
    """One command line and the sentence it must be refused with."""

    id: str
    args: tuple[str, ...]
    sentence: str


def simulate(*args: str) -> tuple[str, ...]:
    return ("pk", "simulate", *args)


CASES = [
    # which regimen
    Case(
        "no source",
        simulate("--weight-kg", "70"),
        "give exactly one of --protocol, --episode or --rate-mg-per-h",
    ),
    Case(
        "two sources",
        simulate("--rate-mg-per-h", "5", "--protocol", "cancer-continuous"),
        "give exactly one of --protocol, --episode or --rate-mg-per-h",
    ),
    Case(
        "three sources",
        simulate("--rate-mg-per-h", "5", "--protocol", "x", "--episode", "y"),
        "give exactly one of --protocol, --episode or --rate-mg-per-h",
    ),
    Case(
        "rate without hours",
        simulate("--rate-mg-per-h", "5", "--weight-kg", "70"),
        "--rate-mg-per-h needs --hours",
    ),
    # the rate
    Case(
        "rate zero",
        simulate("--rate-mg-per-h", "0", "--hours", "4", "--weight-kg", "70"),
        "--rate-mg-per-h must be a finite number above 0",
    ),
    Case(
        "rate negative",
        simulate("--rate-mg-per-h", "-3", "--hours", "4", "--weight-kg", "70"),
        "--rate-mg-per-h must be a finite number above 0",
    ),
    Case(
        "rate nan",
        simulate("--rate-mg-per-h", "nan", "--hours", "4", "--weight-kg", "70"),
        "--rate-mg-per-h must be a finite number above 0",
    ),
    Case(
        "rate infinite",
        simulate("--rate-mg-per-h", "inf", "--hours", "4", "--weight-kg", "70"),
        "--rate-mg-per-h must be a finite number above 0",
    ),
    Case(
        "rate overflows",
        simulate("--rate-mg-per-h", "1e400", "--hours", "4", "--weight-kg", "70"),
        "--rate-mg-per-h must be a finite number above 0",
    ),
    Case(
        "rate in words",
        simulate("--rate-mg-per-h", "five", "--hours", "4", "--weight-kg", "70"),
        "--rate-mg-per-h must be a number, not 'five'",
    ),
    Case(
        "rate with unit",
        simulate("--rate-mg-per-h", "5mg/h", "--hours", "4", "--weight-kg", "70"),
        "--rate-mg-per-h must be a number, not '5mg/h'",
    ),
    # the hours
    Case(
        "hours zero",
        simulate("--rate-mg-per-h", "5", "--hours", "0", "--weight-kg", "70"),
        "--hours must be a finite number above 0",
    ),
    Case(
        "hours negative",
        simulate("--rate-mg-per-h", "5", "--hours", "-2", "--weight-kg", "70"),
        "--hours must be a finite number above 0",
    ),
    Case(
        "hours too many",
        simulate("--rate-mg-per-h", "5", "--hours", "5000", "--weight-kg", "70"),
        "--hours must be at most 2160 h",
    ),
    Case(
        "hours with unit",
        simulate("--rate-mg-per-h", "5", "--hours", "4h", "--weight-kg", "70"),
        "--hours must be a number, not '4h'",
    ),
    Case(
        "episode hours negative",
        simulate("--episode", EPISODE, "--hours", "-1"),
        "--hours must be a finite number of 0 or more",
    ),
    # the weight
    Case(
        "weight missing", simulate("--rate-mg-per-h", "5", "--hours", "4"), "--weight-kg is needed"
    ),
    Case(
        "weight missing for a protocol",
        simulate("--protocol", "cancer-continuous"),
        "--weight-kg is needed",
    ),
    Case(
        "weight zero",
        simulate("--rate-mg-per-h", "5", "--hours", "4", "--weight-kg", "0"),
        "--weight-kg must be a finite number above 0",
    ),
    Case(
        "weight negative",
        simulate("--rate-mg-per-h", "5", "--hours", "4", "--weight-kg", "-70"),
        "--weight-kg must be a finite number above 0",
    ),
    Case(
        "weight of a child",
        simulate("--rate-mg-per-h", "5", "--hours", "4", "--weight-kg", "10"),
        "a weight of 10 kg is outside the adult range this product supports (30 to 300 kg)",
    ),
    Case(
        "weight impossible",
        simulate("--rate-mg-per-h", "5", "--hours", "4", "--weight-kg", "400"),
        "a weight of 400 kg is outside the adult range this product supports (30 to 300 kg)",
    ),
    Case(
        "weight with unit",
        simulate("--rate-mg-per-h", "5", "--hours", "4", "--weight-kg", "70kg"),
        "--weight-kg must be a number, not '70kg'",
    ),
    Case(
        "weight beside an episode",
        simulate("--episode", EPISODE, "--weight-kg", "70"),
        "an episode file gives its own weight; leave out --weight-kg",
    ),
    # route, model, dose form
    Case(
        "route unknown",
        simulate(*RATE, "--route", "rectal"),
        f"route 'rectal' is not one of {ROUTES}",
    ),
    Case(
        "route in capitals", simulate(*RATE, "--route", "IV"), f"route 'IV' is not one of {ROUTES}"
    ),
    Case(
        "route without a rate",
        simulate("--protocol", "cancer-continuous", "--weight-kg", "70", "--route", "sc"),
        "--route is the route of --rate-mg-per-h; it cannot be used here",
    ),
    Case(
        "model unknown",
        simulate(*RATE, "--model", "marsh"),
        f"there is no pharmacokinetic model 'marsh'; the product has {MODELS}",
    ),
    Case(
        "route the model lacks",
        simulate(*RATE, "--model", "perez-ruixo-2021", "--route", "sc"),
        "model perez-ruixo-2021 has no cited data for the sc route; it covers intranasal, iv, oral",
    ),
    Case(
        "oral infusion in a dose model",
        simulate(*RATE, "--model", "perez-ruixo-2021", "--route", "oral"),
        "model perez-ruixo-2021 describes oral doses as discrete doses; a continuous rate by "
        "that route is not modelled",
    ),
    Case(
        "dose form unknown",
        simulate(*RATE, "--dose-form", "s"),
        "the dose form must be one of racemic, s-ketamine",
    ),
    Case(
        "esketamine in a racemic model",
        simulate(*RATE, "--dose-form", "s-ketamine"),
        "model domino-1984 describes racemic ketamine; a dose of S-ketamine (esketamine) needs "
        "an S-ketamine model such as perez-ruixo-2021",
    ),
    # population and seed
    Case(
        "population zero",
        simulate(*RATE, "--population", "0"),
        "the population must be between 1 and 1,000,000 patients",
    ),
    Case(
        "population negative",
        simulate(*RATE, "--population", "-5"),
        "the population must be between 1 and 1,000,000 patients",
    ),
    Case(
        "population too large",
        simulate(*RATE, "--population", "2000000"),
        "the population must be between 1 and 1,000,000 patients",
    ),
    Case(
        "population not whole",
        simulate(*RATE, "--population", "1.5"),
        "--population must be a whole number, not '1.5'",
    ),
    Case(
        "population in words",
        simulate(*RATE, "--population", "many"),
        "--population must be a whole number, not 'many'",
    ),
    Case(
        "seed negative",
        simulate(*RATE, "--population", "100", "--seed", "-1"),
        f"the seed must be a whole number from 0 to {MAX_SEED}",
    ),
    Case(
        "seed too large",
        simulate(*RATE, "--population", "100", "--seed", "1" + "0" * 30),
        f"the seed must be a whole number from 0 to {MAX_SEED}",
    ),
    Case(
        "seed not whole",
        simulate(*RATE, "--population", "100", "--seed", "1.5"),
        "--seed must be a whole number, not '1.5'",
    ),
    Case(
        "seed without a population",
        simulate(*RATE, "--seed", "3"),
        "--seed chooses the patients of --population; it cannot be used here",
    ),
    # threshold
    Case(
        "threshold zero",
        simulate(*RATE, "--threshold-ng-per-ml", "0"),
        "the threshold must be above 0 ng/mL",
    ),
    Case(
        "threshold negative",
        simulate(*RATE, "--threshold-ng-per-ml", "-10"),
        "the threshold must be above 0 ng/mL",
    ),
    Case(
        "threshold nan",
        simulate(*RATE, "--threshold-ng-per-ml", "nan"),
        "the threshold must be above 0 ng/mL",
    ),
    Case(
        "threshold in words",
        simulate(*RATE, "--threshold-ng-per-ml", "high"),
        "--threshold-ng-per-ml must be a number, not 'high'",
    ),
    # the plot file
    Case(
        "plot not png",
        simulate(*RATE, "--plot", "{tmp}/curve.jpg"),
        "the plot file must end in .png",
    ),
    Case(
        "plot into a missing folder",
        simulate(*RATE, "--plot", "{tmp}/missing/curve.png"),
        "the folder of the plot file, {tmp}/missing, does not exist",
    ),
    Case(
        "plot onto a folder",
        simulate(*RATE, "--plot", "{tmp}/folder.png"),
        "the plot file {tmp}/folder.png is a folder",
    ),
    Case(
        "plot under a file",
        simulate(*RATE, "--plot", "{tmp}/bad.yaml/curve.png"),
        "the folder of the plot file, {tmp}/bad.yaml, does not exist",
    ),
    Case(
        "plot where nothing may be written",
        simulate(*RATE, "--plot", "/sys/curve.png"),
        "the plot file /sys/curve.png cannot be written (permission denied)",
    ),
    # protocol options
    Case(
        "protocol unknown",
        simulate("--protocol", "nope", "--weight-kg", "70"),
        "there is no protocol 'nope'; known protocols: ",
    ),
    Case(
        "phase unknown",
        simulate("--protocol", "cancer-continuous", "--weight-kg", "70", "--phases", "nope"),
        "the plan has no phase 'nope'; its phases are infusion",
    ),
    Case(
        "phases without a protocol",
        simulate(*RATE, "--phases", "infusion"),
        "--phases chooses phases of a --protocol; it cannot be used here",
    ),
    Case(
        "hold without a protocol",
        simulate(*RATE, "--hold-at-step", "1"),
        "--hold-at-step holds a --protocol's titration; it cannot be used here",
    ),
    Case(
        "hold negative",
        simulate("--protocol", "cancer-continuous", "--weight-kg", "70", "--hold-at-step", "-1"),
        "the step to hold at must be 0 or above",
    ),
    Case(
        "hold in words",
        simulate("--protocol", "cancer-continuous", "--weight-kg", "70", "--hold-at-step", "two"),
        "--hold-at-step must be a whole number, not 'two'",
    ),
    Case(
        "protocol with nothing to simulate",
        simulate("--protocol", "sigtermans-crps", "--weight-kg", "70"),
        "no phase of this plan has a rate or dose the simulator can use",
    ),
    # episode files
    Case(
        "episode missing",
        simulate("--episode", "{tmp}/none.yaml"),
        "cannot read episode file {tmp}/none.yaml: there is no such file",
    ),
    Case(
        "episode is a folder",
        simulate("--episode", "{tmp}"),
        "cannot read episode file {tmp}: it is a folder, not a file",
    ),
    Case(
        "episode not yaml",
        simulate("--episode", "{tmp}/bad.yaml"),
        "bad.yaml is not valid YAML at line 2 (while parsing a flow sequence; did not find "
        "expected ',' or ']')",
    ),
    Case(
        "episode incomplete",
        simulate("--episode", "{tmp}/incomplete.yaml"),
        "incomplete.yaml: 'protocol' is required",
    ),
    # errors of the command-line library itself, before the command runs
    Case(
        "unknown option",
        simulate("--bogus"),
        "no such option: --bogus (Possible options: --hours) "
        "(see 'ketamine-cds pk simulate --help')",
    ),
    Case(
        "models takes no argument",
        ("pk", "models", "extra"),
        "got unexpected extra argument(s) (extra) (see 'ketamine-cds pk models --help')",
    ),
    Case(
        "models takes no option",
        ("pk", "models", "--population", "3"),
        "no such option: --population (see 'ketamine-cds pk models --help')",
    ),
]


@pytest.fixture
def files(tmp_path: Path) -> Path:
    (tmp_path / "bad.yaml").write_text("not: [valid", encoding="utf-8")
    (tmp_path / "incomplete.yaml").write_text("patient: {weight: 70 kg}\n", encoding="utf-8")
    (tmp_path / "folder.png").mkdir()
    return tmp_path


def test_the_table_is_long_enough():
    """At least forty distinct refusals are pinned."""
    assert len({c.id for c in CASES}) == len(CASES) >= 40


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_bad_input_is_one_sentence_and_exit_2(case: Case, files: Path):
    """Each bad input exits 2 with its sentence on stderr and nothing on stdout."""
    args = [a.replace("{tmp}", str(files)) for a in case.args]
    before = sorted(p.name for p in files.iterdir())
    result = runner.invoke(app, args)
    sentence = case.sentence.replace("{tmp}", str(files))
    assert result.exit_code == EXIT_USER_ERROR, result.output
    assert result.stdout == ""
    assert "Traceback" not in result.stderr
    if sentence.endswith(": "):  # a list follows (the known protocols)
        assert result.stderr.startswith(f"error: {sentence}")
        assert result.stderr.count("\n") == 1
    else:
        assert result.stderr == f"error: {sentence}.\n"
    assert sorted(p.name for p in files.iterdir()) == before
