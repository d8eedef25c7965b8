"""The bad-input corpus: a case is a command line, a file's bytes and the exact outcome.

Every case runs the real command line (the application object, in process) and asserts:

* the exit status, exactly;
* refused (status 2, or 70 for a bug): stderr is exactly one line, matching the case's pattern,
  and nothing is written on stdout unless the case says what;
* accepted (0, 3 or 4): stderr is empty and stdout shows the named outcome.

Placeholders in arguments and environment values: ``{file}`` is the case's file (written from
``content`` under ``file_name``), ``{dir}`` the case's own folder, ``{missing}`` a file that does
not exist. :func:`document_faults` lists faults any file reader must refuse, so a test of a new
file format can reuse them with its own command line.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from typer.testing import CliRunner

from ketamine_cds.entrypoints.cli.app import app

REFUSED = 2
INTERNAL_ERROR = 70
ACCEPTED = (0, 3, 4)
MAX_BYTES = 1024 * 1024  # the reader's documented limits (docs/adr/0006): YAML
MAX_JSON_BYTES = 8 * 1024 * 1024  # and JSON


@dataclass(frozen=True)
class Case:
    """One command line, the file it reads, and the outcome it must have."""

    id: str
    args: tuple[str, ...]
    status: int
    stderr: str | None = None
    stdout: str | None = None
    content: bytes | None = None
    file_name: str = "input.yaml"
    env: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        """A refusal names its sentence; an acceptance names the outcome it shows."""
        if self.status in (REFUSED, INTERNAL_ERROR) and self.stderr is None:
            msg = f"{self.id}: a refused case needs the pattern its one stderr line matches"
            raise ValueError(msg)
        if self.status in ACCEPTED and self.stdout is None:
            msg = f"{self.id}: an accepted case needs the pattern of the outcome it shows"
            raise ValueError(msg)


def _fill(text: str, folder: Path, file_path: Path) -> str:
    return (
        text.replace("{file}", str(file_path))
        .replace("{missing}", str(folder / "missing.yaml"))
        .replace("{dir}", str(folder))
    )


def materialise(case: Case, folder: Path) -> tuple[list[str], dict[str, str]]:
    """Write the case's file into ``folder``; the filled-in arguments and environment."""
    file_path = folder / case.file_name
    if case.content is not None:
        file_path.parent.mkdir(parents=True, exist_ok=True)
        file_path.write_bytes(case.content)
    args = [_fill(arg, folder, file_path) for arg in case.args]
    env = {key: _fill(value, folder, file_path) for key, value in case.env.items()}
    env.setdefault("KETAMINE_CDS_PROTOCOL_DIRS", "")
    env.setdefault("KETAMINE_CDS_DATA_DIR", str(folder / "data"))
    return args, env


def check_outcome(case: Case, status: int, stdout: str, stderr: str) -> None:
    """Assert the exact outcome of ``case`` from what the program did."""
    shown = f"{case.id}: status {status}\nstdout: {stdout[-2000:]!r}\nstderr: {stderr!r}"
    assert status == case.status, shown
    if case.status in ACCEPTED:
        assert stderr == "", shown
        assert case.stdout is not None
        assert re.search(case.stdout, stdout), shown
        return
    assert stderr.endswith("\n"), shown
    assert stderr.count("\n") == 1, shown
    assert case.stderr is not None
    assert re.search(case.stderr, stderr.rstrip("\n")), shown
    if case.stdout is None:
        assert stdout == "", shown
    else:
        assert re.search(case.stdout, stdout), shown


def run_case(case: Case, folder: Path) -> None:
    """Run ``case`` through the application in this process and check its outcome."""
    args, env = materialise(case, folder)
    result = CliRunner().invoke(app, args, env=env, catch_exceptions=False)
    check_outcome(case, result.exit_code, result.stdout, result.stderr)


def run_program(case: Case, folder: Path) -> None:
    """Run ``case`` as a separate program (the installed entry point) and check its outcome."""
    args, env = materialise(case, folder)
    completed = subprocess.run(  # noqa: S603 - the product's own entry point, fixed arguments
        [sys.executable, "-c", "from ketamine_cds.entrypoints.cli.app import main; main()", *args],
        capture_output=True,
        env={**os.environ, **env},
        check=False,
        timeout=120,
    )
    check_outcome(
        case,
        completed.returncode,
        completed.stdout.decode("utf-8"),
        completed.stderr.decode("utf-8"),
    )


