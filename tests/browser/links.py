"""URLs the browser tests open that need a token of the server's store."""

from __future__ import annotations

import secrets

from control_room.tokens import TokenRole, TokenStore
from tests.support.server import RunningServer

__all__ = ["moderator_link"]


def moderator_link(server: RunningServer, channel: str, query: str = "") -> str:
    """A moderator's timer URL with a new moderator token of ``channel``: the server logs the
    page in (a session cookie) and redirects to the URL without the token."""
    name = f"Modération {channel} {secrets.token_hex(3)}"
    _, token = TokenStore(server.data_dir).create(name, TokenRole.MODERATOR, channels=[channel])
    return f"{server.base_url}/timer/{channel}?token={token}" + (f"&{query}" if query else "")
