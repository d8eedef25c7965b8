"""Fixtures for the EHR integration tests: example episodes read from the shipped files."""

from __future__ import annotations

from pathlib import Path

import pytest

from ketamine_cds.adapters.episode_files import read_episode_file
from ketamine_cds.domain.episode import Episode

EXAMPLES = Path(__file__).resolve().parents[3] / "examples" / "episodes"


@pytest.fixture
def seed_case_2() -> Episode:
    """Seed 001, Case 2, as the shipped example episode."""
    return read_episode_file(EXAMPLES / "seed-001-case-2.yaml")
