"""Operator commands over HTTP and websocket, the token, the origin rule, bad input."""

from __future__ import annotations

import asyncio

import pytest
from conftest import LONG_DAY
from websockets.exceptions import InvalidStatus

from control_room.tokens import TokenRole, TokenStore
from tests.support.server import RunningServer, run_server
from tests.support.ws import WsClient


def channel(message: dict, channel_id: str) -> dict:
    return next(c for c in message["state"]["channels"] if c["id"] == channel_id)


async def test_a_command_from_one_client_reaches_the_others(long_day_server: RunningServer) -> None:
    s = long_day_server
    async with (
        WsClient.connect(
            s.ws_url, hello={"role": "regie", "token": s.token, "name": "Ana"}
        ) as regie,
        WsClient.connect(s.ws_url, hello={"role": "overlay", "channels": ["main"]}) as overlay,
        WsClient.connect(s.ws_url, hello={"role": "timer", "channels": ["lille"]}) as timer,
    ):
        for client in (regie, overlay, timer):
            await client.wait_for(lambda m: len(client.states()) >= 2, what="snapshot")
        result = await regie.command({"type": "slate", "channel": "main", "text": "Coupure"})
        assert result == {**result, "type": "result", "ok": True, "seq": 1}
        pushed = await overlay.wait_for(
            lambda m: m["type"] == "state" and channel(m, "main")["slate"] is not None,
            what="the slate on the overlay",
        )
        assert channel(pushed, "main")["slate"]["text"] == "Coupure"
        assert pushed["cause"] == {"kind": "command", "seq": 1}
        # The timer follows another channel: it is not bothered with main's slate.
        await regie.command({"type": "extend", "channel": "lille", "minutes": 5})
        extended = await timer.wait_for(
            lambda m: m["type"] == "state" and m["cause"].get("seq") == 2, what="the extension"
        )
        assert channel(extended, "lille")["now"]["offset_seconds"] == 300
        assert all(m["cause"].get("seq") != 1 for m in timer.states())
        # The régie sees the journal grow, with who did it.
        entry = await regie.wait_for(
            lambda m: m["type"] == "journal" and not m["snapshot"], what="journal entry"
        )
        assert entry["entries"][0]["who"] == "Ana"
        assert entry["entries"][0]["command"] == {
            "type": "slate",
            "channel": "main",
            "text": "Coupure",
        }


async def test_an_http_command_reaches_websocket_clients(long_day_server: RunningServer) -> None:
    s = long_day_server
    async with WsClient.connect(s.ws_url, hello={"role": "overlay", "channels": ["main"]}) as c:
        await c.wait_for(lambda m: len(c.states()) >= 2, what="snapshot")
        status, body = s.command({"type": "hold", "channel": "main"}, who="Bob")
        assert status == 200 and body["ok"] and body["seq"] == 1
        held = await c.wait_for(
            lambda m: m["type"] == "state" and channel(m, "main")["held"], what="hold"
        )
        assert held["cause"]["kind"] == "command"
    journal = s.request("GET", "/api/journal", token=s.token)[1]
    assert [(e["who"], e["command"]["type"]) for e in journal["entries"]] == [("Bob", "hold")]


async def test_a_command_without_the_token_changes_nothing(long_day_server: RunningServer) -> None:
    s = long_day_server
    before = s.get_json("/api/state")
    command = {"type": "slate", "channel": "main", "text": "pirate"}
    assert s.request("POST", "/api/commands", body=command)[0] == 401
    assert s.request("POST", "/api/commands", body=command, token="wrong")[0] == 401
    assert s.request("GET", "/api/journal")[0] == 401
    async with (
        WsClient.connect(s.ws_url, hello={"role": "regie"}) as anonymous,
        WsClient.connect(s.ws_url, hello={"role": "regie", "token": "wrong"}) as wrong,
    ):
        refusal = await anonymous.wait_for(lambda m: m["type"] == "error", what="refusal")
        assert refusal["detail"] == {"code": "unauthorized"}
        for client in (anonymous, wrong):
            result = await client.command(command)
            assert result["ok"] is False and "unauthorized" in result["error"]
        # No régie-only data without the token.
        assert not anonymous.of_type("journal") and not anonymous.of_type("presence")
    after = s.get_json("/api/state")
    assert after["channels"] == before["channels"] and after["seq"] == before["seq"]
    assert s.get_json("/-/health")["journal_entries"] == 0


async def test_a_refused_command_is_explained_and_changes_nothing(
    long_day_server: RunningServer,
) -> None:
    s = long_day_server
    async with WsClient.connect(s.ws_url, hello={"role": "regie", "token": s.token}) as regie:
        result = await regie.command({"type": "release", "channel": "main"})
        assert result["ok"] is False and result["error"] == "release: main is not held"
        result = await regie.command({"type": "extend", "channel": "main"})
        assert result["ok"] is False and "minutes" in result["error"]
    status, body = s.command({"type": "take", "channel": "nowhere"})
    assert status == 409 and "unknown channel" in body["error"]
    status, body = s.command({"type": "teleport", "channel": "main"})
    assert status == 400
    assert s.get_json("/-/health")["journal_entries"] == 0


