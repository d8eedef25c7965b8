"""The routes a ward calls every few seconds run on the record's own threads (the record lane):
while all of them are taken, a recording and a recommendation wait, and neither needs the
threads the rest of the application shares."""

from __future__ import annotations

from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

import anyio.to_thread
from api_ward import Ward, observation, rate_change

from ketamine_cds.entrypoints.http.deps import RECORD_THREADS, Wiring

WAIT_S = 0.5  # long enough for an unblocked request to finish here many times over


def _borrowers(ward: Ward) -> list[object]:
    lane = _wiring(ward).record_lane
    assert lane.total_tokens == RECORD_THREADS
    borrowers = [object() for _ in range(RECORD_THREADS)]
    for borrower in borrowers:
        ward.client.portal.call(lane.acquire_on_behalf_of, borrower)  # type: ignore[union-attr]
    return borrowers


def _wiring(ward: Ward) -> Wiring:
    wiring: Wiring = ward.app.state.wiring
    return wiring


def test_record_routes_wait_for_the_lane_and_only_for_it(ward: Ward) -> None:
    """With the lane's threads all taken, an observation and a recommendation are not answered;
    given one back, both are, with the event stored once; the shared pool is never the gate."""
    episode_id = ward.start()
    ward.verify(episode_id)
    started = ward.call(
        "POST", f"/api/v1/episodes/{episode_id}/events", "nina", json=rate_change("6 mg/h")
    )
    assert started.status_code == 201, started.text
    with ward.client:  # one event loop for the requests below and for taking the lane's threads
        lane = _wiring(ward).record_lane
        borrowers = _borrowers(ward)
        with ThreadPoolExecutor(2) as pool:
            recorded = pool.submit(
                ward.call,
                "POST",
                f"/api/v1/episodes/{episode_id}/events",
                "nina",
                json=observation(3, note="while the lane is taken"),
            )
            looked = pool.submit(
                ward.call, "GET", f"/api/v1/episodes/{episode_id}/recommendation", "nina"
            )
            done = [f for f in (recorded, looked) if _finished_within(f, WAIT_S)]
            assert done == [], "a record route answered while the lane's threads were all taken"
            # The threads the rest of the application shares are free all along.
            shared = ward.client.portal.call(  # type: ignore[union-attr]
                anyio.to_thread.current_default_thread_limiter
            )
            assert shared.borrowed_tokens < shared.total_tokens
            ward.client.portal.call(lane.release_on_behalf_of, borrowers[0])  # type: ignore[union-attr]
            assert recorded.result(timeout=60).status_code == 201
            assert looked.result(timeout=60).status_code == 200
        for borrower in borrowers[1:]:
            ward.client.portal.call(lane.release_on_behalf_of, borrower)  # type: ignore[union-attr]
    shown = ward.call("GET", f"/api/v1/episodes/{episode_id}", "nina").json()
    notes = [e["event"].get("note") for e in shown["events"]]
    assert notes.count("while the lane is taken") == 1


def _finished_within(future: Future[Any], seconds: float) -> bool:
    try:
        future.result(timeout=seconds)
    except TimeoutError:
        return False
    return True
