"""Who may call the CDS service: a bearer JWT as CDS Hooks 2.0 requires, checked with PyJWT.

The token's header must say ``alg`` ES384 or RS384 (``none`` and every HMAC algorithm are
refused before any key is looked at), ``typ`` JWT and a ``kid`` found in the configured key set
(a JWKS file, or an https URL read through PyJWT's cached client); a ``jku`` header is not
followed, the configured set is the only one trusted. The claims must carry ``iss`` from the
configured issuers, ``aud`` equal to the service's own URL, ``exp`` in the future, ``iat`` not
in the future, and a ``jti`` not seen before from that issuer within the token's lifetime.

Sandbox mode (``KETAMINE_CDS_CDS_HOOKS_SANDBOX=1``) takes every request as the client
``sandbox``, and says so in the log when the service is built.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

import jwt

from ketamine_cds.domain.errors import UserInputError
from ketamine_cds.settings import CDS_HOOKS_JWKS

ALLOWED_ALGORITHMS = ("ES384", "RS384")
_KEY_TYPE = {"ES384": "EC", "RS384": "RSA"}
LEEWAY_S = 60  # clock difference tolerated between the EHR and the service
SANDBOX_CLIENT = "sandbox"
log = logging.getLogger("ketamine_cds.cds_hooks")


class NotAuthenticatedError(Exception):
    """A request whose bearer token the service does not accept; the message says why."""


class KeySource(Protocol):
    """The public keys of the EHRs the service trusts."""

    def key(self, kid: str) -> jwt.PyJWK:
        """The key with this id, or :class:`NotAuthenticatedError`."""
        ...


@dataclass(frozen=True)
class FileKeys:
    """A JWKS read from a file (or given as text)."""

    keys: jwt.PyJWKSet

    @classmethod
    def from_file(cls, path: Path) -> FileKeys:
        """Read a JWKS file; one sentence naming the setting if it cannot be used."""
        try:
            return cls.from_text(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError) as error:
            reason = error.strerror if isinstance(error, OSError) else "it is not UTF-8 text"
            problem = f"cannot be read ({reason})"
        except (ValueError, TypeError, KeyError, AttributeError, jwt.PyJWTError):
            problem = "is not a JSON Web Key Set (RFC 7517) holding at least one usable key"
        raise UserInputError(f"the CDS Hooks key set {path} ({CDS_HOOKS_JWKS}) {problem}")

    @classmethod
    def from_text(cls, text: str) -> FileKeys:
        """Read a JWKS document."""
        return cls(jwt.PyJWKSet.from_dict(json.loads(text)))

    def key(self, kid: str) -> jwt.PyJWK:
        """The key with this id."""
        for candidate in self.keys.keys:
            if candidate.key_id == kid:
                return candidate
        raise NotAuthenticatedError(f"the token's key '{kid}' is not in the trusted key set")


@dataclass(frozen=True)
class UrlKeys:
    """A JWKS read from an https URL, cached by PyJWT's client."""

    client: jwt.PyJWKClient

    @classmethod
    def from_url(cls, url: str) -> UrlKeys:
        """Keys from ``url`` (https only)."""
        if not url.startswith("https://"):
            raise ValueError("a JWKS URL must be https")
        return cls(jwt.PyJWKClient(url, cache_keys=True, lifespan=3600))

    def key(self, kid: str) -> jwt.PyJWK:
        """The key with this id."""
        try:
            return self.client.get_signing_key(kid)
        except jwt.PyJWKClientError as error:
            raise NotAuthenticatedError(
                f"the token's key '{kid}' cannot be found ({error})"
            ) from None


class SeenTokens(Protocol):
    """Token ids already used, so a token is not accepted twice."""

    def first_use(self, issuer: str, jti: str, expires: float) -> bool:
        """True the first time (issuer, jti) is seen before ``expires``; False after."""
        ...


@dataclass
class MemorySeenTokens:
    """Token ids seen by this process, forgotten once their token has expired.

    One process's memory: with several workers a replayed token could reach another worker
    within its lifetime (a few minutes); the served application uses the record's database
    instead (``adapters.db.seen_tokens``).
    """

    _seen: dict[tuple[str, str], float] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def first_use(self, issuer: str, jti: str, expires: float) -> bool:
        """Remember (issuer, jti) until ``expires``."""
        now = time.time()
        with self._lock:
            self._seen = {k: v for k, v in self._seen.items() if v + LEEWAY_S > now}
            if (issuer, jti) in self._seen:
                return False
            self._seen[(issuer, jti)] = expires
            return True