@pytest.mark.parametrize(
    "bad",
    [
        "not json at all",
        "[1, 2, 3]",
        '{"type": "shout"}',
        '{"type": "hello", "role": "emperor"}',
        '{"type": "ping"}',
        '{"type": "command", "id": 7, "command": "hold"}',
    ],
)
async def test_a_malformed_message_gets_an_error_and_the_connection_survives(
    long_day_server: RunningServer, bad: str
) -> None:
    async with WsClient.connect(long_day_server.ws_url) as client:
        await client.send(bad)
        error = await client.wait_for(lambda m: m["type"] == "error", what="error")
        assert error["error"]
        pong = await client.request({"type": "ping", "t0": 1.0})
        assert pong["type"] == "pong" and pong["t1"] <= pong["t2"]


async def test_ping_gives_the_server_receive_and_send_times(long_day_server: RunningServer) -> None:
    async with WsClient.connect(long_day_server.ws_url) as client:
        pong = await client.request({"type": "ping", "t0": 123.5})
        assert pong["t0"] == 123.5
        assert pong["t1"] <= pong["t2"] <= pong["_received_ms"] + 5


async def test_a_moderator_acknowledgement_reaches_the_regie(
    long_day_server: RunningServer,
) -> None:
    s = long_day_server
    # Acknowledging needs a moderator link: a moderator token of the channel.
    _, moderator = TokenStore(s.data_dir).create(
        "Modération Lille", TokenRole.MODERATOR, channels=["lille"]
    )
    timer_hello = {"role": "timer", "channels": ["lille"], "token": moderator}
    async with (
        WsClient.connect(s.ws_url, hello={"role": "regie", "token": s.token}) as regie,
        WsClient.connect(s.ws_url, hello=timer_hello) as timer,
    ):
        result = await regie.command(
            {"type": "message", "channel": "lille", "audience": "moderators", "text": "2 min"}
        )
        shown = await timer.wait_for(
            lambda m: (
                m["type"] == "state" and channel(m, "lille")["messages"]["moderators"] is not None
            ),
            what="the message on the timer",
        )
        message_id = channel(shown, "lille")["messages"]["moderators"]["id"]
        assert message_id == result["seq"]
        await timer.send(
            {"type": "ack", "channel": "lille", "message_id": message_id, "name": "Zoé"}
        )
        acks = await regie.wait_for(
            lambda m: m["type"] == "acks" and m["acks"], what="the acknowledgement"
        )
        assert acks["channel"] == "lille" and acks["message_id"] == message_id
        assert [a["name"] for a in acks["acks"]] == ["Zoé"]
        await timer.send({"type": "ack", "channel": "lille", "message_id": 999})
        stale = await timer.wait_for(lambda m: m["type"] == "error", what="stale ack refused")
        assert "no longer shown" in stale["error"]


async def test_presence_counts_screens_per_channel(long_day_server: RunningServer) -> None:
    s = long_day_server
    async with WsClient.connect(s.ws_url, hello={"role": "regie", "token": s.token}) as regie:
        async with (
            WsClient.connect(s.ws_url, hello={"role": "timer", "channels": ["lille"]}),
            WsClient.connect(s.ws_url, hello={"role": "overlay", "channels": ["main"]}),
        ):
            counted = await regie.wait_for(
                lambda m: (
                    m["type"] == "presence"
                    and m["channels"]["lille"]["timer"] == 1
                    and m["channels"]["main"]["overlay"] == 1
                ),
                what="presence with the timer and the overlay",
            )
            assert counted["channels"]["main"]["regie"] == 1
        await regie.wait_for(
            lambda m: m["type"] == "presence" and m["channels"]["lille"]["timer"] == 0,
            what="presence after they left",
        )


async def test_websockets_from_another_origin_are_refused(tmp_path) -> None:  # type: ignore[no-untyped-def]
    with run_server(
        LONG_DAY,
        data_dir=tmp_path / "data",
        at="2026-07-07T10:30",
        extra_args=["--allow-origin", "https://regie.example.org"],
    ) as s:
        with pytest.raises(InvalidStatus) as refused:
            async with WsClient.connect(s.ws_url, origin="https://evil.example.com"):
                pass
        assert refused.value.response.status_code == 403
        same = s.base_url  # the server's own pages
        for origin in (same, "https://regie.example.org", None):
            async with WsClient.connect(s.ws_url, origin=origin) as client:
                await client.wait_for(lambda m: m["type"] == "state", what="snapshot")


async def test_a_dead_connection_is_dropped_by_heartbeats(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from tests.support.rawws import RawClient

    with run_server(
        LONG_DAY,
        data_dir=tmp_path / "data",
        at="2026-07-07T10:30",
        extra_args=["--heartbeat", "0.3"],
    ) as s:
        raw = RawClient(s.port)  # completes the handshake, then never reads
        try:
            await asyncio.sleep(0)
            assert s.get_json("/-/health")["clients"] == 1
            from tests.support.server import eventually

            eventually(
                lambda: s.get_json("/-/health")["clients"] == 0,
                timeout=10,
                what="the silent client dropped",
            )
        finally:
            raw.close()
