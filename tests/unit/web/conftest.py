"""Fixtures of the pages' unit tests: the shipped protocols and the pages' templates."""

from __future__ import annotations

import pytest

from ketamine_cds.adapters.protocol_source import FileProtocolSource
from ketamine_cds.entrypoints.web.templating import environment, served_static


@pytest.fixture(scope="session")
def protocols() -> FileProtocolSource:
    """The shipped protocols."""
    return FileProtocolSource()


@pytest.fixture(scope="session")
def env():
    """The pages' Jinja2 environment, as the app serves it."""
    return environment(served_static("/static/"))
