"""CDS Hooks order-sign latency at 20 concurrent requests on loopback.

Starts the CDS Hooks routes under uvicorn in a child process on 127.0.0.1 (a free port, one
worker unless ``--workers``), with JWT authentication (an ES384 key made for the run; every
request carries its own token, signed before the clock starts). The client keeps 20 requests in
flight (httpx, asyncio) and sends seed 001 case 2's draft order (70 kg, 18 mg/h,
cancer-continuous: a warning card with a suggestion), measuring each request from send to the
parsed answer. A warm-up of 100 requests is not counted. Bounded: ``--requests`` (2,000 by
default) and a 120 s deadline; the server is stopped at the end.

Usage: ``.venv/bin/python bench/cds_hooks.py [--requests N] [--concurrency C] [--workers W]``.
The last line is machine-readable JSON. Target: p99 under 200 ms (the opioid-cds pilots report
responses under 1 s).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "tests" / "support"))

from ehr.hook_builders import (  # noqa: E402 - the test builders are on the path set above
    ISSUER,
    hook_request,
    jwks_text,
    ketamine_order,
    signing_key,
    token,
)

DEADLINE_S = 120.0
WRK = shutil.which("wrk")
WARM_UP = 100


def _service() -> Any:  # noqa: ANN401 - a CdsHooksService
    """The CDS Hooks service on the shipped protocols, with no episodes and no feedback kept."""
    from ketamine_cds.adapters.cds_hooks.hooks import CdsHooksService  # noqa: PLC0415
    from ketamine_cds.adapters.clock import SystemClock  # noqa: PLC0415
    from ketamine_cds.adapters.protocol_source import FileProtocolSource  # noqa: PLC0415

    class NoEpisodes:
        def active_for(self, _patient_id: str) -> None:
            return None

    class NoFeedback:
        def record(self, _feedback: list[Any]) -> None:
            return None

    return CdsHooksService(FileProtocolSource(), NoEpisodes(), NoFeedback(), SystemClock())


def app_factory() -> Any:  # noqa: ANN401 - a FastAPI app
    """The CDS Hooks routes with JWT authentication (built in each server worker)."""
    from fastapi import FastAPI  # noqa: PLC0415 - the child process only

    from ketamine_cds.adapters.cds_hooks.security import authenticator  # noqa: PLC0415
    from ketamine_cds.entrypoints.http.cds_hooks import cds_hooks_router  # noqa: PLC0415

    auth = authenticator(sandbox=False, issuers=(ISSUER,), jwks=os.environ["BENCH_JWKS"])
    app = FastAPI()
    app.include_router(cds_hooks_router(_service(), auth, public_url=os.environ["BENCH_BASE"]))
    return app


def serve(port: int, workers: int) -> None:
    """Run the app under uvicorn (the child process)."""
    import uvicorn  # noqa: PLC0415 - the child process only

    uvicorn.run(
        "cds_hooks:app_factory",
        factory=True,
        app_dir=str(HERE),
        host="127.0.0.1",
        port=port,
        log_level="warning",
        workers=workers,
    )


WRK_SCRIPT = """
local tokens = {}
for line in io.lines(os.getenv("BENCH_TOKENS")) do tokens[#tokens + 1] = line end
local body = io.open(os.getenv("BENCH_BODY")):read("*a")
local threads, counter = 0, 0
function setup(thread)
  thread:set("offset", threads)
  threads = threads + 1
end
function init(args)
  counter = 0
end
function request()
  counter = counter + 1
  local index = offset * PER_THREAD + counter
  return wrk.format("POST", nil, {["Content-Type"] = "application/json",
    ["Authorization"] = "Bearer " .. tokens[index]}, body)
end
"""


def _wrk(
    url: str, tokens: list[str], body: dict[str, Any], args: argparse.Namespace
) -> dict[str, Any]:
    """Run wrk (C, little CPU of its own) with one unused token per request; its percentiles."""
    threads = min(2, args.concurrency)  # wrk needs a connection per thread
    per_thread = len(tokens) // threads
    with tempfile.TemporaryDirectory() as folder:
        paths = {name: Path(folder) / name for name in ("tokens", "body.json", "script.lua")}
        paths["tokens"].write_text("\n".join(tokens), encoding="utf-8")
        paths["body.json"].write_text(json.dumps(body), encoding="utf-8")
        paths["script.lua"].write_text(
            WRK_SCRIPT.replace("PER_THREAD", str(per_thread)), encoding="utf-8"
        )
        env = {
            **os.environ,
            "BENCH_TOKENS": str(paths["tokens"]),
            "BENCH_BODY": str(paths["body.json"]),
        }
        out = subprocess.run(
            [
                WRK,
                "-t",
                str(threads),
                "-c",
                str(args.concurrency),
                "-d",
                f"{args.seconds}s",
                "--latency",
                "-s",
                str(paths["script.lua"]),
                url,
            ],
            capture_output=True,
            text=True,
            env=env,
            timeout=args.seconds + 60,
            check=True,
        ).stdout
    return {"wrk": out}


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def _run(url: str, bodies: list[tuple[str, dict[str, Any]]], concurrency: int) -> list[float]:
    latencies: list[float] = []
    queue: asyncio.Queue[tuple[str, dict[str, Any]]] = asyncio.Queue()
    for item in bodies:
        queue.put_nowait(item)
    deadline = time.monotonic() + DEADLINE_S
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)

    async def worker(client: httpx.AsyncClient) -> None:
        while not queue.empty() and time.monotonic() < deadline:
            bearer, body = queue.get_nowait()
            start = time.perf_counter()
            response = await client.post(
                url, json=body, headers={"Authorization": f"Bearer {bearer}"}
            )
            cards = response.json()["cards"]
            latencies.append(time.perf_counter() - start)
            if response.status_code != 200 or cards[0]["indicator"] != "warning":
                raise RuntimeError(
                    f"unexpected answer {response.status_code}: {response.text[:200]}"
                )

    # Without TCP_NODELAY, a body sent apart from its headers waits for a delayed ACK (~40 ms).
    transport = httpx.AsyncHTTPTransport(
        limits=limits, socket_options=[(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)]
    )
    async with httpx.AsyncClient(transport=transport, timeout=30) as client:
        await asyncio.gather(*(worker(client) for _ in range(concurrency)))
    return latencies


def _wait_ready(base: str) -> None:
    for _ in range(300):
        try:
            if httpx.get(f"{base}/cds-services", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            time.sleep(0.1)
    raise RuntimeError("the server did not start")


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def _wrk_get(url: str, args: argparse.Namespace) -> str:
    """wrk on the discovery document: the HTTP stack's own floor, measured in the same run."""
    return subprocess.run(
        [
            WRK,
            "-t",
            str(min(2, args.concurrency)),
            "-c",
            str(args.concurrency),
            "-d",
            f"{args.seconds}s",
            "--latency",
            url,
        ],
        capture_output=True,
        text=True,
        timeout=args.seconds + 60,
        check=True,
    ).stdout


def _ms(text: str) -> float:
    for suffix, factor in (("us", 0.001), ("ms", 1.0), ("s", 1000.0)):
        if text.endswith(suffix):
            return float(text.removesuffix(suffix)) * factor
    raise ValueError(text)


def _wrk_result(out: str) -> dict[str, float]:
    """wrk's percentiles, rate and failures, from its --latency report."""
    found: dict[str, float] = {}
    lines = out.splitlines()
    for line in lines:
        parts = line.split()
        if len(parts) == 2 and parts[0] in {"50%", "75%", "90%", "99%"}:
            found[f"p{parts[0].rstrip('%')}_ms"] = round(_ms(parts[1]), 1)
        if line.startswith("Requests/sec:"):
            found["requests_per_s"] = float(parts[1])
        if "requests in" in line:
            found["requests"] = float(parts[0])
        if line.strip().startswith("Non-2xx"):
            found["failed"] = float(parts[-1])
        if line.strip().startswith("Latency") and len(parts) >= 4:
            found["max_ms"] = round(_ms(parts[3]), 1)
    return found


def _handler_cpu_ms(calls: int = 300) -> float:
    """CPU time of one order-sign answer in this process (the service alone, no HTTP): a figure
    other work on the machine barely moves, unlike the wall-clock latencies."""
    from ketamine_cds.adapters.cds_hooks.hooks import ORDER_SIGN  # noqa: PLC0415
    from ketamine_cds.adapters.cds_hooks.models import HookRequest  # noqa: PLC0415

    service = _service()
    requests = [HookRequest.model_validate(hook_request(ketamine_order(18))) for _ in range(calls)]
    service.call(ORDER_SIGN, requests[0], "http://127.0.0.1")
    started = time.process_time()
    for request in requests:
        service.call(ORDER_SIGN, request, "http://127.0.0.1")
    return round((time.process_time() - started) / calls * 1000, 2)


def _measure(args: argparse.Namespace, key: Any, url: str) -> dict[str, Any]:  # noqa: ANN401 - a signing key
    warm = [(token(key, url), hook_request(ketamine_order(18))) for _ in range(WARM_UP)]
    asyncio.run(_run(url, warm, args.concurrency))
    use_wrk = args.client == "wrk" or (args.client == "auto" and WRK is not None)
    if use_wrk:
        runs = []
        for _ in range(args.repeats):
            tokens = [
                token(key, url, exp=int(time.time()) + 3600) for _ in range(600 * args.seconds)
            ]
            runs.append(
                _wrk_result(_wrk(url, tokens, hook_request(ketamine_order(18)), args)["wrk"])
            )
        floor = _wrk_result(_wrk_get(url.rsplit("/", 1)[0], args))
        result: dict[str, Any] = {
            key_: statistics.median(run[key_] for run in runs) for key_ in runs[0]
        }
        result["runs"] = runs
        result["discovery_p99_ms"] = floor.get("p99_ms")
        result["p99_over_discovery"] = round(result["p99_ms"] / floor["p99_ms"], 1)
        result["client"] = "wrk"
        return result
    bodies = [(token(key, url), hook_request(ketamine_order(18))) for _ in range(args.requests)]
    started = time.perf_counter()
    ms = [x * 1000 for x in asyncio.run(_run(url, bodies, args.concurrency))]
    elapsed = time.perf_counter() - started
    return {
        "client": "httpx",
        "requests": len(ms),
        "p50_ms": round(statistics.median(ms), 1),
        "p90_ms": round(_percentile(ms, 0.90), 1),
        "p99_ms": round(_percentile(ms, 0.99), 1),
        "max_ms": round(max(ms), 1),
        "requests_per_s": round(len(ms) / elapsed, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=2000, help="httpx client: requests")
    parser.add_argument("--concurrency", type=int, default=20)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--seconds", type=int, default=15, help="wrk client: run length")
    parser.add_argument("--client", choices=["auto", "wrk", "httpx"], default="auto")
    parser.add_argument("--repeats", type=int, default=3, help="wrk client: runs (medians kept)")
    parser.add_argument("--serve", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve(args.serve, args.workers)
        return
    key = signing_key("ES384")
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    url = f"{base}/cds-services/ketamine-order-sign"
    with tempfile.TemporaryDirectory() as folder:
        jwks = Path(folder) / "jwks.json"
        jwks.write_text(jwks_text(key), encoding="utf-8")
        child = subprocess.Popen(
            [sys.executable, __file__, "--serve", str(port), "--workers", str(args.workers)],
            env={
                **os.environ,
                "PYTHONPATH": str(HERE.parent / "src"),
                "BENCH_JWKS": str(jwks),
                "BENCH_BASE": base,
            },
        )
        try:
            _wait_ready(base)
            result = _measure(args, key, url)
        finally:
            child.terminate()
            child.wait(timeout=10)
    result = {
        "benchmark": "cds-hooks order-sign",
        "handler_cpu_ms": _handler_cpu_ms(),
        "concurrency": args.concurrency,
        "server_workers": args.workers,
        **result,
        "python": platform.python_version(),
        "cpus": os.cpu_count(),
        # Other work on the machine lengthens every figure: the load average says how much.
        "load_average_1min": round(os.getloadavg()[0], 1),
    }
    print(
        f"order-sign, {args.concurrency} in flight, {args.workers} worker(s), {result['client']}: "
        f"p50 {result.get('p50_ms')} ms, p90 {result.get('p90_ms')} ms, p99 {result.get('p99_ms')} "
        f"ms, max {result.get('max_ms')} ms, {result.get('requests_per_s')} req/s; service alone "
        f"{result['handler_cpu_ms']} ms CPU a call; load average {result['load_average_1min']}"
    )
    print(json.dumps(result))


if __name__ == "__main__":
    main()
