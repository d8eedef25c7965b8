"""Writer processes for the durability and concurrency tests: forked from the test process,
each opens its own engine on the record and reports what was acknowledged through a pipe."""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass


@dataclass
class Child:
    """A forked writer: its process id and the read end of its report pipe."""

    pid: int
    reports: int
    go: int

    def ready(self) -> None:
        """Wait until the child says it is ready (its engine open, its first read done)."""
        line = b""
        while not line.endswith(b"\n"):
            byte = os.read(self.reports, 1)
            if not byte:
                raise RuntimeError(f"the writer ended before it was ready: {line!r}")
            line += byte
        if line != b"ready\n":
            raise RuntimeError(f"the writer failed to start: {line.decode().strip()}")

    def start(self) -> None:
        """Let the child begin (it waits for this)."""
        os.write(self.go, b"g")
        os.close(self.go)

    def lines(self) -> list[str]:
        """Everything the child reported, line by line (after it ended)."""
        chunks = []
        while chunk := os.read(self.reports, 65536):
            chunks.append(chunk)
        os.close(self.reports)
        return [line for line in b"".join(chunks).decode().splitlines() if line]


def fork(
    work: Callable[[Callable[[str], None]], None],
    prepare: Callable[[], None] = lambda: None,
) -> Child:
    """Fork a child that runs ``prepare()``, reports ``ready``, waits for the go signal, then
    runs ``work(report)`` and exits.

    ``report(line)`` writes one line to the parent; a line is written only after what it
    reports was committed, so the parent's copy is what the record acknowledged.
    """
    report_r, report_w = os.pipe()
    go_r, go_w = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: never returns into the test runner
        code = 0
        try:
            os.close(report_r)
            os.close(go_w)

            def report(line: str) -> None:
                os.write(report_w, (line + "\n").encode())

            prepare()
            report("ready")
            os.read(go_r, 1)

            work(report)
        except BaseException as error:  # noqa: BLE001 - report anything, then leave
            os.write(report_w, f"error:{type(error).__name__}:{error}\n".encode())
            code = 1
        finally:
            os._exit(code)
    os.close(report_w)
    os.close(go_r)
    return Child(pid, report_r, go_w)
