"""Protocol files, validated alone or loaded from a hospital's folder: one sentence each."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from corpus import Case, ids, run_case
from valid_documents import PROTOCOL, PROTOCOL_ID

NAME = f"{PROTOCOL_ID}.yaml"
HEAD = rf"^error: {PROTOCOL_ID}\.yaml: "
CEILING = r"\(at phases\[0\]\.ceilings\[1\]\.limit\)\.$"


def protocol_with(old: str, new: str) -> bytes:
    """The shipped protocol with one piece of text replaced (which must be there)."""
    assert old.encode() in PROTOCOL, old
    return PROTOCOL.replace(old.encode(), new.encode(), 1)


def validate(case_id: str, content: bytes, *, status: int = 2, stderr: str | None = None,
             stdout: str | None = None) -> Case:
    """A ``protocol validate`` case of a file named for the shipped protocol's id."""
    return Case(f"validate-{case_id}", ("protocol", "validate", "{file}"), status, stderr=stderr,
                stdout=stdout, content=content, file_name=NAME)


def local(case_id: str, content: bytes, file_name: str, *, stderr: str | None = None,
          stdout: str | None = None) -> Case:
    """``protocols`` with a hospital's folder holding one file: refused, or listed (status 0)."""
    status = 2 if stdout is None else 0
    return Case(f"protocols-folder-{case_id}", ("protocols",), status, stderr=stderr,
                stdout=stdout, content=content, file_name=f"local/{file_name}",
                env={"KETAMINE_CDS_PROTOCOL_DIRS": "{dir}/local"})


LOCAL = protocol_with("id: cancer-continuous", "id: local-cancer")

CASES = [
    validate("shipped-file", PROTOCOL, status=0,
             stdout=rf"{NAME}: valid protocol '{PROTOCOL_ID}' v1\.0\.0"),
    validate("unitless-ceiling", protocol_with("limit: 20 mg/h", "limit: 20"),
             stderr=rf"{HEAD}the number 20 has no unit {CEILING}"),
    validate("infinite-ceiling", protocol_with("limit: 20 mg/h", "limit: 1e400 mg/h"),
             stderr=rf"{HEAD}inf mg/h is outside the numbers the product reads .*{CEILING}"),
    validate("vanishing-ceiling", protocol_with("limit: 20 mg/h", "limit: 1e-9 mg/h"),
             stderr=rf"1e-09 mg/h is outside the numbers the product reads .*{CEILING}"),
    validate("underscore-ceiling", protocol_with("limit: 20 mg/h", "limit: 2_0 mg/h"),
             stderr=rf"'_0' in '_0 mg/h' is not a unit the product reads {CEILING}"),
    validate("unknown-unit", protocol_with("limit: 20 mg/h", "limit: 20 grains/h"),
             stderr=r"is not a unit the product reads"),
    validate("starting-rate-yes", protocol_with("rate: 0.1 mg/kg/h", "rate: yes"),
             stderr=r"'yes' is read by some YAML readers as a boolean"),
    validate("version-a-number", protocol_with("version: 1.0.0", "version: 1.0"),
             stderr=rf"{HEAD}Input should be a valid string \(at version\)\.$"),
    validate("version-twice", protocol_with("version: 1.0.0", "version: 1.0.0\nversion: 2.0.0"),
             stderr=rf"{HEAD}the key 'version' is given twice in one mapping \(lines 5 and 6\)"),
    validate("id-twice", protocol_with("id: cancer-continuous", "id: cancer-continuous\nid: x"),
             stderr=r"the key 'id' is given twice"),
    validate("id-missing", protocol_with("id: cancer-continuous", "idd: cancer-continuous"),
             stderr=rf"{HEAD}'id' is required at the top level\.$"),
    validate("unknown-key", protocol_with("version: 1.0.0", "version: 1.0.0\napproved_by: x"),
             stderr=rf"{HEAD}unknown key 'approved_by' at the top level\.$"),
    validate("id-not-the-file-name", protocol_with("id: cancer-continuous", "id: other"),
             stderr=rf"^error: {NAME} declares id 'other'; the file must be named other\.yaml\.$"),
    Case("validate-json-twin", ("protocol", "validate", "{file}"), 0,
         stdout=rf"{PROTOCOL_ID}\.json: valid protocol '{PROTOCOL_ID}'",
         content=json.dumps(yaml.safe_load(PROTOCOL), default=str).encode(),
         file_name=f"{PROTOCOL_ID}.json"),
    Case("validate-json-twin-with-nan", ("protocol", "validate", "{file}"), 2,
         stderr=rf"{PROTOCOL_ID}\.json: NaN is not a finite number",
         content=json.dumps({**yaml.safe_load(PROTOCOL), "x": float("nan")}, default=str).encode(),
         file_name=f"{PROTOCOL_ID}.json"),
    local("valid", LOCAL, "local-cancer.yaml", stdout=r"local-cancer\s+v1\.0\.0"),
    local("shadows-a-shipped-id", PROTOCOL, NAME,
          stderr=r"uses the id 'cancer-continuous' of a protocol already loaded; give a local "
                 r"protocol its own id\.$"),
    local("binary-file", b"\x00\x01\x02", "broken.yaml",
          stderr=r"^error: broken\.yaml is not a UTF-8 text file \(it holds NUL bytes"),
    local("utf16-file", LOCAL.decode().encode("utf-16"), "local-cancer.yaml",
          stderr=r"local-cancer\.yaml is not a UTF-8 text file \(it is UTF-16\)"),
    local("duplicate-key", LOCAL.replace(b"version: 1.0.0", b"version: 1.0.0\nversion: 1.0.1"),
          "local-cancer.yaml", stderr=r"the key 'version' is given twice"),
    local("wrong-name", LOCAL, "other-name.yaml",
          stderr=r"other-name\.yaml declares id 'local-cancer'; the file must be named "
                 r"local-cancer\.yaml"),
    Case("protocols-folder-missing", ("protocols",), 2,
         stderr=r"^error: KETAMINE_CDS_PROTOCOL_DIRS names .*nowhere, which is not a folder\.$",
         env={"KETAMINE_CDS_PROTOCOL_DIRS": "{dir}/nowhere"}),
    Case("plan-with-a-broken-folder", ("plan", "--protocol", PROTOCOL_ID, "--weight-kg", "70"), 2,
         stderr=r"broken\.yaml is empty\.$", content=b"", file_name="local/broken.yaml",
         env={"KETAMINE_CDS_PROTOCOL_DIRS": "{dir}/local"}),
    Case("plan-local-protocol", ("plan", "--protocol", "local-cancer", "--weight-kg", "70"), 0,
         stdout=r"local-cancer v1\.0\.0", content=LOCAL, file_name="local/local-cancer.yaml",
         env={"KETAMINE_CDS_PROTOCOL_DIRS": "{dir}/local"}),
]


@pytest.mark.parametrize("case", CASES, ids=ids(CASES))
def test_protocol_case(case: Case, tmp_path: Path) -> None:
    """A protocol file is refused in one sentence with status 2, or accepted and named."""
    run_case(case, tmp_path)
