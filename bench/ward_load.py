"""Load on the ward application (not a test): 50 clients at once on PostgreSQL, two workers.

Starts Debian's PostgreSQL in a temporary folder (fsync on), migrates it with ``ketamine-cds db
upgrade``, adds the ward's users and their bearer tokens with the product's own service functions,
and starts ``ketamine-cds serve --workers 2`` on a free loopback port. Through the JSON API a
physician starts ``--episodes`` episodes, a pharmacist verifies each and a nurse starts each
infusion at the rate the first recommendation gives. One client alone then takes 40 steps (the time
of each request without queueing), and ``--clients`` clients (aiohttp, asyncio, one connection each:
the clients share the server's two cores, and aiohttp costs them a third of httpx's CPU,
docs/ward-load.md; client k works on episode k mod episodes, so two share each episode by default)
take steps, each client waiting 0.5-1.5 times ``--pause`` seconds (1 s by default: a bedside
device's pace, far busier than a ward's; docs/adr/0131) after each, until ``--seconds`` have passed
or ``--requests`` were answered. With a pause, each client first waits 0-1.5 times ``--pause``
(docs/adr/0133): a ward's devices are spread over their pauses, and fifty requests sent in the same
millisecond are the capacity run's burst, not a ward. ``--pause 0`` keeps every client's next
request waiting: the server's capacity, not a ward. A step is one of:

- ``observation`` (half): ``POST /api/v1/episodes/{id}/events``, pain and sedation now;
- ``recommendation`` (0.3): ``GET /api/v1/episodes/{id}/recommendation``;
- a look and a change (0.2): that GET, then a ``rate_change`` at the rate it gave, sent with
  ``?against=`` its id. When another client wrote to the episode in between, the answer is the
  designed 409 ``stale``: timed apart (``rate_change_stale``), counted apart, never an error.

Each request is timed from send to the parsed answer. Errors: transport failures, 5xx, and every
4xx but that 409. Afterwards every acknowledged (201) event is looked for in
``GET /api/v1/episodes/{id}`` by the note it carried (same id, same type), no refused one may be
there, positions must run 1..n, and ``GET /api/v1/audit/verify`` must find the chain intact.
Beside the latencies: the CPU time of the server's processes, of PostgreSQL and of the clients
per request, the machine's busy share (other work on it lengthens every figure), and the
database sessions running, computing inside a transaction or waiting on a lock (sampled from
pg_stat_activity). Target: p99 under 50 ms for each kind of request, zero errors, zero lost
events. The servers started here are stopped at the end, also on failure.

Run: ``.venv/bin/python bench/ward_load.py [--clients 50] [--episodes 25] [--seconds 60]
[--requests 6000] [--pause S] [--no-fsync] [--results FILE]`` (about 2 minutes by default).
Results go to ``bench/results/ward-load-latest.txt`` (the last line is JSON); the table is in
docs/ward-load.md.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import platform
import random
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import aiohttp
import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests" / "support"))

from pg_cluster import Cluster, find_bindir  # noqa: E402

CLI = str(Path(sys.executable).parent / "ketamine-cds")
KINDS = ("observation", "recommendation", "rate_change", "rate_change_stale")
OBSERVATIONS, LOOKS = 0.5, 0.3  # shares of the steps; the rest look, then change the rate
ALONE = 40  # steps of one client alone before the crowd
TARGET_P99_MS = 50.0
NURSES = 10
WARM_UP = 2  # steps per client before the clock starts (connections, the workers' caches)
SECRET = "a-secret-key-made-for-one-benchmark-run-only"


@dataclass
class Outcome:
    """What the clients saw."""

    latencies: dict[str, list[float]] = field(default_factory=lambda: {k: [] for k in KINDS})
    alone: dict[str, list[float]] = field(default_factory=lambda: {k: [] for k in KINDS})
    errors: list[str] = field(default_factory=list)
    stale: int = 0
    acknowledged: dict[int, dict[str, tuple[int, str]]] = field(default_factory=dict)
    refused: dict[int, set[str]] = field(default_factory=dict)
    unanswered: dict[int, set[str]] = field(default_factory=dict)
    elapsed_s: float = 0.0
    client_cpu_s: float = 0.0
    server_cpu_s: float = 0.0
    postgres_cpu_s: float = 0.0
    busy_share: float = 0.0
    sessions: dict[str, float] = field(default_factory=dict)


class UniqueClock:
    """Times for events, now and never twice the same (two readings at one moment that differ
    are refused by the record, rightly); the clients share one event loop, so one counter."""

    def __init__(self) -> None:
        self.last = datetime.now(UTC) - timedelta(seconds=1)

    def next(self) -> str:
        """The next time, a second behind the clock (the record refuses the future)."""
        now = datetime.now(UTC) - timedelta(seconds=1)
        self.last = max(now, self.last + timedelta(microseconds=1))
        return self.last.isoformat()


class Sampler(threading.Thread):
    """Twice a second during the load, from pg_stat_activity: the record's sessions running a
    statement, idle inside a transaction (the application computing while it holds its
    locks), and waiting on a lock (all of them, and those waiting for the audit chain's head
    row)."""

    QUERY = (
        "SELECT count(*) FILTER (WHERE state = 'active' AND wait_event_type IS DISTINCT FROM "
        "'Lock'), count(*) FILTER (WHERE state = 'idle in transaction'), "
        "count(*) FILTER (WHERE wait_event_type = 'Lock'), "
        "count(*) FILTER (WHERE wait_event_type = 'Lock' AND query LIKE '%audit_head%') "
        "FROM pg_stat_activity WHERE datname = 'ward' AND pid <> pg_backend_pid()"
    )

    def __init__(self, url: str) -> None:
        super().__init__(daemon=True)
        import sqlalchemy  # noqa: PLC0415 - the record's stack

        self._sql = sqlalchemy
        self._engine = sqlalchemy.create_engine(url, poolclass=sqlalchemy.pool.NullPool)
        self._done = threading.Event()
        self.samples: list[tuple[int, ...]] = []

    def run(self) -> None:
        """Sample until stopped."""
        with self._engine.connect() as connection:
            while not self._done.wait(0.5):
                self.samples.append(tuple(connection.execute(self._sql.text(self.QUERY)).one()))
                connection.rollback()

    def finish(self) -> dict[str, float]:
        """Stop sampling; the mean of each count."""
        self._done.set()
        self.join(timeout=10)
        self._engine.dispose()
        names = ("running", "idle_in_transaction", "waiting_on_lock", "waiting_on_audit_head")
        return {
            name: round(statistics.mean(s[i] for s in self.samples), 1) if self.samples else 0.0
            for i, name in enumerate(names)
        }


def _tree_cpu_s(root: int) -> float:
    """CPU seconds of a process and all under it, with those of the children it has reaped."""
    found: dict[int, tuple[int, int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            with contextlib.suppress(OSError):
                text = (entry / "stat").read_text(encoding="utf-8")
                fields = text[text.rindex(")") + 2 :].split()  # from field 3, the state
                found[int(entry.name)] = (int(fields[1]), sum(int(x) for x in fields[11:15]))
    tree, grown = {root}, True
    while grown:
        more = {pid for pid, (parent, _) in found.items() if parent in tree} - tree
        tree |= more
        grown = bool(more)
    return sum(found[pid][1] for pid in tree if pid in found) / os.sysconf("SC_CLK_TCK")


def cpu_now(server: int, postgres: int) -> tuple[float, float, float, float, float]:
    """CPU seconds so far of the server, of PostgreSQL and of this process; the machine's busy
    and total seconds (idle and iowait are not busy)."""
    ticks = os.sysconf("SC_CLK_TCK")
    fields = [int(x) for x in Path("/proc/stat").read_text(encoding="utf-8").split()[1:9]]
    idle = fields[3] + fields[4]
    return (
        _tree_cpu_s(server),
        _tree_cpu_s(postgres),
        time.process_time(),
        (sum(fields) - idle) / ticks,
        sum(fields) / ticks,
    )


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def _load() -> str:
    return " ".join(Path("/proc/loadavg").read_text(encoding="utf-8").split()[:3])


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _session(base: str, headers: dict[str, str]) -> aiohttp.ClientSession:
    # One connection, as a bedside device keeps; aiohttp sets TCP_NODELAY on it.
    return aiohttp.ClientSession(
        base_url=base,
        headers=headers,
        connector=aiohttp.TCPConnector(limit=1),
        timeout=aiohttp.ClientTimeout(total=60),
    )


def prepare_record(env: dict[str, str]) -> dict[str, str]:
    """Migrate the record (the product's command) and add the ward's users; their tokens."""
    subprocess.run([CLI, "db", "upgrade"], env=env, check=True, capture_output=True)
    from ketamine_cds.bootstrap import build, record_container  # noqa: PLC0415
    from ketamine_cds.service.credentials import issue_token  # noqa: PLC0415
    from ketamine_cds.service.users import add_user  # noqa: PLC0415

    record = record_container(build(env).settings)
    try:
        add_user(record.deps, None, "ann", "admin")  # the first user of a new record
        staff = [("phil", "physician"), ("paula", "pharmacist")]
        staff += [(f"nurse{n:02d}", "nurse") for n in range(NURSES)]
        for name, role in staff:
            add_user(record.deps, "ann", name, role)  # type: ignore[arg-type]
        return {
            name: issue_token(record.access, "ann", name, "ward-load")[0]
            for name in ["ann", *(s[0] for s in staff)]
        }
    finally:
        record.engine.dispose()


def start_server(env: dict[str, str], port: int, log: Path) -> subprocess.Popen[bytes]:
    """``ketamine-cds serve --workers 2`` in its own process group, its output to ``log``."""
    with log.open("wb") as out:
        return subprocess.Popen(
            [CLI, "serve", "--host", "127.0.0.1", "--port", str(port), "--workers", "2"],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )


def stop_server(server: subprocess.Popen[bytes]) -> None:
    """Ctrl-C to uvicorn's supervisor (it stops its workers); the whole group killed if not."""
    if server.poll() is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        os.killpg(server.pid, signal.SIGINT)
    try:
        server.wait(timeout=30)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(server.pid, signal.SIGKILL)
        server.wait(timeout=10)


def wait_ready(base: str, server: subprocess.Popen[bytes], log: Path) -> None:
    """Until ``/api/v1/health`` answers 200 (each worker imports the product first)."""
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"the server stopped: {log.read_text(encoding='utf-8')[-2000:]}")
        with contextlib.suppress(httpx.HTTPError):
            if httpx.get(f"{base}/api/v1/health", timeout=2).status_code == 200:
                return
        time.sleep(0.3)
    raise SystemExit("the server did not answer /api/v1/health within 120 s")


