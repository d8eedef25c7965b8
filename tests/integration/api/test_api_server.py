"""The application behind a real uvicorn server: concurrent writers over loopback lose nothing,
and `ketamine-cds serve --demo --workers 2` serves the demonstration ward to a logged-in nurse."""

from __future__ import annotations

import contextlib
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from pathlib import Path

import httpx2
import uvicorn
from api_ward import Ward, now, observation, rate_change, stamp
from fastapi import FastAPI
from proc_sockets import children, listening_inodes, socket_inodes

from ketamine_cds.entrypoints.http.keys import Keys

WRITERS = 12
EACH = 4


@contextlib.contextmanager
def served(app: FastAPI) -> Iterator[str]:
    """``app`` behind uvicorn on a free loopback port, in a thread; its base URL."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{sock.getsockname()[1]}"
    finally:
        server.should_exit = True
        thread.join(timeout=30)
        sock.close()


def test_concurrent_writers_over_http_lose_nothing(ward: Ward) -> None:
    """12 clients each record 4 observations at once: every one is acknowledged and stored once,
    each write moved the episode's version by one, and the audit trail is intact."""
    episode_id = ward.start()
    ward.verify(episode_id)
    first = ward.call(
        "POST",
        f"/api/v1/episodes/{episode_id}/events",
        "nina",
        json=rate_change("7 mg/h", ago=timedelta(minutes=1)),
    )
    assert first.status_code == 201
    start = now()

    def writer(number: int) -> list[tuple[int, int]]:
        token = ward.tokens["nina" if number % 2 else "nora"]
        acknowledged = []
        with httpx2.Client(
            base_url=url, headers={"Authorization": f"Bearer {token}"}, timeout=60
        ) as client:
            for k in range(EACH):
                moment = start - timedelta(seconds=number * EACH + k + 1)
                body = {**observation(5), "at": stamp(moment), "note": f"w{number}-{k}"}
                response = client.post(f"/api/v1/episodes/{episode_id}/events", json=body)
                acknowledged.append((response.status_code, response.json().get("version", -1)))
        return acknowledged

    with served(ward.app) as url, ThreadPoolExecutor(WRITERS) as pool:
        results = [r for batch in pool.map(writer, range(WRITERS)) for r in batch]
    assert [status for status, _ in results] == [201] * (WRITERS * EACH)
    versions = sorted(version for _, version in results)
    assert versions == list(range(3, 3 + WRITERS * EACH))
    shown = ward.call("GET", f"/api/v1/episodes/{episode_id}", "nina").json()
    notes = sorted(
        e["event"].get("note", "") for e in shown["events"] if e["type"] == "observation"
    )
    assert notes == sorted(f"w{n}-{k}" for n in range(WRITERS) for k in range(EACH))
    assert ward.call("GET", "/api/v1/audit/verify", "ann").json()["intact"] is True


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _cookie(response: httpx2.Response, name: str) -> str:
    for header in response.headers.get_list("set-cookie"):
        if header.startswith(f"{name}="):
            return header.split(";", 1)[0].split("=", 1)[1]
    raise AssertionError(f"no {name} cookie in {response.headers}")


def _serve_demo(tmp_path: Path, *more: str) -> tuple[subprocess.Popen[str], Path, str]:
    """`serve --demo` started on a free port and answering health; its process, folder, URL."""
    port = _free_port()
    command = [str(Path(sys.executable).parent / "ketamine-cds"), "serve", "--demo"]
    env = {**os.environ, "KETAMINE_CDS_CACHE_DIR": "", "HOME": str(tmp_path)}
    env.pop("KETAMINE_CDS_DATABASE_URL", None)
    process = subprocess.Popen(  # noqa: S603 - the product's own command
        [*command, "--port", str(port), *more],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=env, text=True,
    )  # fmt: skip
    assert process.stdout is not None
    first = process.stdout.readline()
    assert first.startswith(f"ketamine-cds: the ward is at http://127.0.0.1:{port}/")
    folder = Path(re.search(r"sqlite:///(/\S+)/record\.sqlite3", first).group(1))  # type: ignore[union-attr]
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 90
    with httpx2.Client(base_url=base, timeout=30) as client:
        while True:
            with contextlib.suppress(httpx2.TransportError):
                if client.get("/api/v1/health").status_code == 200:
                    return process, folder, base
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                raise AssertionError("the server stopped or did not start")
            time.sleep(0.3)


def _each_worker_listens_on_its_own(supervisor: int, port: int) -> None:
    # Linux hands each new connection to one of the sockets listening on a port, so
    # connections that arrive together spread over the workers (docs/adr/0138); the
    # supervisor's socket only holds the port. A worker listens once its app has started,
    # so the second may still be starting when the first answers.
    deadline = time.monotonic() + 60
    while True:
        listening = listening_inodes(port)
        held = [socket_inodes(pid) & listening for pid in children(supervisor)]
        held = [inodes for inodes in held if inodes]
        if len(held) >= 2 or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    assert not socket_inodes(supervisor) & listening
    assert len(held) == 2
    assert all(len(inodes) == 1 for inodes in held)
    assert held[0] != held[1]


def test_serve_demo_with_two_workers(tmp_path: Path) -> None:
    """`serve --demo --workers 2` prints its address, answers health, refuses the API without a
    login, and shows a nurse who logs in the seven demonstration episodes, each marked, and their
    cohort audit."""
    process, folder, base = _serve_demo(tmp_path, "--workers", "2")
    try:
        _each_worker_listens_on_its_own(process.pid, int(base.rsplit(":", 1)[1]))
        with httpx2.Client(base_url=base, timeout=30) as client:
            assert client.get("/api/v1/episodes").status_code == 401
            nonce = _cookie(client.get("/login"), "kcds_browser")
            keys = Keys((folder / "secret_key").read_text().strip(), 3600)
            form = {
                "username": "demo-nurse",
                "password": "demonstration nurse",
                "csrf_token": keys.form_token(nonce, None),
                "next": "/",
            }
            login = client.post("/login", data=form, headers={"cookie": f"kcds_browser={nonce}"})
            assert login.status_code == 303
            session = _cookie(login, "kcds_session")
            for _ in range(4):  # either worker answers for the same session
                listed = client.get(
                    "/api/v1/episodes", headers={"cookie": f"kcds_session={session}"}
                )
                assert listed.status_code == 200
                episodes = listed.json()
                assert len(episodes) == 7
                assert all(e["patient"].startswith("DEMO-") for e in episodes)
                assert all(e["demonstration_data"] for e in episodes)
            cookie = {"cookie": f"kcds_session={session}"}
            cohort = client.get("/cohort", headers=cookie)
            assert cohort.status_code == 200
            assert "Cohort audit" in cohort.text
            rows = client.get("/cohort/episodes.csv", headers=cookie).text.strip().splitlines()
            assert len(rows) == 1 + 7  # the header and the demonstration ward's episodes
    finally:
        process.send_signal(signal.SIGINT)
        process.wait(timeout=60)
    assert not folder.exists()


def test_serve_demo_stopped_by_sigterm_removes_its_temporary_record(tmp_path: Path) -> None:
    """A service manager's SIGTERM stops `serve --demo` as Ctrl-C does: the record goes too."""
    process, folder, _ = _serve_demo(tmp_path)
    try:
        assert folder.exists()
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
    assert not folder.exists()