class Authenticator(Protocol):
    """Says who a request comes from, or refuses it."""

    def client(self, authorization: str | None, audience: str) -> str:
        """The client (issuer) of a request to ``audience``, or :class:`NotAuthenticatedError`."""
        ...


def _bearer(authorization: str | None) -> tuple[str, str, str]:
    """The token of a bearer header, with its algorithm and key id, checked before any key."""
    if not authorization or not authorization.startswith("Bearer "):
        raise NotAuthenticatedError("the request has no bearer token")
    token = authorization.removeprefix("Bearer ").strip()
    try:
        header = jwt.get_unverified_header(token)
    except jwt.InvalidTokenError:
        raise NotAuthenticatedError("the bearer token is not a JWT") from None
    alg = header.get("alg")
    if alg not in ALLOWED_ALGORITHMS:
        raise NotAuthenticatedError(
            f"the token is signed with {alg!r}; only ES384 and RS384 are accepted"
        )
    if header.get("typ") not in (None, "JWT"):
        raise NotAuthenticatedError("the token's typ is not JWT")
    kid = header.get("kid")
    if not isinstance(kid, str) or not kid:
        raise NotAuthenticatedError("the token names no key (kid)")
    return token, alg, kid


@dataclass(frozen=True)
class JwtAuthenticator:
    """Bearer JWTs from the configured issuers, signed by the configured keys."""

    issuers: frozenset[str]
    keys: KeySource
    seen: SeenTokens

    def client(self, authorization: str | None, audience: str) -> str:
        """The issuer of a valid token for ``audience``."""
        token, alg, kid = _bearer(authorization)
        key = self.keys.key(kid)
        if key.key_type != _KEY_TYPE[alg]:
            raise NotAuthenticatedError(f"the token's key '{kid}' is not a {alg} key")
        try:
            claims = jwt.decode(
                token,
                key=key.key,
                algorithms=[alg],
                audience=audience,
                leeway=LEEWAY_S,
                options={"require": ["iss", "aud", "exp", "iat", "jti"]},
            )
        except jwt.PyJWTError as error:
            raise NotAuthenticatedError(f"the token is not accepted: {error}") from None
        issuer = str(claims["iss"])
        if issuer not in self.issuers:
            raise NotAuthenticatedError(f"the issuer '{issuer}' is not a trusted EHR")
        if float(claims["iat"]) > time.time() + LEEWAY_S:
            raise NotAuthenticatedError("the token was issued in the future")
        if not self.seen.first_use(issuer, str(claims["jti"]), float(claims["exp"])):
            raise NotAuthenticatedError("the token has been used before (its jti is known)")
        return issuer


@dataclass(frozen=True)
class SandboxAuthenticator:
    """No authentication: for a local sandbox only."""

    def client(self, authorization: str | None, audience: str) -> str:  # noqa: ARG002 - the same shape as JwtAuthenticator
        """Every request is the sandbox client."""
        return SANDBOX_CLIENT


def authenticator(
    *, sandbox: bool, issuers: tuple[str, ...], jwks: str | None, seen: SeenTokens | None = None
) -> Authenticator:
    """The authenticator the settings ask for (sandbox mode is announced in the log).

    ``seen`` keeps the token ids already used; without one, this process's memory does.
    """
    if sandbox:
        log.warning(
            "CDS Hooks sandbox mode is ON: requests are accepted without authentication. "
            "Never use it with real patients."
        )
        return SandboxAuthenticator()
    if not issuers or not jwks:
        raise ValueError(
            "the CDS Hooks service needs trusted issuers and a key set "
            "(KETAMINE_CDS_CDS_HOOKS_ISSUERS and KETAMINE_CDS_CDS_HOOKS_JWKS), or sandbox mode"
        )
    keys: KeySource = UrlKeys.from_url(jwks) if "://" in jwks else FileKeys.from_file(Path(jwks))
    return JwtAuthenticator(frozenset(issuers), keys, seen or MemorySeenTokens())
