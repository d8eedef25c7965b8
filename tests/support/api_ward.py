"""The ward application on a test record: the app from the product's factory, its users'
credentials, and a few requests every API test makes (start an episode, verify it)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from fastapi import FastAPI
from fastapi.testclient import TestClient
from record_db import RecordDb

from ketamine_cds.bootstrap import RecordContainer, build, record_container
from ketamine_cds.entrypoints.http.app import Extra, create_app
from ketamine_cds.service.credentials import issue_token, set_password

SECRET = "a-test-secret-that-is-long-enough-for-the-settings"  # noqa: S105 - a test's key
PASSWORDS = {"nina": "walks the ward at night", "phil": "orders with care, always"}
BASE_URL = "https://testserver"


def environment(db_url: str, data: Path) -> dict[str, str]:
    """The settings of a server on this record."""
    return {
        "KETAMINE_CDS_DATABASE_URL": db_url,
        "KETAMINE_CDS_DATA_DIR": str(data),
        "KETAMINE_CDS_SECRET_KEY": SECRET,
        "KETAMINE_CDS_CACHE_DIR": "",
    }


@dataclass
class Ward:
    """The app, its test client, its record, and a bearer token per user."""

    db: RecordDb
    record: RecordContainer
    app: FastAPI
    client: TestClient
    tokens: dict[str, str] = field(default_factory=dict)

    def auth(self, name: str) -> dict[str, str]:
        """The Authorization header of a user's token."""
        return {"Authorization": f"Bearer {self.tokens[name]}"}

    def call(self, method: str, path: str, name: str | None, **kwargs: Any) -> Any:
        """One request as ``name`` (with their token), or unauthenticated (None)."""
        headers = {**(self.auth(name) if name else {}), **kwargs.pop("headers", {})}
        return self.client.request(method, path, headers=headers, **kwargs)

    def start(self, patient: str = "p-1", weight: str = "70 kg", **more: Any) -> int:
        """A new cancer-continuous episode ordered by phil, started a minute ago; its id."""
        response = self.call(
            "POST", "/api/v1/episodes", "phil", json=episode(patient, weight, **more)
        )
        assert response.status_code == 201, response.text
        return int(response.json()["id"])

    def verify(self, episode_id: int) -> None:
        """paula verifies the order."""
        response = self.call("POST", f"/api/v1/episodes/{episode_id}/verification", "paula")
        assert response.status_code == 201, response.text

    def close(self) -> None:
        """Close the client and both engines."""
        self.client.close()
        self.record.engine.dispose()
        self.db.engine.dispose()


def now() -> datetime:
    """The time now, UTC."""
    return datetime.now(UTC)


def stamp(moment: datetime) -> str:
    """A time as the API takes it."""
    return moment.isoformat()


def episode(patient: str = "p-1", weight: str = "70 kg", **more: Any) -> dict[str, Any]:
    """An episode document under cancer-continuous, started a minute ago."""
    return {
        "patient": {"id": patient, "weight": weight},
        "protocol": {"id": "cancer-continuous"},
        "started_at": stamp(now() - timedelta(minutes=1)),
        "baseline": {"pain": 8},
        "pain_goal": 4,
        **more,
    }


def rate_change(rate: str, *, ago: timedelta = timedelta(0)) -> dict[str, Any]:
    """A rate change event set by nina."""
    return {"type": "rate_change", "at": stamp(now() - ago), "rate": rate, "by": "nina"}


def observation(pain: int, **more: Any) -> dict[str, Any]:
    """An observation now."""
    return {"type": "observation", "at": stamp(now()), "pain": pain, **more}


def open_ward(
    db: RecordDb,
    data: Path,
    extras: list[Extra] | None = None,
    more_settings: dict[str, str] | None = None,
) -> Ward:
    """The app on ``db`` (already migrated), with the ward's users and their credentials."""
    db.add_ward()
    container = build({**environment(db.url, data), **(more_settings or {})})
    record = record_container(container.settings)
    app = create_app(container, record, container.settings, extras=extras or [])
    client = TestClient(app, base_url=BASE_URL, raise_server_exceptions=False)
    built = Ward(db, record, app, client)
    for name in ("ann", "phil", "paula", "nina", "nora"):
        built.tokens[name] = issue_token(record.access, name, name, "tests")[0]
    for name, password in PASSWORDS.items():
        set_password(record.access, name, name, password)
    return built
