"""Who may act: the one token check, for every adapter (HTTP, websocket, later OSC).

Readers never need a credential; every change needs the operator's token. The comparison
is constant-time (:func:`hmac.compare_digest`).
"""

from __future__ import annotations

import hmac
from collections.abc import Mapping

__all__ = ["Auth", "bearer"]


def bearer(headers: Mapping[str, str]) -> str | None:
    """The token of an ``Authorization: Bearer TOKEN`` header, if any."""
    scheme, _, value = headers.get("authorization", "").partition(" ")
    return value.strip() if scheme.lower() == "bearer" and value.strip() else None


class Auth:
    """The operator token and the one way to check a given one.

    Args:
        token: the operator token (from ``CONTROL_ROOM_TOKEN`` or the data dir).
    """

    def __init__(self, token: str) -> None:
        self._token = token.encode()

    def check(self, given: str | None) -> bool:
        """Whether ``given`` is the operator token (constant time; ``None`` never is)."""
        return given is not None and hmac.compare_digest(given.encode(), self._token)