def _episode(number: int) -> dict[str, Any]:
    return {
        "patient": {"id": f"load-{number:03d}", "weight": f"{60 + number % 30} kg"},
        "protocol": {"id": "cancer-continuous"},
        "started_at": (datetime.now(UTC) - timedelta(minutes=5)).isoformat(),
        "baseline": {"pain": 8},
        "pain_goal": 4,
    }


def _rate(recommendation: dict[str, Any]) -> float | None:
    rate = recommendation["output"].get("rate_mg_per_h")
    return None if rate is None else float(rate)


def start_episodes(base: str, tokens: dict[str, str], count: int) -> list[int]:
    """Episodes ordered, verified, each infusion started at its first recommended rate."""
    ids = []
    with httpx.Client(base_url=base, timeout=60) as client:
        for number in range(count):
            made = client.post(
                "/api/v1/episodes", json=_episode(number), headers=_auth(tokens, "phil")
            )
            made.raise_for_status()
            episode_id = int(made.json()["id"])
            client.post(
                f"/api/v1/episodes/{episode_id}/verification", headers=_auth(tokens, "paula")
            ).raise_for_status()
            first = client.get(
                f"/api/v1/episodes/{episode_id}/recommendation", headers=_auth(tokens, "nurse00")
            )
            first.raise_for_status()
            rate = _rate(first.json())
            if rate is None:
                raise SystemExit(f"episode {episode_id}: no starting rate: {first.text[:300]}")
            start = {
                "type": "rate_change",
                "at": (datetime.now(UTC) - timedelta(seconds=2)).isoformat(),
                "rate": f"{rate:g} mg/h",
                "by": "nurse00",
            }
            client.post(
                f"/api/v1/episodes/{episode_id}/events?against={first.json()['id']}",
                json=start,
                headers=_auth(tokens, "nurse00"),
            ).raise_for_status()
            ids.append(episode_id)
    return ids