def ids(cases: Iterable[Case]) -> list[str]:
    """The cases' ids, for pytest's parametrize."""
    return [case.id for case in cases]


@dataclass(frozen=True)
class Fault:
    """A document every strict reader refuses, whatever its format."""

    id: str
    content: bytes | None
    sentence: str
    suffix: str = ".yaml"
    placeholder: str = "{file}"


def _deep(opening: bytes, closing: bytes, levels: int = 100) -> bytes:
    return opening * levels + closing * levels


def document_faults(valid_yaml: bytes) -> list[Fault]:
    """Faults in the bytes, the encoding or the YAML/JSON of a file, with the sentence expected.

    ``valid_yaml`` is a valid document of the format under test; some faults are made from it
    (its UTF-16 twin, a Latin-1 byte in a comment before it), so only the fault is wrong. The
    sentence patterns follow the file name (``input.yaml`` or ``input.json``).
    """
    text = valid_yaml.decode("utf-8")
    return [
        Fault("binary-png", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "not a UTF-8 text file"),
        Fault("binary-zip", b"PK\x03\x04\x14\x00\x00\x00\x08\x00", "NUL bytes: binary"),
        Fault("utf16-with-bom", text.encode("utf-16"), r"not a UTF-8 text file \(it is UTF-16\)"),
        Fault("utf16-without-bom", text.encode("utf-16-le"), "not a UTF-8 text file"),
        Fault("utf32", text.encode("utf-32"), r"not a UTF-8 text file \(it is UTF-32\)"),
        Fault("latin1", b"# caf\xe9\n" + valid_yaml, r"byte 0xe9 at line 1 is not UTF-8"),
        Fault("windows-1252", b"# \x93quoted\x94\n" + valid_yaml, "byte 0x93 at line 1"),
        Fault("truncated-utf8", valid_yaml + b"# \xc2", "is not a UTF-8 text file"),
        Fault("empty", b"", "input.yaml is empty"),
        Fault("whitespace-only", b"\n   \n\t\n", "input.yaml is empty"),
        Fault("comment-only", b"# nothing here\n", "input.yaml does not hold"),
        Fault("top-level-list", b"- 1\n- 2\n", "input.yaml does not hold"),
        Fault("top-level-text", b"hello\n", "input.yaml does not hold"),
        Fault("a-folder", None, "it is a folder, not a file", placeholder="{dir}"),
        Fault("no-such-file", None, "there is no such file", placeholder="{missing}"),
        Fault(
            "larger-than-1-MiB",
            b"# " + b"x" * MAX_BYTES + b"\n",
            "larger than the 1,048,576 bytes the product reads",
        ),
        Fault(
            "json-larger-than-8-MiB",
            b'["' + b"x" * MAX_JSON_BYTES + b'"]',
            "larger than the 8,388,608 bytes the product reads",
            ".json",
        ),
        Fault("deep-yaml", b"a: " + _deep(b"[", b"]") + b"\n", "nested more than 32 levels"),
        Fault("deep-yaml-block", b"".join(b"  " * i + b"k:\n" for i in range(40)), "nested more"),
        Fault("deep-json", _deep(b"[", b"]"), "nested more than 32 levels", ".json"),
        Fault("deep-json-objects", _deep(b'{"a":', b"}"), "nested more than 32", ".json"),
        Fault("duplicate-yaml", b"a: 1\nb: 2\na: 3\n", r"'a' is given twice .*lines 1 and 3"),
        Fault("duplicate-json", b'{\n"a": 1,\n"a": 2\n}', r"'a' is given twice .*2 and 3", ".json"),
        Fault("yaml11-yes", b"a: yes\n", "'yes' is read by some YAML readers as a boolean"),
        Fault("yaml11-no", b"a: no\n", "'no' is read by some YAML readers as a boolean"),
        Fault("yaml11-on", b"a: on\n", "'on' is read by some YAML readers as a boolean"),
        Fault("yaml11-off", b"a: Off\n", "'Off' is read by some YAML readers as a boolean"),
        Fault("yaml-True", b"a: True\n", "'True' is read by some YAML readers as a boolean"),
        Fault("yaml11-y", b"a: y\n", "'y' is read by some YAML readers as a boolean"),
        Fault("yaml11-key-yes", b"yes: 1\n", "'yes' is read by some YAML readers"),
        Fault("yaml-NULL", b"a: NULL\n", "as null"),
        Fault("yaml11-hex", b"a: 0x46\n", "hexadecimal, octal or binary"),
        Fault("yaml-octal", b"a: 0o106\n", "hexadecimal, octal or binary"),
        Fault("yaml11-octal", b"a: 0106\n", r"as a number with leading zeros \(010 is 8"),
        Fault("yaml11-binary", b"a: 0b1000110\n", "hexadecimal, octal or binary"),
        Fault("yaml11-underscores", b"a: 7_0\n", "with underscores"),
        Fault("yaml11-base-60", b"a: 1:10\n", r"base 60 \(12:30 is 750"),
        Fault("yaml11-base-60-time", b"a: 12:30\n", "base 60"),
        Fault("yaml-inf", b"a: .inf\n", "not finite"),
        Fault("yaml-nan", b"a: .NaN\n", "not finite"),
        Fault("yaml-too-large", b"a: 1.0e+999\n", "too large to be a number"),
        Fault("yaml-exponent-without-point", b"a: 1e5\n", "and as text in YAML 1.1"),
        Fault("yaml-long-integer", b"a: " + b"7" * 40 + b"\n", "a number of 40 digits"),
        Fault("json-nan", b'{"a": NaN}', r"NaN is not a finite number", ".json"),
        Fault("json-infinity", b'{"a": Infinity}', "Infinity is not a finite number", ".json"),
        Fault("json-minus-infinity", b'{"a": -Infinity}', "-Infinity is not a finite", ".json"),
        Fault("json-too-large", b'{"a": 1e400}', "1e400 is too large", ".json"),
        Fault("json-long-integer", b'{"a": ' + b"9" * 50 + b"}", "50 digits", ".json"),
        Fault("yaml-anchor-alias", b"a: &w 70\nb: *w\n", "anchor or alias"),
        Fault(
            "yaml-billion-laughs",
            b"a: &a [x, x]\nb: &b [*a, *a]\nc: &c [*b, *b]\nd: [*c, *c]\n",
            "anchor or alias",
        ),
        Fault("yaml-merge-key", b"base: &b {x: 1}\nc:\n  <<: *b\n", "anchor or alias"),
        Fault("yaml-python-tag", b"a: !!python/object:os.system [ls]\n", "tags are not read"),
        Fault("yaml-int-tag", b"a: !!int '70'\n", "YAML tag '!!int'"),
        Fault("yaml-custom-tag", b"a: !weight 70\n", "YAML tag '!weight'"),
        Fault("yaml-binary-tag", b"a: !!binary aGVsbG8=\n", "tags are not read"),
        Fault("yaml-two-documents", b"a: 1\n---\nb: 2\n", "expected a single document"),
        Fault("control-character", b"a: ring\x07\n", r"control character, 0x07, at line 1"),
        Fault("escape-character", b"a: 1\nb: \x1b[31m\n", r"0x1b, at line 2"),
        Fault("tab-indentation", b"a:\n\tb: 1\n", r"not valid YAML at line 2"),
        Fault("unclosed-flow", b"a: [1, 2\n", "not valid YAML"),
        Fault("unclosed-quote", b'a: "70 kg\n', "not valid YAML"),
        Fault("json-trailing-comma", b'{"a": 1,}', r"not valid JSON at line 1", ".json"),
        Fault("json-single-quotes", b"{'a': 1}", r"not valid JSON at line 1", ".json"),
        Fault("json-comment", b'// note\n{"a": 1}', r"not valid JSON at line 1", ".json"),
        Fault("yaml-key-not-text", b"1: one\n", "a key is not text"),
        Fault("yaml-key-a-list", b"? [a, b]\n: 1\n", "a key is not text"),
    ]


def fault_cases(
    prefix: str, args: tuple[str, ...], valid_yaml: bytes, what: str
) -> list[Case]:
    """The :func:`document_faults` as cases of one command; ``{file}`` in ``args`` is the file.

    ``what`` is how the command names the file in refusals ("episode file", "patient file").
    """
    cases = []
    for fault in document_faults(valid_yaml):
        name = "input" + fault.suffix
        sentence = fault.sentence.replace("input.yaml", re.escape(name))
        if fault.placeholder != "{file}":
            sentence = f"cannot read {what} .*: {sentence}"
        cases.append(
            Case(
                id=f"{prefix}-{fault.id}",
                args=tuple(arg.replace("{file}", fault.placeholder) for arg in args),
                status=REFUSED,
                stderr=rf"^error: .*{sentence}.*\.$",
                content=fault.content,
                file_name=name,
            )
        )
    return cases
