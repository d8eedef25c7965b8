"""Screenshots of the ward pages on the demonstration ward, into docs/screenshots/.

    .venv/bin/python scripts/page_screenshots.py

A new SQLite record in a temporary folder is loaded with the demonstration ward (the seed cases
as patients, marked as demonstration data), served by the real application on a loopback port,
and opened in Debian's Chromium (Playwright) at a ward tablet's size, signed in as the
demonstration nurse. It writes:

- ``ward-board.png``: the ward board;
- ``episode-page.png``: an episode page with its recommendation, forms and timeline chart
  (seed 001's second case, running above its ceiling);
- ``episode-soft-limit.png``: the same page after the nurse asks for a rate above the soft limit.
"""

from __future__ import annotations

import socket
import sys
import tempfile
import threading
import time
from pathlib import Path

import uvicorn
from playwright.sync_api import Page, sync_playwright

from ketamine_cds.adapters.db.migrate import upgrade
from ketamine_cds.adapters.episode_files import read_episode_file
from ketamine_cds.adapters.render.chromium import CHROMIUM, CHROMIUM_FLAGS
from ketamine_cds.bootstrap import build, record_container
from ketamine_cds.entrypoints.http.app import create_app, shipped_extras
from ketamine_cds.service.demo import DEMO_USERS, load_demo, new_order, ward_cases

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "docs" / "screenshots"
EXAMPLES = ROOT / "examples" / "episodes"
TABLET = {"width": 1024, "height": 768}
EPISODE_PATIENT = "DEMO-seed-001-case-2"


def serve(folder: Path) -> tuple[uvicorn.Server, str]:
    """The demonstration ward in a new record, served on a free loopback port."""
    environ = {
        "KETAMINE_CDS_DATABASE_URL": f"sqlite:///{folder / 'record.sqlite3'}",
        "KETAMINE_CDS_DATA_DIR": str(folder),
    }
    container = build(environ)
    record = record_container(container.settings)
    upgrade(record.engine)
    cases = ward_cases(lambda stem: read_episode_file(EXAMPLES / f"{stem}.yaml"))
    load_demo(record.deps, record.access, cases, new_order())
    app = create_app(container, record, container.settings, extras=shipped_extras())
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning"))
    threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True).start()
    deadline = time.monotonic() + 30
    while not server.started:
        if time.monotonic() > deadline:
            sys.exit("the server did not start within 30 s")
        time.sleep(0.05)
    return server, f"http://127.0.0.1:{sock.getsockname()[1]}"


def sign_in(page: Page, base: str, role: str) -> None:
    """Sign in as the demonstration user of ``role``."""
    name, _, password = next(u for u in DEMO_USERS if u[1] == role)
    page.goto(f"{base}/login")
    page.get_by_label("User name").fill(name)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{base}/")


def main() -> None:
    """Write the screenshots."""
    OUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="ketamine-cds-shots-") as tmp:
        server, base = serve(Path(tmp))
        try:
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(
                    executable_path=str(CHROMIUM), headless=True, args=list(CHROMIUM_FLAGS)
                )
                context = browser.new_context(viewport=TABLET, locale="en-GB")
                page = context.new_page()
                sign_in(page, base, "nurse")
                page.screenshot(path=str(OUT / "ward-board.png"), full_page=True)
                page.get_by_role("link", name=EPISODE_PATIENT).click()
                page.locator("#chart svg").wait_for()
                page.screenshot(path=str(OUT / "episode-page.png"), full_page=True)
                rate = page.locator("#rate-form")
                rate.get_by_label("New rate").fill("18")
                rate.get_by_role("button", name="Record the rate change").click()
                page.locator("#outcome").wait_for()
                page.locator("#outcome").scroll_into_view_if_needed()
                page.screenshot(path=str(OUT / "episode-soft-limit.png"))
                browser.close()
        finally:
            server.should_exit = True
    for name in ("ward-board.png", "episode-page.png", "episode-soft-limit.png"):
        print(OUT / name)


if __name__ == "__main__":
    main()
