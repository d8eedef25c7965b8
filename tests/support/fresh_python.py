"""A Python program run in a fresh interpreter, as a user's command starts: nothing imported yet."""

from __future__ import annotations

import subprocess
import sys


def run_fresh(code: str, *args: str, check: bool = False) -> subprocess.CompletedProcess[str]:
    """Run ``code`` with ``args`` in this interpreter's executable, text output captured."""
    return subprocess.run(  # noqa: S603 - this interpreter, a program the tests wrote
        [sys.executable, "-c", code, *args], capture_output=True, text=True, check=check
    )
