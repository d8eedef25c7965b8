"""A dose command run as a user runs it looks for no pydantic plugins; other commands do.

Each run is the console-script entry point (``main``) in a fresh interpreter; what it imported
is read from ``sys.modules`` after it answered (docs/adr/0141).
"""

from __future__ import annotations

import ast
import json
from pathlib import Path

import pydantic
import pytest
from fresh_python import run_fresh

PATIENT = ("--protocol", "cancer-continuous", "--weight-kg", "70")
RUN = (
    "import json, os, sys\n"
    "os.environ.update(json.loads(sys.argv.pop(1)))\n"
    "from ketamine_cds.entrypoints.cli.app import main\n"
    "try:\n"
    "    main()\n"
    "except SystemExit:\n"
    "    pass\n"
    "loader = sys.modules.get('pydantic.plugin._loader')\n"
    "print(json.dumps(['importlib.metadata' in sys.modules,"
    " getattr(loader, '__file__', None) is not None]), file=sys.stderr)\n"
)


def _run(*args: str, env: dict[str, str] | None = None) -> tuple[str, list[bool]]:
    result = run_fresh(RUN, json.dumps(env or {}), *args)
    return result.stdout, json.loads(result.stderr.strip().splitlines()[-1])


@pytest.mark.parametrize(
    ("args", "answer"),
    [
        (("plan", *PATIENT), "pump 7.0 mL/h"),
        (("check", *PATIENT, "--rate-mg-per-h", "7"), "WITHIN PROTOCOL"),
    ],
    ids=["plan", "check"],
)
def test_a_dose_command_answers_without_looking_for_plugins(
    args: tuple[str, ...], answer: str
) -> None:
    """The same answer; neither importlib.metadata nor pydantic's own plugin loader was loaded."""
    out, (metadata, own_loader) = _run(*args)
    assert answer in out
    assert metadata is False
    assert own_loader is False


def test_a_longer_command_keeps_pydantics_plugins() -> None:
    """A command not marked quick in the table builds its validators with pydantic's loader."""
    out, (_, own_loader) = _run("pk", "models")
    assert "domino-1984" in out
    assert own_loader is True


def test_an_environment_that_names_pydantics_setting_keeps_its_loader() -> None:
    """PYDANTIC_DISABLE_PLUGINS set by the user (empty: every plugin on) is pydantic's to read."""
    out, (_, own_loader) = _run("plan", *PATIENT, env={"PYDANTIC_DISABLE_PLUGINS": ""})
    assert "pump 7.0 mL/h" in out
    assert own_loader is True


def test_pydantic_imports_nothing_from_its_loader_but_get_plugins() -> None:
    """The stand-in offers only get_plugins; pydantic's own code asks it for nothing else."""
    names: set[str] = set()
    for path in Path(pydantic.__file__).parent.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and (node.module or "").endswith("_loader"):
                names.update(alias.name for alias in node.names)
            if isinstance(node, ast.Import):
                names.update("<module>" for a in node.names if a.name.endswith("._loader"))
    assert names == {"get_plugins"}
