"""The routes a ward calls every few seconds (record an event, the recommendation) run under the
record lane's limit: while the lane is full they wait, and while the threads the rest of the
application shares are all taken they still answer, credentials checked included."""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from typing import Any

import anyio.to_thread
from anyio import CapacityLimiter
from api_ward import Ward, observation, rate_change

from ketamine_cds.entrypoints.http.deps import RECORD_THREADS, Wiring

WAIT_S = 0.5  # long enough for an unblocked request to finish here many times over
ANSWER_S = 60


@contextmanager
def _all_taken(ward: Ward, limiter: CapacityLimiter) -> Iterator[list[object]]:
    """Every token of ``limiter`` borrowed in the app's event loop, given back on the way out."""
    portal = ward.client.portal
    assert portal is not None
    borrowers = [object() for _ in range(int(limiter.total_tokens))]
    taken: list[object] = []
    try:
        for borrower in borrowers:
            portal.call(limiter.acquire_on_behalf_of, borrower)
            taken.append(borrower)
        yield taken
    finally:
        for borrower in taken:
            portal.call(limiter.release_on_behalf_of, borrower)


def _lane(ward: Ward) -> CapacityLimiter:
    wiring: Wiring = ward.app.state.wiring
    return wiring.record_lane


def _started(ward: Ward) -> int:
    episode_id = ward.start()
    ward.verify(episode_id)
    started = ward.call(
        "POST", f"/api/v1/episodes/{episode_id}/events", "nina", json=rate_change("6 mg/h")
    )
    assert started.status_code == 201, started.text
    return episode_id


def _both(ward: Ward, pool: ThreadPoolExecutor, episode_id: int, note: str) -> list[Future[Any]]:
    path = f"/api/v1/episodes/{episode_id}"
    body = observation(3, note=note)
    return [
        pool.submit(ward.call, "POST", f"{path}/events", "nina", json=body),
        pool.submit(ward.call, "GET", f"{path}/recommendation", "nina"),
    ]


def _notes(ward: Ward, episode_id: int) -> list[str | None]:
    shown = ward.call("GET", f"/api/v1/episodes/{episode_id}", "nina").json()
    return [e["event"].get("note") for e in shown["events"]]


def test_record_routes_wait_while_the_lane_is_full(ward: Ward) -> None:
    """With the lane's three places taken, an observation and a recommendation are not
    answered; given one back, both are, and the event is stored once."""
    episode_id = _started(ward)
    with ward.client, ThreadPoolExecutor(2) as pool:
        assert _lane(ward).total_tokens == RECORD_THREADS
        with _all_taken(ward, _lane(ward)) as taken:
            recorded, looked = _both(ward, pool, episode_id, "while the lane is full")
            done = [f for f in (recorded, looked) if _finished_within(f, WAIT_S)]
            assert done == [], "a record route answered while the lane was full"
            ward.client.portal.call(_lane(ward).release_on_behalf_of, taken.pop())  # type: ignore[union-attr]
            assert recorded.result(timeout=ANSWER_S).status_code == 201
            assert looked.result(timeout=ANSWER_S).status_code == 200
    assert _notes(ward, episode_id).count("while the lane is full") == 1


def test_record_routes_answer_while_the_shared_threads_are_all_taken(ward: Ward) -> None:
    """With every thread of anyio's shared limit taken (a slow page's work, say), a program's
    observation and recommendation, its bearer token checked, are still answered."""
    episode_id = _started(ward)
    with ward.client, ThreadPoolExecutor(2) as pool:
        portal = ward.client.portal
        assert portal is not None
        shared = portal.call(anyio.to_thread.current_default_thread_limiter)
        with _all_taken(ward, shared):
            assert shared.available_tokens == 0
            recorded, looked = _both(ward, pool, episode_id, "while the shared pool is full")
            assert recorded.result(timeout=ANSWER_S).status_code == 201
            assert looked.result(timeout=ANSWER_S).status_code == 200
    assert _notes(ward, episode_id).count("while the shared pool is full") == 1


def _finished_within(future: Future[Any], seconds: float) -> bool:
    try:
        future.result(timeout=seconds)
    except TimeoutError:
        return False
    return True
