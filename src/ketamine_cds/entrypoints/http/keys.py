"""The server's secret, and what it signs: session cookies and the tokens of forms.

The secret comes from settings (``KETAMINE_CDS_SECRET_KEY``) or, when none is set, from the file
``secret_key`` in the data folder, generated on first use (readable by its owner only). Several
workers on one machine share the file; servers on several machines share the setting.

A session cookie is the session's random id, signed with a timestamp (itsdangerous), so a forged
or stale cookie is refused before the database is asked. A form's token is an HMAC of the
browser's random cookie and the session id (the signed double-submit pattern): a page of another
site can neither read nor compute it (docs/adr/0092-csrf-signed-double-submit.md).
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from itsdangerous import BadSignature, URLSafeTimedSerializer

from ketamine_cds.domain.errors import UserInputError
from ketamine_cds.service.sessions import NotAuthenticatedError
from ketamine_cds.settings import Settings

SECRET_FILE = "secret_key"  # noqa: S105 - the file's name, not a key


def _read_secret(path: Path) -> str:
    text = path.read_text(encoding="utf-8").strip()
    if len(text) < 32:
        raise UserInputError(f"{path} holds no usable key; remove it to have a new one made")
    return text


def load_secret(settings: Settings) -> str:
    """The secret from settings, else the data folder's (made there on first use)."""
    if settings.secret_key:
        return settings.secret_key
    folder = settings.data_folder
    path = folder / SECRET_FILE
    if path.exists():
        return _read_secret(path)
    folder.mkdir(parents=True, exist_ok=True)
    # Written aside, then linked into place: two workers starting at once agree on one key.
    fd, temporary = _private_file(folder)
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        out.write(secrets.token_urlsafe(48) + "\n")
    try:
        os.link(temporary, path)
    except FileExistsError:
        pass
    finally:
        with contextlib.suppress(FileNotFoundError):
            Path(temporary).unlink()
    return _read_secret(path)


def _private_file(folder: Path) -> tuple[int, str]:
    name = str(folder / f".{SECRET_FILE}.{secrets.token_hex(8)}")
    return os.open(name, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), name


@dataclass(frozen=True)
class Keys:
    """What the secret signs."""

    secret: str
    session_seconds: int

    def _sessions(self) -> URLSafeTimedSerializer:
        return URLSafeTimedSerializer(self.secret, salt="ketamine-cds session")

    def session_cookie(self, session_id: str) -> str:
        """The cookie value for a session id."""
        return self._sessions().dumps(session_id)

    def session_id(self, cookie: str) -> str:
        """The session id a cookie carries, if its signature holds and it is not too old."""
        try:
            value = self._sessions().loads(cookie, max_age=self.session_seconds)
        except BadSignature:
            raise NotAuthenticatedError("the session cookie is not valid; log in again") from None
        if not isinstance(value, str):
            raise NotAuthenticatedError("the session cookie is not valid; log in again")
        return value

    def form_token(self, browser_nonce: str, session_id: str | None) -> str:
        """The token a form of this browser (and this session) carries."""
        key = hashlib.sha256(f"ketamine-cds csrf|{self.secret}".encode()).digest()
        message = f"{browser_nonce}|{session_id or ''}".encode()
        return hmac.new(key, message, hashlib.sha256).hexdigest()

    def form_token_holds(self, given: str, browser_nonce: str, session_id: str | None) -> bool:
        """Whether ``given`` is this browser's and this session's token."""
        expected = self.form_token(browser_nonce, session_id)
        return hmac.compare_digest(given.encode(), expected.encode())
