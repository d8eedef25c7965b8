"""Load on the ward application (not a test): concurrent clients on PostgreSQL, two workers.

Starts Debian's PostgreSQL in a temporary folder (fsync on), migrates a record with the ward's
users, and runs ``ketamine-cds serve --workers 2`` on 127.0.0.1 (a free port; loopback only).
Each of ``--clients`` clients (50 by default) has its own verified episode and, until
``--seconds`` have passed, records an observation (``POST /api/v1/episodes/{id}/events``, which
stores the event and the recommendation after it) then reads the recommendation now
(``GET .../recommendation``, also stored). Latency is measured from send to the parsed answer;
any answer that is not a success, and any exception, is an error. At the end every episode is
read back: the events stored must be exactly those acknowledged (no lost events).

Usage: ``.venv/bin/python bench/ward_load.py [--clients N] [--seconds S] [--workers W]``.
Results go to ``bench/results/ward-load-latest.txt``; copy the table into docs/api.md.
Target: p99 under 50 ms, zero errors, zero lost events.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import random
import socket
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from datetime import UTC, datetime
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests" / "support"))

from api_ward import SECRET, episode, observation  # noqa: E402 - the test builders, path above
from pg_cluster import Cluster, find_bindir  # noqa: E402
from record_db import PostgresDatabases, open_record  # noqa: E402

from ketamine_cds.bootstrap import record_container  # noqa: E402
from ketamine_cds.service.credentials import issue_token  # noqa: E402
from ketamine_cds.settings import read_settings  # noqa: E402

DEADLINE_S = 300.0
CLI = ROOT / ".venv" / "bin" / "ketamine-cds"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _pct(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))] * 1000


def _wait_ready(base: str, child: subprocess.Popen[bytes]) -> None:
    for _ in range(600):
        if child.poll() is not None:
            raise RuntimeError("the server stopped before it was ready")
        try:
            if httpx.get(f"{base}/api/v1/health", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            time.sleep(0.1)
    raise RuntimeError("the server did not start")


class Load:
    """Latencies by kind, errors, and the events each episode was told were stored."""

    def __init__(self) -> None:
        self.latency: dict[str, list[float]] = defaultdict(list)
        self.errors: list[str] = []
        self.acknowledged: dict[int, int] = defaultdict(int)


async def _client(  # noqa: PLR0913 - the client's episode, credentials and bounds
    http: httpx.AsyncClient, load: Load, *, episode_id: int, nurse: str, until: float, seed: int
) -> None:
    pick = random.Random(seed)
    headers = {"Authorization": f"Bearer {nurse}"}
    path = f"/api/v1/episodes/{episode_id}"
    while time.monotonic() < until:
        for kind, send in (
            ("record", lambda: http.post(
                f"{path}/events", json=observation(pick.randint(2, 7)), headers=headers
            )),
            ("recommend", lambda: http.get(f"{path}/recommendation", headers=headers)),
        ):  # fmt: skip
            start = time.perf_counter()
            try:
                response = await send()
                response.json()
            except (httpx.HTTPError, ValueError) as error:
                load.errors.append(f"{kind}: {type(error).__name__}")
                continue
            load.latency[kind].append(time.perf_counter() - start)
            if response.status_code // 100 != 2:
                load.errors.append(f"{kind}: {response.status_code} {response.text[:120]}")
            elif kind == "record":
                load.acknowledged[episode_id] += 1


async def _run(base: str, tokens: dict[str, str], args: argparse.Namespace) -> tuple[Load, int]:
    limits = httpx.Limits(max_connections=args.clients, max_keepalive_connections=args.clients)
    # Without TCP_NODELAY, a body sent apart from its headers waits for a delayed ACK (~40 ms).
    transport = httpx.AsyncHTTPTransport(
        limits=limits, socket_options=[(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)]
    )
    load = Load()
    async with httpx.AsyncClient(base_url=base, transport=transport, timeout=30) as http:
        ids: list[int] = []
        for n in range(args.clients):
            made = await http.post(
                "/api/v1/episodes",
                json=episode(f"bench-{n}"),
                params={"concentration_mg_per_ml": 1},
                headers={"Authorization": f"Bearer {tokens['phil']}"},
            )
            made.raise_for_status()
            ids.append(int(made.json()["id"]))
            verified = await http.post(
                f"/api/v1/episodes/{ids[-1]}/verification",
                headers={"Authorization": f"Bearer {tokens['paula']}"},
            )
            verified.raise_for_status()
        until = time.monotonic() + min(args.seconds, DEADLINE_S)
        await asyncio.gather(
            *(
                _client(
                    http, load, episode_id=episode_id, nurse=tokens["nina"], until=until, seed=seed
                )
                for seed, episode_id in enumerate(ids)
            )
        )
        lost = 0
        for episode_id in ids:
            shown = await http.get(
                f"/api/v1/episodes/{episode_id}",
                headers={"Authorization": f"Bearer {tokens['nina']}"},
            )
            lost += load.acknowledged[episode_id] - len(shown.json()["events"])
    return load, lost


def main() -> None:
    """Measure, print and write the results."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    bindir = find_bindir()
    if bindir is None:
        raise SystemExit("PostgreSQL's server is not installed (scripts/bootstrap.sh installs it)")
    cluster = Cluster(bindir, durable=True).start()
    child: subprocess.Popen[bytes] | None = None
    try:
        databases = PostgresDatabases(cluster.url())
        url = databases.new()
        db = open_record("postgresql", url)
        db.add_ward()
        data = Path(tempfile.mkdtemp(prefix="kcds-load-"))
        environ = {
            "KETAMINE_CDS_DATABASE_URL": url,
            "KETAMINE_CDS_DATA_DIR": str(data),
            "KETAMINE_CDS_SECRET_KEY": SECRET,
        }
        record = record_container(read_settings(environ))
        tokens = {n: issue_token(record.access, n, n, "load")[0] for n in ("phil", "paula", "nina")}
        record.engine.dispose()
        port = _free_port()
        base = f"http://127.0.0.1:{port}"
        child = subprocess.Popen(
            [str(CLI), "serve", "--port", str(port), "--workers", str(args.workers)],
            env={**os.environ, **environ},
            stdout=subprocess.DEVNULL,
        )
        _wait_ready(base, child)
        load, lost = asyncio.run(_run(base, tokens, args))
    finally:
        if child is not None:
            child.terminate()
            child.wait(timeout=30)
        cluster.stop()
    every = [t for kind in load.latency.values() for t in kind]
    loadavg = " ".join(Path("/proc/loadavg").read_text(encoding="utf-8").split()[:3])
    lines = [
        (
            f"# {datetime.now(UTC).isoformat(timespec='seconds')} {platform.platform()} "
            f"python {platform.python_version()}, {os.cpu_count()} cores, load average {loadavg}"
        ),
        (
            f"# {args.clients} clients, {args.seconds:g} s, PostgreSQL (fsync on), "
            f"{args.workers} workers, loopback"
        ),
        "| requests | p50 ms | p99 ms | max ms | count |",
        "| --- | --- | --- | --- | --- |",
    ]
    for kind, values in (*sorted(load.latency.items()), ("all", every)):
        lines.append(
            f"| {kind} | {_pct(values, 0.5):.1f} | {_pct(values, 0.99):.1f} | "
            f"{max(values) * 1000:.1f} | {len(values)} |"
        )
    lines.append(f"errors: {len(load.errors)}; lost events: {lost}")
    lines.extend(f"  {e}" for e in sorted(set(load.errors))[:10])
    summary = {
        "p50_ms": round(_pct(every, 0.5), 1),
        "p99_ms": round(_pct(every, 0.99), 1),
        "requests": len(every),
        "errors": len(load.errors),
        "lost_events": lost,
        "load_average_1min": round(os.getloadavg()[0], 1),
    }
    lines.append(json.dumps(summary))
    text = "\n".join(lines) + "\n"
    out = ROOT / "bench" / "results" / "ward-load-latest.txt"
    out.write_text(text, encoding="utf-8")
    print(text)


if __name__ == "__main__":
    main()
