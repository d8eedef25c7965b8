"""Browser tests: Debian's Chromium driven by Playwright, pages served on a loopback port.

Fixtures for every browser test:

- ``browser``: one headless Chromium per test process (``/usr/bin/chromium``, never a browser
  download), started with flags that keep it off the network.
- ``page``: a fresh context and page at a ward tablet's size (1024 x 768), closed afterwards.
- ``serve_static``: serves a folder on 127.0.0.1 at a free port, in a thread; returns its URL.
- ``serve_asgi``: serves an ASGI app (the web app) with uvicorn the same way.
- ``site``: a folder with the pages' static files under ``/static/``, to write pages into.
- ``assert_accessible(page)``: injects axe-core and fails on any serious or critical violation.

Every browser test is marked ``e2e`` (select with ``-m e2e``, leave out with ``-m "not e2e"``).
Without Chromium the tests are skipped, unless ``KETAMINE_CDS_TEST_REQUIRE_BROWSER`` is set
(``scripts/test.sh`` sets it), when they fail.
"""

from __future__ import annotations

import functools
import http.server
import os
import shutil
import socket
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from ketamine_cds.adapters.render.chromium import CHROMIUM, CHROMIUM_FLAGS
from ketamine_cds.entrypoints.web.templating import STATIC_DIR

TABLET = {"width": 1024, "height": 768}
AXE = Path(__file__).parent / "vendor" / "axe-core" / "axe.min.js"
BLOCKING = {"serious", "critical"}
HERE = Path(__file__).parent


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Every test in this folder is a browser test."""
    for item in items:
        if Path(str(item.fspath)).is_relative_to(HERE):
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """Headless Chromium from Debian, one per test process."""
    if not CHROMIUM.exists():
        reason = f"{CHROMIUM} is not installed (apt-get install chromium)"
        if os.environ.get("KETAMINE_CDS_TEST_REQUIRE_BROWSER"):
            pytest.fail(reason)
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright  # noqa: PLC0415 - only with a browser

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=list(CHROMIUM_FLAGS)
        )
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    """A new page at a ward tablet's size, in its own context."""
    context = browser.new_context(viewport=TABLET, locale="en-GB")
    try:
        yield context.new_page()
    finally:
        context.close()


def _free_socket() -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    return sock


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the stdlib's name
        """Keep the test output clean."""


@pytest.fixture
def serve_static() -> Iterator[Callable[[Path], str]]:
    """Serve a folder on a free loopback port; the server stops after the test."""
    servers: list[tuple[http.server.ThreadingHTTPServer, threading.Thread]] = []

    def serve(folder: Path) -> str:
        handler = functools.partial(_QuietHandler, directory=str(folder))
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        servers.append((server, thread))
        return f"http://127.0.0.1:{server.server_address[1]}"

    yield serve
    for server, thread in servers:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


@pytest.fixture
def serve_asgi() -> Iterator[Callable[[Any], str]]:
    """Serve an ASGI app with uvicorn on a free loopback port; it stops after the test."""
    uvicorn = pytest.importorskip("uvicorn")
    running: list[tuple[Any, threading.Thread]] = []

    def serve(app: Any) -> str:
        sock = _free_socket()
        config = uvicorn.Config(app, log_level="warning", lifespan="auto")
        server = uvicorn.Server(config)
        thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
        thread.start()
        deadline = time.monotonic() + 15
        while not server.started:
            if time.monotonic() > deadline or not thread.is_alive():
                raise RuntimeError("the ASGI server did not start within 15 s")
            time.sleep(0.02)
        running.append((server, thread))
        return f"http://127.0.0.1:{sock.getsockname()[1]}"

    yield serve
    for server, thread in running:
        server.should_exit = True
        thread.join(timeout=15)


@pytest.fixture
def site(tmp_path: Path) -> Path:
    """A folder holding the pages' static files under static/, as the web app serves them."""
    shutil.copytree(STATIC_DIR, tmp_path / "static")
    return tmp_path


def axe_violations(page: Any) -> list[dict[str, Any]]:
    """Every axe-core violation on the page as it stands."""
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    return list(result["violations"])


def assert_accessible(page: Any) -> None:
    """Fail on any serious or critical axe-core violation, naming each and where it is."""
    blocking = [v for v in axe_violations(page) if v.get("impact") in BLOCKING]
    lines = [
        f"{v['impact']}: {v['id']} ({v['help']}) at "
        + ", ".join(" ".join(node["target"]) for node in v["nodes"][:5])
        for v in blocking
    ]
    assert not blocking, "accessibility violations:\n" + "\n".join(lines)


@pytest.fixture
def accessible() -> Callable[[Any], None]:
    """The accessibility check, as a fixture: ``accessible(page)``."""
    return assert_accessible
