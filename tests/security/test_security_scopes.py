"""Who may do what, through the one command path: a site token slates its channel but does
not take, a moderator token acknowledges but does not command, a revoked token is refused
(over HTTP, on a live websocket, over OSC)."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

from control_room.auth import OPERATOR
from control_room.dispatch import Caller, Outcome
from control_room.osc import _Server, translate
from control_room.room import Room
from control_room.tokens import TokenRole, TokenStore
from tests.security.helpers import make_token, ws_client
from tests.support.server import RunningServer, eventually

SLATE = {"type": "slate", "channel": "lille", "text": "Coupure son"}


def test_a_site_token_slates_its_channel_but_cannot_take(server: RunningServer) -> None:
    token = make_token(server, "site", ["lille"], "Technicien Lille")
    status, body = server.request("POST", "/api/commands", body=SLATE, token=token)
    assert status == 200, body
    status, body = server.request(
        "POST", "/api/commands", body={"type": "take", "channel": "lille"}, token=token
    )
    assert status == 403 and "forbidden" in body["error"] and "take" in body["error"]
    other = {"type": "slate", "channel": "main", "text": "Pas chez moi"}
    status, body = server.request("POST", "/api/commands", body=other, token=token)
    assert status == 403 and "main" in body["error"]
    status, _ = server.request("GET", "/api/journal", token=token)
    assert status == 403
    journal = server.request("GET", "/api/journal", token=server.token)[1]
    # Only the slate was journaled, under the token's name.
    assert [(e["who"], e["command"]["type"]) for e in journal["entries"]] == [
        ("Technicien Lille", "slate")
    ]


def test_a_site_token_puts_only_its_own_sites_on_air(server: RunningServer) -> None:
    store = TokenStore(server.data_dir)
    _, token = store.create("Régie Lille", TokenRole.SITE, channels=["main"], sites=["lille"])
    ok = {"type": "site_override", "channel": "main", "site": "lille"}
    assert server.request("POST", "/api/commands", body=ok, token=token)[0] == 200
    other = {"type": "site_override", "channel": "main", "site": "paris"}
    status, body = server.request("POST", "/api/commands", body=other, token=token)
    assert status == 403 and "paris" in body["error"]


async def test_a_moderator_token_acknowledges_but_cannot_command(server: RunningServer) -> None:
    token = make_token(server, "moderator", ["lille"], "Modération Lille")
    status, body = server.request("POST", "/api/commands", body=SLATE, token=token)
    assert status == 403 and "acknowledge" in body["error"]
    async with (
        ws_client(server, hello={"role": "regie", "token": server.token}) as regie,
        ws_client(server, hello={"role": "timer", "channels": ["lille"], "token": token}) as mod,
    ):
        refused = await mod.command({"type": "hold", "channel": "lille"})
        assert refused["ok"] is False and "forbidden" in refused["error"]
        shown = await regie.command(
            {"type": "message", "channel": "lille", "audience": "moderators", "text": "2 min"}
        )
        await mod.send(
            {"type": "ack", "channel": "lille", "message_id": shown["seq"], "name": "Zoé"}
        )
        acks = await regie.wait_for(lambda m: m["type"] == "acks" and m["acks"], what="the ack")
        assert [a["name"] for a in acks["acks"]] == ["Zoé"]


async def test_a_token_revoked_while_connected_is_refused_within_seconds(
    server: RunningServer,
) -> None:
    token = make_token(server, "site", ["lille"], "Technicien Lille")
    async with ws_client(server, hello={"role": "timer", "token": token}) as site:
        assert (await site.command(SLATE))["ok"] is True
        TokenStore(server.data_dir).revoke("Technicien Lille")
        revoked_at = time.monotonic()

        async def refused() -> bool:
            answer = await site.command({"type": "slate_clear", "channel": "lille"})
            return answer["ok"] is False and "unauthorized" in answer["error"]

        while not await refused():
            assert time.monotonic() - revoked_at < 5, "a revoked token still acts"
            await asyncio.sleep(0.1)
    assert eventually(
        lambda: server.request("POST", "/api/commands", body=SLATE, token=token)[0] == 401,
        timeout=5,
        what="the revoked token refused over HTTP",
    )


async def test_osc_refuses_a_command_outside_the_tokens_scope(room: Room, tmp_path: Path) -> None:
    _, token = TokenStore(room.show.journal.path.parent).create(
        "Technicien Lille", TokenRole.SITE, channels=["lille"]
    )
    assert room.auth.store is not None
    room.auth.store.refresh(force=True)
    server = _Server(room.dispatcher, room.auth, trusted=False)
    await room.start()
    try:
        reply = await server.answer("/control-room/lille/take", [token], "osc:test")
        assert b"error" in reply and b"forbidden" in reply
        reply = await server.answer("/control-room/lille/slate", [token, "Coupure"], "osc:test")
        assert b"applied" in reply
    finally:
        await room.stop()


async def test_the_dispatcher_is_the_one_place_that_refuses(room: Room) -> None:
    await room.start()
    try:
        command = translate("/control-room/main/hold", [])
        result = await room.dispatcher.submit(command, Caller("Ana", identity=OPERATOR))
        assert result.outcome is Outcome.APPLIED
        nobody = await room.dispatcher.submit(command, Caller("Ana"))
        assert nobody.outcome is Outcome.UNAUTHORIZED
    finally:
        await room.stop()
