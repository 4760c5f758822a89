"""Who may act: the one credential check, for every adapter (HTTP, websocket, OSC).

Readers never need a credential. A change needs a token, and :meth:`Auth.check` says whose
it is, as an :class:`Identity` (role, scope, name), or None:

- the operator token (``$CONTROL_ROOM_TOKEN`` or the data dir's ``token``): the operator;
- a token of the data dir's store (:mod:`control_room.tokens`): its role and scope.

What an identity may do is decided here too, by :func:`refusal` (a command) and
:func:`ack_refusal` (an acknowledgement); :class:`~control_room.dispatch.Dispatcher` asks
them for every submission, so the rule is the same whatever the adapter. Comparisons are
constant-time (:func:`hmac.compare_digest`).

A browser carries its token in the ``control_room_session`` cookie (HttpOnly,
SameSite=Strict; set by ``POST /login``, see :mod:`control_room.views.login`); scripts and
Companion keep ``Authorization: Bearer TOKEN``.
"""

from __future__ import annotations

import hmac
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from control_room.core.commands import Command, SiteOverride
from control_room.tokens import TokenRole, TokenStore

__all__ = [
    "COOKIE",
    "SITE_COMMANDS",
    "Auth",
    "OPERATOR",
    "Identity",
    "TokenRole",
    "ack_refusal",
    "bearer",
    "origin_allowed",
    "refusal",
    "same_origin",
]

COOKIE = "control_room_session"
"""The session cookie of a logged-in browser (it holds the token; HttpOnly)."""

SITE_COMMANDS = frozenset(
    {
        "slate",
        "slate_clear",
        "slate_toggle",
        "site_override",
        "site_clear",
        "message",
        "message_clear",
    }
)
"""What a ``site`` token may do, on its own channels."""


def bearer(headers: Mapping[str, str]) -> str | None:
    """The token of an ``Authorization: Bearer TOKEN`` header, if any."""
    scheme, _, value = headers.get("authorization", "").partition(" ")
    return value.strip() if scheme.lower() == "bearer" and value.strip() else None


@dataclass(frozen=True, slots=True)
class Identity:
    """Who holds a valid token.

    Attributes:
        name: the token's name (``operator`` for the operator token).
        role: what it may do.
        channels: the channels it acts on (empty: every channel).
        sites: the sites a ``site`` token may put on air (empty: any).
        token_id: the store's id of the token (None: the operator token).
    """

    name: str
    role: TokenRole
    channels: frozenset[str] = frozenset()
    sites: frozenset[str] = frozenset()
    token_id: str | None = None

    @property
    def is_operator(self) -> bool:
        return self.role is TokenRole.OPERATOR

    def covers(self, channel: str | None) -> bool:
        """Whether this identity acts on ``channel`` (None: every channel at once)."""
        if not self.channels:
            return True
        return channel is not None and channel in self.channels

    def describe(self) -> str:
        """``site token «Technicien Morlaix» (parcours-1)``: for error messages."""
        scope = f" ({', '.join(sorted(self.channels))})" if self.channels else ""
        return f"{self.role.value} token «{self.name}»{scope}"


OPERATOR = Identity(name="operator", role=TokenRole.OPERATOR)
"""The holder of the operator token."""


def refusal(identity: Identity, command: Command) -> str | None:
    """Why ``identity`` may not give ``command``, or None if it may."""
    if identity.is_operator and identity.covers(command.channel):
        return None
    kind = command.type
    if identity.role is TokenRole.SITE and kind in SITE_COMMANDS:
        if not identity.covers(command.channel):
            return f"forbidden: a {identity.describe()} may not act on {command.channel}"
        if isinstance(command, SiteOverride) and identity.sites:
            if command.site not in identity.sites:
                return f"forbidden: a {identity.describe()} may not put {command.site} on air"
        return None
    if identity.role is TokenRole.SITE:
        allowed = ", ".join(sorted(SITE_COMMANDS))
        return f"forbidden: a {identity.describe()} may not {kind} (only {allowed})"
    if identity.role is TokenRole.MODERATOR:
        return f"forbidden: a {identity.describe()} may only acknowledge messages"
    return f"forbidden: a {identity.describe()} may not act on {command.channel}"


def ack_refusal(identity: Identity | None, channel: str) -> str | None:
    """Why ``identity`` may not acknowledge a message on ``channel``, or None if it may.

    An acknowledgement needs a moderator token of that channel, or the operator's.
    """
    if identity is None:
        return "unauthorized: acknowledging needs a moderator link (a moderator token)"
    if identity.role in (TokenRole.OPERATOR, TokenRole.MODERATOR) and identity.covers(channel):
        return None
    return f"forbidden: a {identity.describe()} may not acknowledge on {channel}"


def origin_allowed(origin: str | None, host: str | None, allowed: Sequence[str]) -> bool:
    """The websocket Origin rule: no Origin (not a browser), the same origin, or an allowed one.

    Args:
        origin: the request's ``Origin`` header.
        host: the request's ``Host`` header.
        allowed: extra allowed origins (``scheme://host[:port]``), or ``"*"`` for any.
    """
    if origin is None:
        return True
    if "*" in allowed:
        return True
    normalized = origin.rstrip("/").lower()
    if normalized in {a.rstrip("/").lower() for a in allowed}:
        return True
    parts = urlsplit(normalized)
    return host is not None and parts.scheme in ("http", "https") and parts.netloc == host.lower()


def same_origin(headers: Mapping[str, str], allowed: Sequence[str]) -> bool:
    """Whether a state-changing request comes from this server's own pages (CSRF).

    Its ``Origin``, if it names one, must be the request's own host (or an allowed origin);
    a browser that sends ``Origin: null`` (a page with ``Referrer-Policy: no-referrer``) must
    say ``Sec-Fetch-Site: same-origin``. A request with neither header is not from a browser
    (curl, a script): no other site can make it on someone's behalf.
    """
    origin = headers.get("origin")
    if origin is not None and origin != "null":
        return origin_allowed(origin, headers.get("host"), allowed)
    site = headers.get("sec-fetch-site")
    if site is not None:
        return site == "same-origin"
    return origin is None


class Auth:
    """The operator token, the data dir's token store, and the one way to check a token.

    Args:
        token: the operator token (from ``CONTROL_ROOM_TOKEN`` or the data dir).
        store: the named tokens (None: the operator token only).
    """

    def __init__(self, token: str, *, store: TokenStore | None = None) -> None:
        self._token = token.encode()
        self.store = store

    @classmethod
    def for_data_dir(cls, token: str, data_dir: Path) -> Auth:
        """The operator token and the store of ``data_dir``."""
        return cls(token, store=TokenStore(data_dir))

    def check(self, given: str | None) -> Identity | None:
        """Whose token ``given`` is (constant time), or None (no token, unknown, revoked).

        The store is re-read when its file changed (at most once a second), so a revoked
        token is refused on the next check after that.
        """
        if not given:
            return None
        if hmac.compare_digest(given.encode(), self._token):
            return OPERATOR
        if self.store is None:
            return None
        self.store.refresh()
        found = self.store.find(given)
        if found is None:
            return None
        return Identity(
            name=found.name,
            role=found.role,
            channels=found.channels,
            sites=found.sites,
            token_id=found.id,
        )

    def request_token(self, headers: Mapping[str, str], cookies: Mapping[str, str]) -> str | None:
        """The token a request carries: its Bearer header, else its session cookie."""
        return bearer(headers) or cookies.get(COOKIE) or None
