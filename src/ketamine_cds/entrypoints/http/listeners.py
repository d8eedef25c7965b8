"""A listening socket of its own for each of ``serve``'s workers, so connections spread over them.

uvicorn's supervisor binds one socket and its workers share it. A worker's event loop accepts
every connection waiting when it wakes, so connections that arrive together (a ward's tablets
after a network break, a proxy filling its pool) land mostly on one worker and stay there on
keep-alive: under the ward load one worker was seen doing 73% of the work while the other
waited (docs/adr/0138). With ``SO_REUSEPORT`` every worker listens on a socket of its own on the
same address, and Linux hands each new connection to one of them by a hash of its addresses.

The supervisor's socket is bound, which holds the port, and never listens, so no connection
waits on it. What reaches a worker is not that socket but how to make one: unpickled in the
worker (uvicorn starts its workers with ``spawn``), it listens on the same address there. The
supervisor stays uvicorn's own, with its health checks and restarts; a restarted worker makes
its socket anew the same way.
"""

from __future__ import annotations

import socket
import sys
from typing import Any, TypeVar

# Linux spreads connections over the sockets sharing a port; other systems accept the option
# but give every connection to one socket, so there the workers share uvicorn's socket.
SPREADS = sys.platform == "linux" and hasattr(socket, "SO_REUSEPORT")


_Socket = TypeVar("_Socket", bound=socket.socket)


def _sharing_port(sock: _Socket) -> _Socket:
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    return sock


def listen_in_worker(family: int, address: tuple[Any, ...], backlog: int) -> socket.socket:
    """A worker's own socket, listening on the supervisor's address (run where it is unpickled)."""
    sock = _sharing_port(socket.socket(family, socket.SOCK_STREAM))
    sock.bind(address)
    sock.listen(backlog)
    return sock


class WorkerListener(socket.socket):
    """The supervisor's socket: it holds the address; each worker given it listens on its own."""

    backlog: int

    def __reduce_ex__(self, protocol: object) -> tuple[Any, ...]:
        """Pickled, it is the recipe for a worker's socket on this address, not this socket."""
        return (listen_in_worker, (self.family, self.getsockname(), self.backlog))


def worker_listener(host: str, port: int, backlog: int) -> WorkerListener:
    """Bind the address for workers that each listen on it (raises OSError if it is taken)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = WorkerListener(family, socket.SOCK_STREAM)
    try:
        _sharing_port(sock).bind((host, port))
    except OSError:
        sock.close()
        raise
    sock.backlog = backlog
    return sock
