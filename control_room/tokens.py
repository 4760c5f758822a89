"""The token store: the named, scoped tokens of a data directory (``tokens.json``).

Besides the one operator token (``$CONTROL_ROOM_TOKEN`` or the data dir's ``token``), an
operator hands out tokens of narrower roles (docs/security.md):

- ``operator``: everything, like the operator token;
- ``site``: the slate, the site override and the messages of its channel(s), e.g. the
  technician at one remote site;
- ``moderator``: acknowledging the régie's messages on its channel(s).

A token is ``cr_<id>_<secret>``: the id (public, shown by ``token list``) finds the entry,
the secret is compared against its salted SHA-256 hash. The secrets are 192 random bits, so
a fast hash is enough (a slow one, like scrypt, only protects guessable passwords); the
file never holds a usable token. The file is written atomically (``os.replace``) with mode
0600; a running server re-reads it when its modification time or size changes
(:meth:`TokenStore.refresh`, at most once a second), so a revoked token is refused within
about a second, on every connection that carries it.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import secrets
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path
from typing import Any

__all__ = [
    "STORE_FILE",
    "StoredToken",
    "TokenError",
    "TokenRole",
    "TokenStore",
    "mask",
]

STORE_FILE = "tokens.json"
"""The store's file name in the data directory."""

REFRESH_SECONDS = 1.0
"""A running server looks at the store's file at most this often."""

_PREFIX = "cr_"
_VERSION = 1


class TokenRole(StrEnum):
    """What a token lets its holder do (see :mod:`control_room.auth`)."""

    OPERATOR = "operator"
    SITE = "site"
    MODERATOR = "moderator"


class TokenError(ValueError):
    """A token that cannot be created or revoked, or a store file that cannot be read."""


@dataclass(frozen=True, slots=True)
class StoredToken:
    """One entry of the store: who holds it, what it may do, and the hash of its secret.

    Attributes:
        id: the public part of the token (``cr_<id>_…``).
        name: who holds it (``Technicien Morlaix``); unique in the store.
        role: what it may do.
        channels: the channels it acts on (empty: every channel; only the operator role).
        sites: for a ``site`` token, the sites it may put on air (empty: any).
        created: when it was made (UTC, ISO 8601).
    """

    id: str
    name: str
    role: TokenRole
    channels: frozenset[str] = frozenset()
    sites: frozenset[str] = frozenset()
    created: str = ""
    salt: str = field(default="", repr=False)
    digest: str = field(default="", repr=False)

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "role": self.role.value,
            "channels": sorted(self.channels),
            "sites": sorted(self.sites),
            "created": self.created,
            "salt": self.salt,
            "sha256": self.digest,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> StoredToken:
        return cls(
            id=str(data["id"]),
            name=str(data["name"]),
            role=TokenRole(data["role"]),
            channels=frozenset(str(c) for c in data.get("channels", [])),
            sites=frozenset(str(s) for s in data.get("sites", [])),
            created=str(data.get("created", "")),
            salt=str(data["salt"]),
            digest=str(data["sha256"]),
        )

    def matches(self, secret: str) -> bool:
        """Whether ``secret`` is this token's secret (constant time)."""
        return hmac.compare_digest(_digest(self.salt, secret), self.digest)

    def scope(self) -> str:
        """The scope in words, for ``token list``."""
        parts = [f"channels {', '.join(sorted(self.channels))}" if self.channels else "all"]
        if self.sites:
            parts.append(f"sites {', '.join(sorted(self.sites))}")
        return "; ".join(parts)


def _digest(salt: str, secret: str) -> str:
    return hashlib.sha256(bytes.fromhex(salt) + secret.encode()).hexdigest()


def split(token: str) -> tuple[str, str] | None:
    """The (id, secret) of a store token, or None if ``token`` is not of that shape."""
    if not token.startswith(_PREFIX):
        return None
    ident, sep, secret = token[len(_PREFIX) :].partition("_")
    if not sep or not ident or not secret:
        return None
    return ident, secret


def mask(token: str) -> str:
    """A token shown without revealing it: its first and last four characters."""
    if len(token) <= 12:
        return "…"
    return f"{token[:4]}…{token[-4:]}"


