"""The socket ``serve`` gives its workers: the supervisor's holds the port without listening, and
each worker that unpickles it binds a socket of its own, which listens only when the worker's
server starts (uvicorn calls listen), so Linux spreads connections over the started workers."""

from __future__ import annotations

import contextlib
import pickle
import socket
from multiprocessing.reduction import ForkingPickler

import pytest
from proc_sockets import listening_inodes

from ketamine_cds.entrypoints.http.listeners import SPREADS, worker_listener

CONNECTIONS = 64

pytestmark = pytest.mark.skipif(not SPREADS, reason="only Linux spreads connections so")


def _worker_socket(listener: socket.socket) -> socket.socket:
    # What a worker started by spawn receives: the listener through multiprocessing's pickler.
    made = pickle.loads(ForkingPickler.dumps(listener))  # noqa: S301 - made just above
    assert isinstance(made, socket.socket)
    return made


def test_workers_listen_only_once_started_and_connections_spread() -> None:
    """Two workers' sockets on the supervisor's address listen on nothing until listen() is
    called (as uvicorn does after the app's start-up); then each accepts some of 64
    connections, and together all of them; the supervisor's socket accepts none."""
    with contextlib.closing(worker_listener(socket.AF_INET, ("127.0.0.1", 0))) as listener:
        address = listener.getsockname()
        workers = [_worker_socket(listener) for _ in range(2)]
        clients: list[socket.socket] = []
        try:
            assert all(w.getsockname() == address for w in workers)
            assert listening_inodes(address[1]) == set()  # no connection can wait on a worker
            with pytest.raises(ConnectionRefusedError):  # still importing its app
                socket.create_connection(address, timeout=5).close()
            for worker in workers:
                worker.listen(128)
            clients += [socket.create_connection(address) for _ in range(CONNECTIONS)]
            accepted = [0, 0]
            for index, worker in enumerate(workers):
                worker.settimeout(0.5)
                with contextlib.suppress(TimeoutError):
                    while True:
                        conn, _ = worker.accept()
                        conn.close()
                        accepted[index] += 1
            assert sum(accepted) == CONNECTIONS
            assert min(accepted) > 0, accepted  # all 64 on one socket: 1 in 2**63 by chance
            with pytest.raises(OSError, match="Invalid argument"):  # bound, never listening
                listener.accept()
        finally:
            for worker in workers:
                worker.close()
            for client in clients:
                client.close()


def test_a_port_in_use_is_refused() -> None:
    """A port a plain socket holds is an OSError (one sentence in serve)."""
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        with pytest.raises(OSError, match="in use"):
            worker_listener(socket.AF_INET, taken.getsockname()).close()
