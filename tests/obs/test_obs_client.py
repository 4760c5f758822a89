"""ObsClient against a real OBS Studio (obs-websocket 5.x)."""

from __future__ import annotations

import asyncio

import pytest
from obs_harness import ObsFactory, ObsProcess, eventually, free_port

from control_room.obs import (
    ObsAuthError,
    ObsClient,
    ObsEvent,
    ObsRequestError,
    ObsUnavailable,
    RequestStatus,
    auth_response,
)

pytestmark = pytest.mark.obs


def test_auth_response_matches_the_protocol_example() -> None:
    # Worked example from the obs-websocket protocol documentation.
    assert (
        auth_response(
            "supersecretpassword",
            "lM1GncleQOaCu9lT1yeUZhFYnqhsLLP1G5lAGo3ixaI=",
            "+IxH4CnCiqpX1rM9scsNynZzbOe4KhDeYcTNS3PDaeY=",
        )
        == "1Ct943GAT+6YQUUX47Ia/ncufilbe6+oD6lY+5kaCu4="
    )


async def test_client_connects_with_the_right_password(obs: ObsProcess) -> None:
    async with obs.client() as client:
        assert client.connected
        assert client.server_version is not None and client.server_version.startswith("5.")
        version = await client.get_version()
        assert "SetCurrentProgramScene" in version["availableRequests"]
    assert not client.connected


async def test_client_with_a_wrong_password_gets_an_auth_error(obs: ObsProcess) -> None:
    with pytest.raises(ObsAuthError, match="rejected the password"):
        async with obs.client(password="not-the-password"):
            pass


async def test_client_without_a_password_gets_an_auth_error(obs: ObsProcess) -> None:
    with pytest.raises(ObsAuthError, match="requires a password"):
        async with ObsClient(obs.url, password=None):
            pass


async def test_client_sets_and_gets_the_program_scene(obs: ObsProcess) -> None:
    async with obs.client() as client:
        assert {"Idle", "Alpha", "Beta"} <= set(await client.get_scene_names())
        # OBS answers, then switches on its UI thread: poll for the outcome.
        for scene in ("Alpha", "Beta"):
            await client.set_program_scene(scene)
            await eventually(client.get_program_scene, lambda s: s == scene, what="program")


async def test_client_surfaces_program_scene_changed_events(obs: ObsProcess) -> None:
    async with obs.client() as client:
        await client.set_program_scene("Idle")
        changed: asyncio.Queue[ObsEvent] = asyncio.Queue()
        client.add_listener(
            lambda event: (
                changed.put_nowait(event) if event.type == "CurrentProgramSceneChanged" else None
            )
        )
        await client.set_program_scene("Alpha")

        async def next_scene() -> str:
            return str((await changed.get()).data["sceneName"])

        # OBS answers a switch request before it switches: the event of the switch to
        # "Idle" above may still come first. The switch to "Alpha" must follow it.
        seen = [await asyncio.wait_for(next_scene(), timeout=10)]
        if seen[0] == "Idle":
            seen.append(await asyncio.wait_for(next_scene(), timeout=10))
        assert seen[-1] == "Alpha", seen


async def test_unknown_scene_is_a_request_error_with_code_600(obs: ObsProcess) -> None:
    async with obs.client() as client:
        with pytest.raises(ObsRequestError) as caught:
            await client.set_program_scene("No Such Scene")
        assert caught.value.code == RequestStatus.RESOURCE_NOT_FOUND == 600
        assert caught.value.request_type == "SetCurrentProgramScene"
        assert caught.value.comment is not None and "No Such Scene" in caught.value.comment
        # The connection survives a refused request.
        await client.set_program_scene("Idle")


async def test_preview_needs_studio_mode(obs: ObsProcess) -> None:
    async with obs.client() as client:
        assert await client.get_studio_mode() is False
        assert await client.get_preview_scene() is None
        with pytest.raises(ObsRequestError) as caught:
            await client.set_preview_scene("Alpha")
        assert caught.value.code == RequestStatus.STUDIO_MODE_NOT_ACTIVE


async def test_unreachable_obs_is_unavailable() -> None:
    with pytest.raises(ObsUnavailable, match="cannot connect"):
        async with ObsClient(f"ws://127.0.0.1:{free_port()}", password="x", connect_timeout=5):
            pass


async def test_requests_fail_with_unavailable_once_closed(obs: ObsProcess) -> None:
    client = obs.client()
    await client.connect()
    await client.close()
    with pytest.raises(ObsUnavailable):
        await client.get_program_scene()


async def test_killed_obs_ends_the_connection_and_a_restarted_one_accepts_clients(
    obs_factory: ObsFactory,
) -> None:
    instance = obs_factory()
    await instance.astart()
    client = instance.client()
    await client.connect()
    instance.kill()
    reason = await asyncio.wait_for(client.wait_closed(), timeout=10)
    assert isinstance(reason, ObsUnavailable)
    with pytest.raises(ObsUnavailable):
        await client.get_program_scene()
    await instance.astart()
    async with instance.client() as again:
        assert await again.get_program_scene() == "Scene"  # OBS's default scene


async def test_studio_mode_obs_takes_a_preview_scene(obs_factory: ObsFactory) -> None:
    instance = obs_factory(studio_mode=True)
    await instance.astart()
    await instance.setup_scenes(["Alpha", "Beta"], program="Alpha")
    async with instance.client() as client:
        assert await client.get_studio_mode() is True
        await client.set_preview_scene("Beta")
        # OBS applies it on its UI thread, just after answering.
        await eventually(client.get_preview_scene, lambda s: s == "Beta", what="preview")
        assert await client.get_program_scene() == "Alpha"
