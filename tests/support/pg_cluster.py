"""A throw-away PostgreSQL server for the tests: Debian's binaries, a temporary data folder,
a Unix socket in that folder (no TCP port to collide on), run as an unprivileged user.

``KETAMINE_CDS_TEST_POSTGRES_URL`` names an existing server instead (a URL whose database the
tests may use to create and drop their own databases).
"""

from __future__ import annotations

import atexit
import contextlib
import os
import pwd
import shutil
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

ENV_URL = "KETAMINE_CDS_TEST_POSTGRES_URL"
ENV_REQUIRE = "KETAMINE_CDS_TEST_REQUIRE_POSTGRES"


def find_bindir() -> Path | None:
    """The folder of Debian's PostgreSQL server binaries (the newest installed), if any."""
    candidates = sorted(
        Path("/usr/lib/postgresql").glob("*/bin/initdb"),
        key=lambda p: int(p.parent.parent.name) if p.parent.parent.name.isdigit() else 0,
    )
    if candidates:
        return candidates[-1].parent
    found = shutil.which("initdb")
    return Path(found).parent if found else None


def _server_user() -> str | None:
    """initdb refuses to run as root: run the server as ``postgres`` when we are root."""
    if os.geteuid() != 0:
        return None
    try:
        pwd.getpwnam("postgres")
    except KeyError:
        return "nobody"
    return "postgres"


@dataclass
class Cluster:
    """One running server; ``url(name)`` is an SQLAlchemy URL for a database on it."""

    bindir: Path
    root: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="kcds-pg-")))
    user: str | None = field(default_factory=_server_user)
    durable: bool = False  # tests trade fsync for speed; the benchmark keeps it
    running: bool = False

    @property
    def data(self) -> Path:
        """The data folder."""
        return self.root / "data"

    def _run(self, *args: str) -> None:
        subprocess.run(  # noqa: S603 - the server's own binaries, arguments written here
            [str(self.bindir / args[0]), *args[1:]],
            check=True,
            capture_output=True,
            user=self.user,
            group=None if self.user is None else pwd.getpwnam(self.user).pw_gid,
            cwd=self.root,
        )

    def start(self) -> Cluster:
        """initdb, then start the server on a socket in the temporary folder."""
        if self.user is not None:
            os.chown(self.root, pwd.getpwnam(self.user).pw_uid, pwd.getpwnam(self.user).pw_gid)
        self._run(
            "initdb",
            "-D",
            str(self.data),
            "-U",
            "postgres",
            "--auth=trust",
            "-E",
            "UTF8",
            "--no-sync",
            "--locale=C",
        )
        options = f"-k {self.root} -c listen_addresses='' -c max_connections=60"
        if not self.durable:
            options += " -c fsync=off -c full_page_writes=off"
        self._run(
            "pg_ctl",
            "-D",
            str(self.data),
            "-o",
            options,
            "-w",
            "-t",
            "60",
            "-l",
            str(self.root / "server.log"),
            "start",
        )
        self.running = True
        atexit.register(self.stop)
        return self

    def stop(self) -> None:
        """Stop the server (immediately) and remove its folder; safe to call twice."""
        if self.running:
            with contextlib.suppress(subprocess.CalledProcessError):
                self._run("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop")
            self.running = False
        shutil.rmtree(self.root, ignore_errors=True)

    def url(self, database: str = "postgres") -> str:
        """An SQLAlchemy URL for ``database`` on this server."""
        return f"postgresql+psycopg://postgres@/{database}?host={self.root}"