def _auth(tokens: dict[str, str], name: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {tokens[name]}"}


@dataclass
class Client:
    """One client: its episode, its nurse, its own random choices, where its timings go."""

    number: int
    episode_id: int
    nurse: str
    http: aiohttp.ClientSession
    clock: UniqueClock
    outcome: Outcome
    rng: random.Random
    timings: dict[str, list[float]] | None = None  # None: not timed (the warm-up)
    sent: int = 0

    def _note(self) -> str:
        self.sent += 1
        return f"c{self.number}-{self.sent}"

    async def step(self) -> int:
        """An observation, a look at the recommendation, or a look and a rate change at the
        rate it gives, against it (as a nurse at the pump would); the requests sent."""
        path = f"/api/v1/episodes/{self.episode_id}"
        draw = self.rng.random()
        if draw < OBSERVATIONS:
            body = {
                "type": "observation",
                "at": self.clock.next(),
                "pain": self.rng.randint(2, 6),
                "sedation": self.rng.randint(0, 1),
            }
            await self._send("observation", "POST", f"{path}/events", body)
            return 1
        seen = await self._send("recommendation", "GET", f"{path}/recommendation", None)
        if draw < OBSERVATIONS + LOOKS or seen is None or _rate(seen) is None:
            return 1
        body = {
            "type": "rate_change",
            "at": self.clock.next(),
            "rate": f"{_rate(seen):g} mg/h",
            "by": self.nurse,
        }
        await self._send("rate_change", "POST", f"{path}/events?against={seen['id']}", body)
        return 2

    async def _send(
        self, kind: str, method: str, path: str, body: dict[str, Any] | None
    ) -> dict[str, Any] | None:
        """Send one request, time it, keep what it says; the recommendation it answers with."""
        note = None if body is None else self._note()
        if body is not None:
            body["note"] = note
        out = self.outcome
        start = time.perf_counter()
        try:
            async with self.http.request(method, path, json=body) as response:
                text = await response.text()
                status = response.status
            answer = json.loads(text)
        except (aiohttp.ClientError, TimeoutError, ValueError) as error:
            out.errors.append(f"{kind}: {type(error).__name__}: {error}")
            if note is not None:  # it may or may not have been stored
                out.unanswered.setdefault(self.episode_id, set()).add(note)
            return None
        elapsed = (time.perf_counter() - start) * 1000
        stale = status == 409 and kind == "rate_change" and answer.get("error") == "stale"
        if self.timings is not None:
            self.timings["rate_change_stale" if stale else kind].append(elapsed)
        if status == 201 and note is not None:
            event = answer["event"]
            out.acknowledged.setdefault(self.episode_id, {})[note] = (event["id"], event["type"])
            return None
        if status == 200 and kind == "recommendation":
            return dict(answer)
        if note is not None:
            out.refused.setdefault(self.episode_id, set()).add(note)
        if stale:
            out.stale += 1
            return None
        error_id = answer.get("error_id", "") if isinstance(answer, dict) else ""
        out.errors.append(f"{kind}: {status} {error_id} {text[:300]}")
        return None


async def run_clients(
    base: str,
    tokens: dict[str, str],
    episodes: list[int],
    args: argparse.Namespace,
    pids: tuple[int, int],
) -> Outcome:
    """One client alone for ``ALONE`` steps (the service time without queueing), then
    ``args.clients`` at once until the time or the number of requests is reached."""
    outcome = Outcome()
    clock = UniqueClock()
    clients = []
    for number in range(args.clients + 1):
        nurse = f"nurse{number % NURSES:02d}"
        http = _session(base, _auth(tokens, nurse))
        episode_id = episodes[number % len(episodes)]
        rng = random.Random(args.seed * 1000 + number)
        clients.append(Client(number, episode_id, nurse, http, clock, outcome, rng))
    alone, *crowd = clients
    try:
        for _ in range(WARM_UP):
            await asyncio.gather(*(c.step() for c in clients))
        alone.timings = outcome.alone
        for _ in range(ALONE):
            await alone.step()
        for client in crowd:
            client.timings = outcome.latencies
        deadline = time.monotonic() + args.seconds
        budget = [args.requests]

        async def loop(client: Client) -> None:
            if args.pause:  # a ward's nurses are mid-way through their pauses, not in step
                await asyncio.sleep(client.rng.uniform(0, 1.5) * args.pause)
            while time.monotonic() < deadline and budget[0] > 0:
                budget[0] -= await client.step()
                if args.pause:  # a nurse's time between two requests
                    await asyncio.sleep(client.rng.uniform(0.5, 1.5) * args.pause)

        before = cpu_now(*pids)
        started = time.perf_counter()
        await asyncio.gather(*(loop(c) for c in crowd))
        outcome.elapsed_s = time.perf_counter() - started
        used = [b - a for a, b in zip(before, cpu_now(*pids), strict=True)]
        outcome.server_cpu_s, outcome.postgres_cpu_s, outcome.client_cpu_s = used[:3]
        outcome.busy_share = used[3] / used[4] if used[4] else 0.0
    finally:
        for client in clients:
            await client.http.close()
    return outcome


def check_record(
    base: str, tokens: dict[str, str], episodes: list[int], outcome: Outcome
) -> dict[str, Any]:
    """Every acknowledged event stored as acknowledged, no refused one stored; the audit chain."""
    lost, refused_stored, unanswered_stored, bad_positions, stored_events = [], [], 0, [], 0
    with httpx.Client(base_url=base, timeout=120) as client:
        for episode_id in episodes:
            shown = client.get(f"/api/v1/episodes/{episode_id}", headers=_auth(tokens, "nurse00"))
            shown.raise_for_status()
            events = shown.json()["events"]
            stored_events += len(events)
            if [e["position"] for e in events] != list(range(1, len(events) + 1)):
                bad_positions.append(episode_id)
            by_note = {e["event"].get("note"): (e["id"], e["type"]) for e in events}
            for note, kept in outcome.acknowledged.get(episode_id, {}).items():
                if by_note.get(note) != kept:
                    lost.append(
                        f"episode {episode_id} {note}: acknowledged {kept}, stored "
                        f"{by_note.get(note)}"
                    )
            refused_stored += [
                f"episode {episode_id} {n}"
                for n in outcome.refused.get(episode_id, set())
                if n in by_note
            ]
            unanswered_stored += sum(
                1 for n in outcome.unanswered.get(episode_id, set()) if n in by_note
            )
        started = time.perf_counter()
        audit = client.get("/api/v1/audit/verify", headers=_auth(tokens, "ann"), timeout=300)
        audit.raise_for_status()
        verify_s = time.perf_counter() - started
    return {
        "acknowledged": sum(len(v) for v in outcome.acknowledged.values()),
        "stored_events": stored_events,
        "lost": lost,
        "refused_but_stored": refused_stored,
        "unanswered_but_stored": unanswered_stored,
        "bad_positions": bad_positions,
        "audit": audit.json(),
        "audit_verify_s": verify_s,
    }


def _server_tracebacks(log: Path) -> list[str]:
    text = log.read_text(encoding="utf-8", errors="replace")
    return [line for line in text.splitlines() if "Error" in line or "Traceback" in line][:20]


def _kind_lines(
    timings: dict[str, list[float]], result: dict[str, Any], prefix: str, *, check: bool
) -> list[str]:
    """One line per kind of request: count, p50, p99, max (and the target, when ``check``)."""
    lines = []
    for kind in KINDS:
        ms = timings[kind]
        if not ms:
            lines.append(f"  {kind:<18} no requests")
            continue
        p50, p99 = statistics_ms(ms)
        result[f"{prefix}{kind}_requests"] = len(ms)
        result[f"{prefix}{kind}_p50_ms"] = p50
        result[f"{prefix}{kind}_p99_ms"] = p99
        result[f"{prefix}{kind}_max_ms"] = round(max(ms), 1)
        met = f"  (p99 < {TARGET_P99_MS:g} ms: {'met' if p99 < TARGET_P99_MS else 'NOT met'})"
        lines.append(
            f"  {kind:<18} {len(ms):>6} requests  p50 {p50:>7.1f} ms  p99 {p99:>7.1f} ms  "
            f"max {max(ms):>7.1f} ms{met if check else ''}"
        )
    return lines


def summarise(
    args: argparse.Namespace, outcome: Outcome, checked: dict[str, Any]
) -> tuple[list[str], dict[str, Any]]:
    """The lines of the results file and its machine-readable record."""
    elapsed, client_cpu_s, sessions = outcome.elapsed_s, outcome.client_cpu_s, outcome.sessions
    load_end = _load()
    result: dict[str, Any] = {
        "benchmark": "ward load",
        "clients": args.clients,
        "episodes": args.episodes,
        "server_workers": 2,
        "database": f"postgresql (fsync {'off' if args.no_fsync else 'on'})",
        "pause_s": args.pause,
        "seconds": round(elapsed, 1),
    }
    lines = [f"{args.clients} clients at once:"]
    lines += _kind_lines(outcome.latencies, result, "", check=True)
    every = [x for kind in KINDS for x in outcome.latencies[kind]]
    p50_all, p99_all = statistics_ms(every) if every else (0.0, 0.0)
    timed = len(every)
    rate = round(timed / elapsed, 1) if elapsed else 0.0
    lines.append(
        f"  {'all':<18} {timed:>6} requests  p50 {p50_all:>7.1f} ms  p99 {p99_all:>7.1f} ms  "
        f"in {elapsed:.1f} s ({rate} requests/s)"
    )
    lines.append(f"one client alone ({ALONE} steps, before the others start; no queueing):")
    lines += _kind_lines(outcome.alone, result, "alone_", check=False)
    result |= {
        "requests": timed,
        "p50_ms": p50_all,
        "p99_ms": p99_all,
        "requests_per_s": rate,
        "errors": len(outcome.errors),
        "stale_409": outcome.stale,
        "acknowledged_events": checked["acknowledged"],
        "stored_events": checked["stored_events"],
        "lost_events": len(checked["lost"]),
        "refused_but_stored": len(checked["refused_but_stored"]),
        "unanswered_but_stored": checked["unanswered_but_stored"],
        "positions_broken": len(checked["bad_positions"]),
        "audit_intact": bool(checked["audit"]["intact"]),
        "audit_entries": checked["audit"]["entries"],
        "audit_verify_s": round(checked["audit_verify_s"], 1),
        "client_cpu_s": round(client_cpu_s, 1),
        **{f"db_sessions_{k}_mean": v for k, v in outcome.sessions.items() if k[0] != "m"},
        "server_cpu_ms_per_request": round(outcome.server_cpu_s * 1000 / timed, 1) if timed else 0,
        "postgres_cpu_ms_per_request": round(outcome.postgres_cpu_s * 1000 / timed, 1)
        if timed
        else 0,
        "machine_busy_share": round(outcome.busy_share, 2),
        "load_average_start": args.load_start,
        "load_average_end": load_end,
        "python": platform.python_version(),
        "cpus": os.cpu_count(),
    }
    slowest = max((result.get(f"{k}_p99_ms", 0.0) for k in KINDS), default=0.0)
    no_loss = not checked["lost"] and not checked["refused_but_stored"]
    no_loss = no_loss and not checked["bad_positions"] and result["audit_intact"]
    result["targets"] = {
        "p99_under_50ms": bool(every) and slowest < TARGET_P99_MS,
        "zero_errors": not outcome.errors,
        "zero_lost_events": no_loss,
    }
    targets = ", ".join(f"{n} {'met' if m else 'NOT met'}" for n, m in result["targets"].items())
    lines.append(
        f"errors (transport, 5xx, 4xx other than the stale 409): {len(outcome.errors)}; "
        f"stale rate changes refused with 409 as designed: {outcome.stale}"
    )
    lines.append(
        f"events acknowledged (201): {checked['acknowledged']}; stored: "
        f"{checked['stored_events']} (with the {args.episodes} starting rates); lost or "
        f"changed: {len(checked['lost'])}; refused but stored: "
        f"{len(checked['refused_but_stored'])}; unanswered but stored: "
        f"{checked['unanswered_but_stored']}; episodes whose positions do not run 1..n: "
        f"{len(checked['bad_positions'])}"
    )
    lines.append(
        f"audit verify: intact {checked['audit']['intact']}, {checked['audit']['entries']} "
        f"entries, {checked['audit_verify_s']:.1f} s"
    )
    lines.append(
        f"CPU while the {args.clients} clients ran: the server's processes "
        f"{outcome.server_cpu_s:.1f} s ({result['server_cpu_ms_per_request']} ms a request), "
        f"PostgreSQL {outcome.postgres_cpu_s:.1f} s ({result['postgres_cpu_ms_per_request']} ms "
        f"a request), the clients {client_cpu_s:.1f} s, in {elapsed:.1f} s; the machine's "
        f"{os.cpu_count()} cores "
        f"busy {outcome.busy_share:.0%} of the time (all its work, not only this run's)"
    )
    lines.append(
        "the record's database sessions during the load, mean of samples twice a second: "
        f"{sessions.get('running', 0)} running a statement, "
        f"{sessions.get('idle_in_transaction', 0)} idle inside a transaction (the server "
        "computing while it holds its locks), "
        f"{sessions.get('waiting_on_lock', 0)} waiting on a lock, of them "
        f"{sessions.get('waiting_on_audit_head', 0)} for the audit chain's head row"
    )
    lines.append(f"machine load average: {args.load_start} at the start, {load_end} at the end")
    lines.append(f"targets: {targets}")
    lines += [f"error: {e}" for e in outcome.errors[:10]]
    lines += [f"lost: {e}" for e in checked["lost"][:10]]
    lines += [f"refused but stored: {e}" for e in checked["refused_but_stored"][:10]]
    return lines, result


def statistics_ms(values: list[float]) -> tuple[float, float]:
    """p50 and p99, rounded to 0.1 ms."""
    return round(_pct(values, 0.5), 1), round(_pct(values, 0.99), 1)


def _stop_on_term(_signum: int, _frame: object) -> None:
    raise SystemExit(1)  # unwinds through the finally blocks that stop the servers


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--episodes", type=int, default=25)
    parser.add_argument("--seconds", type=float, default=60, help="timed run, at most")
    parser.add_argument("--requests", type=int, default=6000, help="timed requests, at most")
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument(
        "--pause",
        type=float,
        default=1.0,
        help="seconds a client waits between steps (mean); 0: no pause, the server's capacity",
    )
    parser.add_argument(
        "--no-fsync",
        action="store_true",
        help="PostgreSQL without fsync: how much of the time is the disk (not the product's way)",
    )
    parser.add_argument(
        "--results", type=Path, default=ROOT / "bench" / "results" / "ward-load-latest.txt"
    )
    args = parser.parse_args()
    if not (1 <= args.episodes <= args.clients <= 200 and 1 <= args.seconds <= 600):
        parser.error("give 1 <= episodes <= clients <= 200 and 1 <= seconds <= 600")
    return args


def measure(args: argparse.Namespace, cluster: Cluster, folder: Path) -> list[str]:
    """Everything between the database's start and its stop, as lines of the results file."""
    import sqlalchemy  # noqa: PLC0415 - the record's stack

    admin = sqlalchemy.create_engine(cluster.url(), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(sqlalchemy.text('CREATE DATABASE "ward"'))
    admin.dispose()
    env = {
        **os.environ,
        "KETAMINE_CDS_DATABASE_URL": cluster.url("ward"),
        "KETAMINE_CDS_DATA_DIR": str(folder / "data"),
        "KETAMINE_CDS_SECRET_KEY": SECRET,
        "KETAMINE_CDS_CACHE_DIR": "",
    }
    tokens = prepare_record(env)
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    log = folder / "server.log"
    server = start_server(env, port, log)
    try:
        wait_ready(base, server, log)
        episodes = start_episodes(base, tokens, args.episodes)
        postmaster = int((cluster.data / "postmaster.pid").read_text().split()[0])
        sampler = Sampler(cluster.url("ward"))
        sampler.start()
        try:
            outcome = asyncio.run(
                run_clients(base, tokens, episodes, args, (server.pid, postmaster))
            )
        finally:
            outcome_sessions = sampler.finish()
        outcome.sessions = outcome_sessions
        checked = check_record(base, tokens, episodes, outcome)
    finally:
        stop_server(server)
    lines, result = summarise(args, outcome, checked)
    if outcome.errors:
        lines += [f"server log: {line}" for line in _server_tracebacks(log)]
    return [*lines, json.dumps(result)]


def main() -> None:
    """Start the database and the server, load them, check the record, write the results."""
    signal.signal(signal.SIGTERM, _stop_on_term)
    args = _arguments()
    args.load_start = _load()
    heading = (
        f"# {datetime.now(UTC).isoformat(timespec='seconds')} {platform.platform()} "
        f"python {platform.python_version()}, {os.cpu_count()} cores, load average "
        f"{args.load_start} at the start"
    )
    setup = (
        f"ward load: {args.clients} clients (aiohttp, asyncio, one connection each) on "
        f"{args.episodes} episodes, ketamine-cds serve --workers 2 on 127.0.0.1, PostgreSQL "
        f"(Debian's, fsync {'OFF' if args.no_fsync else 'on'}); at most {args.seconds:g} s or "
        f"{args.requests} requests after "
        f"{WARM_UP} untimed steps per client; each step an observation (half), a look at the "
        "recommendation (0.3), or a look and a rate change at its rate against it (0.2)"
        + (
            f"; a pause of {args.pause:g} s on average after each step"
            " and 0-1.5 times that before the first"
            if args.pause
            else "; no pause between steps (the server's capacity)"
        )
    )
    print(heading, setup, sep="\n", flush=True)
    bindir = find_bindir()
    if bindir is None:
        raise SystemExit("PostgreSQL's server is not installed (apt-get install postgresql)")
    cluster = Cluster(bindir, durable=not args.no_fsync)
    with tempfile.TemporaryDirectory(prefix="kcds-ward-load-") as folder:
        try:
            cluster.start()
            lines = measure(args, cluster, Path(folder))
        finally:
            cluster.stop()
    text = "\n".join([heading, setup, *lines]) + "\n"
    out = args.results
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(text, encoding="utf-8")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
