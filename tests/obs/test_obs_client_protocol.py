"""ObsClient edge cases against a scripted obs-websocket server (no OBS needed).

The real-OBS behaviour is covered in test_obs_client.py; these pin down what a
real OBS will not do on demand: stay silent, or send garbage.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Awaitable, Callable

import pytest
from websockets.asyncio.server import ServerConnection, serve
from websockets.typing import Subprotocol

from control_room.obs import ObsClient, ObsTimeout, ObsUnavailable

Handler = Callable[[ServerConnection], Awaitable[None]]


async def identify(ws: ServerConnection) -> None:
    await ws.send(json.dumps({"op": 0, "d": {"obsWebSocketVersion": "5.1.0", "rpcVersion": 1}}))
    message = json.loads(await ws.recv())
    assert message["op"] == 1 and "authentication" not in message["d"]
    await ws.send(json.dumps({"op": 2, "d": {"negotiatedRpcVersion": 1}}))


@pytest.fixture
async def scripted() -> AsyncIterator[Callable[[Handler], Awaitable[str]]]:
    servers = []

    async def start(handler: Handler) -> str:
        server = await serve(
            handler, "127.0.0.1", 0, subprotocols=[Subprotocol("obswebsocket.json")]
        )
        servers.append(server)
        port = next(iter(server.sockets)).getsockname()[1]
        return f"ws://127.0.0.1:{port}"

    yield start
    for server in servers:
        server.close()
        await server.wait_closed()


async def test_silent_server_times_out_the_handshake(scripted) -> None:  # type: ignore[no-untyped-def]
    async def silent(ws: ServerConnection) -> None:
        await ws.wait_closed()

    url = await scripted(silent)
    with pytest.raises(ObsTimeout):
        async with ObsClient(url, connect_timeout=0.2):
            pass


async def test_unanswered_request_times_out_and_the_connection_stays_usable(scripted) -> None:  # type: ignore[no-untyped-def]
    async def answers_only_get_version(ws: ServerConnection) -> None:
        await identify(ws)
        async for raw in ws:
            request = json.loads(raw)["d"]
            if request["requestType"] == "GetVersion":
                status = {"result": True, "code": 100}
                await ws.send(
                    json.dumps(
                        {
                            "op": 7,
                            "d": {
                                **request,
                                "requestStatus": status,
                                "responseData": {"obsVersion": "x"},
                            },
                        }
                    )
                )

    url = await scripted(answers_only_get_version)
    async with ObsClient(url) as client:
        with pytest.raises(ObsTimeout):
            await client.request("GetSceneList", timeout=0.1)
        assert (await client.get_version())["obsVersion"] == "x"


async def test_pending_request_fails_when_the_server_goes_away(scripted) -> None:  # type: ignore[no-untyped-def]
    async def hangs_up(ws: ServerConnection) -> None:
        await identify(ws)
        await ws.recv()
        await ws.close(1011, "gone")

    url = await scripted(hangs_up)
    async with ObsClient(url) as client:
        with pytest.raises(ObsUnavailable, match="1011"):
            await client.get_program_scene()
        assert isinstance(await asyncio.wait_for(client.wait_closed(), 5), ObsUnavailable)


async def test_listener_errors_do_not_kill_the_connection(scripted, caplog) -> None:  # type: ignore[no-untyped-def]
    async def emits_then_answers(ws: ServerConnection) -> None:
        await identify(ws)
        await ws.send(json.dumps({"op": 5, "d": {"eventType": "ExitStarted", "eventIntent": 1}}))
        async for raw in ws:
            request = json.loads(raw)["d"]
            status = {"result": True, "code": 100}
            await ws.send(
                json.dumps(
                    {
                        "op": 7,
                        "d": {
                            **request,
                            "requestStatus": status,
                            "responseData": {"studioModeEnabled": True},
                        },
                    }
                )
            )

    seen: list[str] = []

    def broken(event: object) -> None:
        seen.append(str(getattr(event, "type")))
        raise ValueError("listener bug")

    url = await scripted(emits_then_answers)
    async with ObsClient(url, on_event=broken) as client:
        assert await client.get_studio_mode() is True
    assert seen == ["ExitStarted"]
    assert "listener failed" in caplog.text
