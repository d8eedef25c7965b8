"""Every file-reading command refuses a broken file in one sentence, through the one reader."""

from __future__ import annotations

from pathlib import Path

import pytest
from corpus import Case, fault_cases, ids, run_case
from valid_documents import EPISODE, NOTICE, PATIENT, PROTOCOL, PROTOCOL_ID

AT = "2024-05-02T15:00Z"

CASES = [
    *fault_cases("replay", ("replay", "{file}"), EPISODE, "episode file"),
    *fault_cases("recommend", ("recommend", "{file}", "--at", AT), EPISODE, "episode file"),
    *fault_cases("assess", ("assess", "{file}"), PATIENT, "patient file"),
    *fault_cases("validate", ("protocol", "validate", "{file}"), PROTOCOL, "protocol file"),
]

BOM = b"\xef\xbb\xbf"
ACCEPTED = [
    Case(
        "replay-utf8-bom-accepted",
        ("replay", "{file}"),
        0,
        stdout=r"CONTINUE  7 mg/h  \[cancer-continuous 1\.0\.0",
        content=BOM + EPISODE,
    ),
    Case(
        "replay-crlf-line-ends-accepted",
        ("replay", "{file}"),
        0,
        stdout=r"\[cancer-continuous 1\.0\.0, phase infusion\]",
        content=EPISODE.replace(b"\n", b"\r\n"),
    ),
    Case(
        "assess-utf8-bom-accepted",
        ("assess", "{file}"),
        0,
        stdout=r"Patient p1: 58 y, female, 70 kg",
        content=BOM + PATIENT,
    ),
    Case(
        "assess-non-ascii-text-accepted",
        ("assess", "{file}"),
        0,
        stdout=r"Patient p1: 58 y",
        content=PATIENT + "notes: douleur à 8/10, 5 µg — ok\n".encode(),
    ),
    Case(
        "validate-utf8-bom-accepted",
        ("protocol", "validate", "{file}"),
        0,
        stdout=rf"valid protocol '{PROTOCOL_ID}' v1\.0\.0",
        content=BOM + PROTOCOL,
        file_name=f"{PROTOCOL_ID}.yaml",
    ),
    Case(
        "replay-quoted-yes-is-text-accepted",
        ("replay", "{file}"),
        0,
        stdout=NOTICE,
        content=EPISODE.replace(b"by: nurse}", b"by: nurse, note: 'yes'}"),
    ),
]


@pytest.mark.parametrize("case", CASES + ACCEPTED, ids=ids(CASES + ACCEPTED))
def test_document_case(case: Case, tmp_path: Path) -> None:
    """The file is refused in one sentence with status 2, or accepted with the named outcome."""
    run_case(case, tmp_path)
