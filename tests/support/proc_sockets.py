"""Which process holds which TCP socket, read from Linux's /proc (for the server's tests)."""

from __future__ import annotations

import re
from pathlib import Path

LISTEN = "0A"  # the TCP state /proc/net/tcp writes for a listening socket


def listening_inodes(port: int) -> set[str]:
    """The inodes of the sockets listening on ``port``, on any address."""
    found = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        if not Path(table).exists():
            continue
        for line in Path(table).read_text().splitlines()[1:]:
            fields = line.split()
            local, state, inode = fields[1], fields[3], fields[9]
            if state == LISTEN and int(local.rsplit(":", 1)[1], 16) == port:
                found.add(inode)
    return found


def socket_inodes(pid: int) -> set[str]:
    """The inodes of the sockets a process has open."""
    found: set[str] = set()
    folder = Path(f"/proc/{pid}/fd")
    try:
        fds = list(folder.iterdir())
    except FileNotFoundError:  # the process has ended
        return found
    for fd in fds:
        try:
            target = str(fd.readlink())
        except OSError:  # closed since it was listed
            continue
        match = re.fullmatch(r"socket:\[(\d+)\]", target)
        if match:
            found.add(match.group(1))
    return found


def children(pid: int) -> list[int]:
    """The processes whose parent is ``pid``."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
            found.append(int(entry.name))
    return found
