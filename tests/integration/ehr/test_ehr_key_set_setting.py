"""A CDS Hooks key set the server cannot use is refused by `serve` in one sentence, exit 2,
before any worker starts (a worker failing at start-up would print a traceback per worker)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from ketamine_cds.settings import CDS_HOOKS_ISSUERS, CDS_HOOKS_JWKS, DATA_DIR

COMMAND = str(Path(sys.executable).parent / "ketamine-cds")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _run(folder: Path, *args: str, jwks: Path) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        DATA_DIR: str(folder),
        CDS_HOOKS_ISSUERS: "https://ehr.example",
        CDS_HOOKS_JWKS: str(jwks),
    }
    env.pop("KETAMINE_CDS_DATABASE_URL", None)
    return subprocess.run(  # noqa: S603 - the product's own command
        [COMMAND, *args], capture_output=True, text=True, env=env, timeout=120, check=False
    )


@pytest.mark.parametrize(
    ("content", "said"),
    [
        (None, "cannot be read (No such file or directory)"),
        (b'{"keys": "none"}', "is not a JSON Web Key Set (RFC 7517)"),
        (b"\xff\xfe{", "cannot be read (it is not UTF-8 text)"),
        (b"{not json", "is not a JSON Web Key Set (RFC 7517)"),
    ],
    ids=["missing", "not-a-key-set", "binary", "malformed"],
)
def test_serve_refuses_a_key_set_it_cannot_use(
    tmp_path: Path, content: bytes | None, said: str
) -> None:
    """Exit 2, one line naming the file and the setting; the server never starts."""
    jwks = tmp_path / "jwks.json"
    if content is not None:
        jwks.write_bytes(content)
    upgraded = _run(tmp_path, "db", "upgrade", jwks=jwks)
    assert upgraded.returncode == 0, upgraded.stderr
    served = _run(tmp_path, "serve", "--port", str(_free_port()), jwks=jwks)
    assert served.returncode == 2, served.stderr
    assert served.stderr.count("\n") == 1, served.stderr
    assert f"{jwks} ({CDS_HOOKS_JWKS}) {said}" in served.stderr
    assert served.stdout == ""
