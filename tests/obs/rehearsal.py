"""Helpers to rehearse the show with the real server driving real OBS instances.

Used by test_switcher_rehearsal.py and bench/bench_switcher.py:

- :class:`ProgramWatch`: a client of its own on one OBS, recording every
  ``CurrentProgramSceneChanged`` with the wall time it arrived.
- :class:`Regie`: a régie websocket client of the real server, keeping the
  switcher statuses, the states and the results it receives.
- :func:`write_switcher_config`: a ``--switcher`` TOML file binding channels.
- :func:`cue_wall_time`: the wall instant of a show instant, from the server's
  clock model (``/-/health``).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any
from urllib.parse import quote

from obs_harness import ObsProcess
from websockets.asyncio.client import ClientConnection, connect

from control_room.obs import ObsClient, ObsEvent

__all__ = ["ProgramWatch", "Regie", "cue_wall_time", "write_switcher_config"]


def write_switcher_config(
    path: Path, bindings: Mapping[str, tuple[str, str]], **extra: Any
) -> Path:
    """Write a switcher config: ``{channel: (url, password_env)}``."""
    lines = [f"{key} = {json.dumps(value)}" for key, value in extra.items()]
    for channel, (url, env) in bindings.items():
        lines += ["", f"[channels.{channel}]", f'url = "{url}"', f'password_env = "{env}"']
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def cue_wall_time(clock: Mapping[str, Any], cue: dt.datetime) -> float:
    """Wall time (epoch s) at which the server's clock reaches show instant ``cue``."""
    origin_show = dt.datetime.fromisoformat(clock["origin_show"])
    origin_wall = float(clock["origin_wall_ms"]) / 1000
    return origin_wall + (cue - origin_show).total_seconds() / float(clock["speed"])


class ProgramWatch:
    """Records OBS's program scene changes (wall time of arrival, scene)."""

    def __init__(self, obs: ObsProcess) -> None:
        self.obs = obs
        self.changes: list[tuple[float, str]] = []
        self._changed = asyncio.Event()
        self.client: ObsClient | None = None

    def _on_event(self, event: ObsEvent) -> None:
        if event.type == "CurrentProgramSceneChanged":
            self.changes.append((time.time(), str(event.data.get("sceneName"))))
            self._changed.set()

    async def connect(self) -> ProgramWatch:
        self.client = ObsClient(self.obs.url, password=self.obs.password, on_event=self._on_event)
        await self.client.connect()
        return self

    async def close(self) -> None:
        if self.client is not None:
            await self.client.close()

    async def program(self) -> str:
        assert self.client is not None
        return await self.client.get_program_scene()

    async def wait_for(self, scene: str, *, after: float = 0.0, timeout: float = 20.0) -> float:
        """Wait until OBS reports ``scene`` on program (at a wall time >= ``after``)."""
        deadline = time.monotonic() + timeout
        while True:
            for when, name in self.changes:
                if name == scene and when >= after:
                    return when
            left = deadline - time.monotonic()
            if left <= 0:
                raise AssertionError(
                    f"OBS on port {self.obs.port} never showed {scene!r} "
                    f"(changes: {[n for _, n in self.changes]})"
                )
            self._changed.clear()
            try:
                await asyncio.wait_for(self._changed.wait(), timeout=left)
            except TimeoutError:
                pass


class Regie:
    """A régie websocket client of the real server (read: states, switcher statuses)."""

    def __init__(self, ws_url: str, token: str) -> None:
        self.url = f"{ws_url}?role=regie&token={quote(token)}"
        self.statuses: dict[str, dict[str, Any]] = {}
        self.status_log: list[tuple[float, str, dict[str, Any]]] = []
        self.states: list[tuple[float, dict[str, Any]]] = []
        self.results: dict[Any, dict[str, Any]] = {}
        self._ws: ClientConnection | None = None
        self._reader: asyncio.Task[None] | None = None
        self._changed = asyncio.Event()
        self._ids = 0

    async def __aenter__(self) -> Regie:
        self._ws = await connect(self.url, proxy=None, compression=None)
        self._reader = asyncio.create_task(self._read())
        return self

    async def __aexit__(self, *exc: object) -> None:
        assert self._ws is not None and self._reader is not None
        await self._ws.close()
        self._reader.cancel()
        await asyncio.gather(self._reader, return_exceptions=True)

    async def _read(self) -> None:
        assert self._ws is not None
        async for raw in self._ws:
            message = json.loads(raw)
            now = time.time()
            kind = message.get("type")
            if kind == "switcher":
                self.statuses[message["channel"]] = message["status"]
                self.status_log.append((now, message["channel"], message["status"]))
            elif kind == "state":
                self.states.append((now, message))
            elif kind == "result":
                self.results[message.get("id")] = message
            self._changed.set()

    async def send(self, message: dict[str, Any]) -> Any:
        assert self._ws is not None
        self._ids += 1
        message = {**message, "id": self._ids}
        await self._ws.send(json.dumps(message))
        return self._ids

    async def switcher(self, channel: str, action: str) -> dict[str, Any]:
        ref = await self.send({"type": "switcher", "channel": channel, "action": action})
        await self.until(lambda: ref in self.results, what=f"result of {action}")
        return self.results[ref]

    async def until(self, condition: Any, *, timeout: float = 20.0, what: str = "") -> None:
        deadline = time.monotonic() + timeout
        while not condition():
            left = deadline - time.monotonic()
            if left <= 0:
                raise AssertionError(
                    f"régie: timed out waiting for {what}; statuses: {self.statuses}"
                )
            self._changed.clear()
            try:
                await asyncio.wait_for(self._changed.wait(), timeout=left)
            except TimeoutError:
                pass