class TokenStore:
    """The tokens of one data directory, read from ``tokens.json`` and kept fresh.

    Args:
        data_dir: the data directory (the file may not exist yet: no tokens).
    """

    def __init__(self, data_dir: Path) -> None:
        self.path = Path(data_dir) / STORE_FILE
        self._tokens: dict[str, StoredToken] = {}
        self._stamp: tuple[int, int, int] | None = None
        self._looked = float("-inf")
        self.refresh(force=True)

    # -- reading --------------------------------------------------------------------

    def refresh(self, *, force: bool = False, now: float | None = None, look: bool = False) -> None:
        """Re-read the file if it changed (looked at most once per ``REFRESH_SECONDS``).

        A file that cannot be read keeps no token (fail closed) until it can be.

        Args:
            force: re-read it even if it looks unchanged.
            now: a monotonic instant (default: now).
            look: look at it now, whenever it was last looked at (an unknown token id:
                a token just made must work at once).
        """
        now = time.monotonic() if now is None else now
        if not force and not look and now - self._looked < REFRESH_SECONDS:
            return
        self._looked = now
        try:
            stat = self.path.stat()
        except FileNotFoundError:
            self._tokens, self._stamp = {}, None
            return
        stamp = (stat.st_ino, stat.st_mtime_ns, stat.st_size)
        if stamp == self._stamp and not force:
            return
        try:
            self._tokens = {t.id: t for t in self._read()}
        except TokenError:
            self._tokens = {}
        self._stamp = stamp

    def _read(self) -> list[StoredToken]:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
            return [StoredToken.from_json(entry) for entry in data["tokens"]]
        except FileNotFoundError:
            return []
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise TokenError(f"{self.path}: not a token store ({exc})") from None

    def tokens(self) -> list[StoredToken]:
        """Every token, oldest first."""
        return sorted(self._tokens.values(), key=lambda t: (t.created, t.name))

    def find(self, token: str) -> StoredToken | None:
        """The entry ``token`` is the token of, or None (unknown, revoked or malformed)."""
        parts = split(token)
        if parts is None:
            return None
        if parts[0] not in self._tokens:
            self.refresh(look=True)
        found = self._tokens.get(parts[0])
        return found if found is not None and found.matches(parts[1]) else None

    # -- writing (the CLI) ------------------------------------------------------------

    def create(
        self,
        name: str,
        role: TokenRole,
        *,
        channels: Iterable[str] = (),
        sites: Iterable[str] = (),
        known_channels: Sequence[str] | None = None,
    ) -> tuple[StoredToken, str]:
        """Add a token; returns its entry and the token itself (shown once, never stored).

        Raises:
            TokenError: an empty or taken name, a site or moderator token without a channel,
                channels for an operator token, or an unknown channel.
        """
        name = name.strip()
        if not name or len(name) > 80:
            raise TokenError("a token needs a name of 1 to 80 characters")
        entries = self._read()
        if any(t.name == name for t in entries):
            raise TokenError(f"a token named {name!r} exists; revoke it or choose another name")
        chosen = frozenset(c.strip() for c in channels if c.strip())
        if role is TokenRole.OPERATOR and (chosen or any(sites)):
            raise TokenError("an operator token acts everywhere: give no --channel or --site")
        if role is not TokenRole.OPERATOR and not chosen:
            raise TokenError(f"a {role.value} token needs at least one --channel")
        if sites and role is not TokenRole.SITE:
            raise TokenError("--site only narrows a site token")
        if known_channels is not None:
            unknown = sorted(chosen - set(known_channels))
            if unknown:
                raise TokenError(f"unknown channels: {', '.join(unknown)}")
        ident = secrets.token_hex(4)
        while any(t.id == ident for t in entries):
            ident = secrets.token_hex(4)
        secret = secrets.token_urlsafe(24)
        salt = secrets.token_hex(16)
        entry = StoredToken(
            id=ident,
            name=name,
            role=role,
            channels=chosen,
            sites=frozenset(s.strip() for s in sites if s.strip()),
            created=datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z"),
            salt=salt,
            digest=_digest(salt, secret),
        )
        self._write([*entries, entry])
        return entry, f"{_PREFIX}{ident}_{secret}"

    def revoke(self, which: str) -> StoredToken:
        """Remove the token of this name or id.

        Raises:
            TokenError: no token has that name or id.
        """
        entries = self._read()
        found = [t for t in entries if which in (t.name, t.id)]
        if not found:
            raise TokenError(f"no token named {which!r} (see `control-room token list`)")
        self._write([t for t in entries if t not in found])
        return found[0]

    def _write(self, entries: list[StoredToken]) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        text = json.dumps({"version": _VERSION, "tokens": [t.to_json() for t in entries]}, indent=2)
        temp = self.path.with_name(f".{self.path.name}.{os.getpid()}.tmp")
        fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text + "\n")
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temp, self.path)
        self.refresh(force=True)
