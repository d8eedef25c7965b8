"""Debian's Chromium as the product starts it: the binary and the flags that keep it offline.

Browser tests and screenshots launch it through Playwright with ``executable_path``; no browser
is ever downloaded. Without the background-networking flags Chromium reaches for Google's hosts
at every start, which a closed ward network refuses.
"""

from __future__ import annotations

from pathlib import Path

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)
