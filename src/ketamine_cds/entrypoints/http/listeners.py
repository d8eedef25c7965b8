"""A listening socket of its own for each of ``serve``'s workers, so connections spread over them.

uvicorn's supervisor binds one socket and its workers share it. A worker's event loop accepts
every connection waiting when it wakes, so connections that arrive together (a ward's tablets
after a network break, a proxy filling its pool) land mostly on one worker and stay there on
keep-alive: under the ward load one worker was seen doing 73% of the work while the other
waited (docs/adr/0138). With ``SO_REUSEPORT`` every worker listens on a socket of its own on the
same address, and Linux hands each new connection to one of them by a hash of its addresses.

The supervisor's socket is bound, which holds the port, and never listens, so no connection
waits on it. What reaches a worker is not that socket but how to make one: unpickled in the
worker (uvicorn starts its workers with ``spawn``), it binds to the same address there, and
uvicorn makes it listen once the worker's app has started, so no connection waits on a worker
still importing. The supervisor stays uvicorn's own, with its health checks and restarts; a
restarted worker makes its socket anew the same way.
"""

from __future__ import annotations

import socket
import sys
from typing import Any, TypeVar

# Linux spreads connections over the sockets sharing a port; other systems accept the option
# but give every connection to one socket, so there the workers share uvicorn's socket.
SPREADS = sys.platform == "linux" and hasattr(socket, "SO_REUSEPORT")

_Socket = TypeVar("_Socket", bound=socket.socket)


def _bound(sock: _Socket, address: tuple[Any, ...]) -> _Socket:
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
        sock.bind(address)
    except OSError:
        sock.close()
        raise
    return sock


def bind_in_worker(family: int, address: tuple[Any, ...]) -> socket.socket:
    """A worker's own socket, bound to the supervisor's address (run where it is unpickled)."""
    try:
        return _bound(socket.socket(family, socket.SOCK_STREAM), address)
    except OSError as error:
        # uvicorn's code for a worker that cannot start: the supervisor stops instead of
        # starting it again every half second.
        from uvicorn.config import STARTUP_FAILURE  # noqa: PLC0415 - a worker has it loaded

        print(f"ketamine-cds: a worker could not bind {address}: {error}", file=sys.stderr)  # noqa: T201
        sys.exit(STARTUP_FAILURE)


class WorkerListener(socket.socket):
    """The supervisor's socket: it holds the address; each worker given it binds its own."""

    def __reduce_ex__(self, protocol: object) -> tuple[Any, ...]:
        """Pickled, it is the recipe for a worker's socket on this address, not this socket."""
        return (bind_in_worker, (self.family, self.getsockname()))


def worker_listener(family: int, address: tuple[Any, ...]) -> WorkerListener:
    """Hold the address for workers that each listen on it (raises OSError if it is taken)."""
    return _bound(WorkerListener(family, socket.SOCK_STREAM), address)
