"""The video switcher follows the show: one OBS Studio per bound channel.

Three layers, from pure to I/O:

1. :func:`desired_scene` and :func:`preview_scene` are pure: a schedule, what a
   channel has on air (a :class:`~control_room.core.timeline.ChannelState` or its
   state-document twin) and, for the preview, an instant, in; a scene name out.
2. :class:`Switcher` adapts one channel to one OBS (:mod:`control_room.obs`):
   its own task, latest-desired-scene-wins (never a backlog), reconnects with
   jittered backoff, and on every (re)connect puts OBS in the scene the show is
   in *now*. :meth:`Switcher.update` never blocks, so a slow or absent OBS can
   never delay the screens or the journal. Every attempt is reported through
   ``on_attempt`` (the app writes it to the journal's audit log), every change
   of status through ``on_status`` (the app pushes it to the régie).
3. :class:`SwitcherBank` holds the switchers of every bound channel, built from
   a :class:`SwitcherConfig` (``--switcher FILE``, TOML; passwords come from an
   environment variable or a file, never from the schedule or the config file).

``control-room switcher check FILE --config switcher.toml`` (:func:`switcher_check_main`)
connects to every configured OBS and lists the scenes the schedule names that it lacks.

Which scene, in order of precedence (see docs/switcher.md):

1. a slate is up: the ``slate`` scene;
2. nothing on air (before, gap, finished): the ``idle`` scene;
3. the operator overrode the site (fallback): that site's scene;
4. the segment names a ``scene``: that scene;
5. the segment, or the item on air, is a break: the ``break`` scene;
6. the site on air (the item's, else the segment's): its scene;
7. on air with no site: the ``idle`` scene.

When the scene for a situation is not configured the answer is ``None``: the
switcher leaves OBS alone.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime as dt
import inspect
import logging
import math
import os
import random
import sys
import time
import tomllib
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Mapping, Sequence
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, TextIO
from urllib.parse import urlsplit

from control_room.core.scenes import (
    DEFAULT_PREVIEW_LEAD,
    desired_scene,
    preview_scene,
    scenes_needed,
    upcoming_scene,
)
from control_room.core.schedule import Schedule, ScheduleError
from control_room.core.schedule_yaml import parse_duration
from control_room.core.timeline import ChannelState, CommandRejected, ShowState
from control_room.schedule_file import load_schedule

from .clock import Clock
from .obs import (
    ObsAuthError,
    ObsClient,
    ObsError,
    ObsEvent,
    ObsRequestError,
    ObsTimeout,
    ObsUnavailable,
    RequestStatus,
)

if TYPE_CHECKING:
    from .live import Live

__all__ = [
    "AttemptCallback",
    "ChannelCheck",
    "ClientFactory",
    "ObsBinding",
    "SwitchAttempt",
    "Switcher",
    "SwitcherBank",
    "SwitcherConfig",
    "StatusCallback",
    "SwitcherConfigError",
    "SwitcherStatus",
    "add_switcher_arguments",
    "check_scenes",
    "desired_scene",
    "load_switcher_config",
    "parse_switcher_config",
    "preview_scene",
    "scenes_needed",
    "switcher_check_main",
    "switcher_integration",
    "switcher_main",
    "upcoming_scene",
]

logger = logging.getLogger(__name__)

Target = Literal["program", "preview"]

DEFAULT_REQUEST_TIMEOUT = 3.0
BACKOFF_MIN = 0.5
BACKOFF_MAX = 10.0
STABLE_CONNECTION = 10.0  # a connection that lasted this long resets the backoff


# --------------------------------------------------------------------------- configuration


class SwitcherConfigError(ValueError):
    """The switcher configuration is wrong; the message says where and why."""


@dataclass(frozen=True, slots=True)
class ObsBinding:
    """Where one channel's OBS is, and how to get its password.

    The password is read when connecting (so a fixed password file is picked up
    at the next attempt), from ``password_env`` or ``password_file``; neither
    means OBS has authentication off.
    """

    channel: str
    url: str
    password_env: str | None = None
    password_file: Path | None = None
    preview_lead: dt.timedelta = DEFAULT_PREVIEW_LEAD
    request_timeout: float = DEFAULT_REQUEST_TIMEOUT

    def password(self) -> str | None:
        """The password, or ``None`` when none is configured.

        Raises:
            SwitcherConfigError: the variable is unset or the file unreadable.
        """
        if self.password_env is not None:
            value = os.environ.get(self.password_env)
            if value is None:
                raise SwitcherConfigError(
                    f"{self.channel}: environment variable {self.password_env} is not set"
                )
            return value
        if self.password_file is not None:
            try:
                return self.password_file.read_text(encoding="utf-8").strip("\r\n")
            except OSError as exc:
                raise SwitcherConfigError(
                    f"{self.channel}: cannot read password file {self.password_file}: "
                    f"{exc.strerror or exc}"
                ) from None
        return None


@dataclass(frozen=True, slots=True)
class SwitcherConfig:
    """Every channel bound to an OBS (``channels`` keyed by channel id)."""

    channels: Mapping[str, ObsBinding]
    source: str = "<switcher config>"


_CHANNEL_KEYS = {"url", "password_env", "password_file", "preview_lead", "request_timeout"}
_TOP_KEYS = {"channels", "preview_lead", "request_timeout"}


def _seconds(value: Any, where: str) -> float:
    if isinstance(value, bool):
        raise SwitcherConfigError(f"{where}: not a duration: {value!r}")
    if isinstance(value, int | float):
        seconds = float(value)
    elif isinstance(value, str):
        try:
            seconds = parse_duration(value).total_seconds()
        except ValueError as exc:
            raise SwitcherConfigError(f"{where}: {exc}") from None
    else:
        raise SwitcherConfigError(f"{where}: not a duration: {value!r}")
    if not math.isfinite(seconds) or seconds < 0:
        raise SwitcherConfigError(f"{where}: must be a positive number of seconds")
    return seconds


def parse_switcher_config(
    text: str,
    *,
    source: str = "<switcher config>",
    base_dir: Path | None = None,
    schedule: Schedule | None = None,
) -> SwitcherConfig:
    """Parse a switcher configuration (TOML). See docs/switcher.md.

    Args:
        text: the TOML text.
        source: its name, for messages.
        base_dir: relative ``password_file`` paths are relative to it.
        schedule: when given, every configured channel must exist in it.

    Raises:
        SwitcherConfigError: every problem found, one per line.
    """
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise SwitcherConfigError(f"{source}: {exc}") from None
    problems: list[str] = []
    for key in raw:
        if key not in _TOP_KEYS:
            problems.append(f"{source}: {key}: unknown key (typo?)")
    defaults: dict[str, float] = {}
    for key in ("preview_lead", "request_timeout"):
        if key in raw:
            try:
                defaults[key] = _seconds(raw[key], f"{source}: {key}")
            except SwitcherConfigError as exc:
                problems.append(str(exc))
    channels_raw = raw.get("channels", {})
    if not isinstance(channels_raw, dict) or not channels_raw:
        problems.append(f"{source}: channels: bind at least one channel ([channels.<id>])")
        channels_raw = {}
    known = {ch.id for ch in schedule.channels} if schedule is not None else None
    bindings: dict[str, ObsBinding] = {}
    for channel_id, entry in channels_raw.items():
        where = f"{source}: channels.{channel_id}"
        if not isinstance(entry, dict):
            problems.append(f"{where}: expected a table with url = ...")
            continue
        if known is not None and channel_id not in known:
            problems.append(
                f"{where}: no such channel in the schedule ({', '.join(sorted(known))})"
            )
        for key in entry:
            if key == "password":
                problems.append(
                    f"{where}.password: never write a password here; use password_env "
                    "(an environment variable) or password_file"
                )
            elif key not in _CHANNEL_KEYS:
                problems.append(f"{where}.{key}: unknown key (typo?)")
        url = entry.get("url")
        if not isinstance(url, str):
            problems.append(f"{where}.url: expected ws://host:port, got {url!r}")
            continue
        parts = urlsplit(url)
        if parts.scheme not in ("ws", "wss") or not parts.hostname:
            problems.append(f"{where}.url: expected ws://host:port, got {url!r}")
            continue
        try:
            _ = parts.port  # raises on a bad port
        except ValueError:
            problems.append(f"{where}.url: bad port in {url!r}")
            continue
        if parts.username or parts.password:
            problems.append(f"{where}.url: no credentials in the address; use password_env")
        env = entry.get("password_env")
        pw_file = entry.get("password_file")
        if env is not None and pw_file is not None:
            problems.append(f"{where}: give password_env or password_file, not both")
        if env is not None and (not isinstance(env, str) or not env):
            problems.append(f"{where}.password_env: expected a variable name")
        if pw_file is not None and (not isinstance(pw_file, str) or not pw_file):
            problems.append(f"{where}.password_file: expected a path")
        path = None
        if isinstance(pw_file, str) and pw_file:
            path = Path(pw_file).expanduser()
            if not path.is_absolute() and base_dir is not None:
                path = base_dir / path
        try:
            lead = _seconds(
                entry.get("preview_lead", defaults.get("preview_lead", 30)),
                f"{where}.preview_lead",
            )
            timeout = _seconds(
                entry.get("request_timeout", defaults.get("request_timeout", 3)),
                f"{where}.request_timeout",
            )
        except SwitcherConfigError as exc:
            problems.append(str(exc))
            continue
        if timeout <= 0:
            problems.append(f"{where}.request_timeout: must be more than 0")
            continue
        bindings[channel_id] = ObsBinding(
            channel=channel_id,
            url=url,
            password_env=env if isinstance(env, str) else None,
            password_file=path,
            preview_lead=dt.timedelta(seconds=lead),
            request_timeout=timeout,
        )
    if problems:
        raise SwitcherConfigError("\n".join(problems))
    return SwitcherConfig(bindings, source)


def load_switcher_config(path: str | Path, *, schedule: Schedule | None = None) -> SwitcherConfig:
    """Read and parse a switcher configuration file.

    Raises:
        SwitcherConfigError: unreadable file, or every problem found in it.
    """
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise SwitcherConfigError(f"{path}: {exc.strerror or exc}") from None
    return parse_switcher_config(
        text, source=str(path), base_dir=path.parent.resolve(), schedule=schedule
    )


# --------------------------------------------------------------------------- records and status


@dataclass(frozen=True, slots=True)
class SwitchAttempt:
    """One attempt to set a scene, for the journal's audit log.

    Attributes:
        channel: the channel whose OBS was asked.
        scene: the scene asked for.
        target: ``"program"`` or ``"preview"``.
        asked_at: wall time (epoch seconds) the request was sent.
        show_at: the show instant of the state that asked for it.
        result: ``ok``, ``refused`` (OBS answered an error), ``timeout``,
            ``unreachable`` (not connected: the scene will be set on reconnect).
        code: OBS's ``RequestStatus`` code (100 = success), when it answered.
        comment: OBS's comment, or what went wrong, or why it was asked.
        duration_ms: request round trip, when a request was made.
    """

    channel: str
    scene: str
    target: Target
    asked_at: float
    show_at: dt.datetime | None
    result: str
    code: int | None = None
    comment: str = ""
    duration_ms: float | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "channel": self.channel,
            "scene": self.scene,
            "target": self.target,
            "asked_at": self.asked_at,
            "show_at": None if self.show_at is None else self.show_at.isoformat(),
            "result": self.result,
            "code": self.code,
            "comment": self.comment,
            "duration_ms": self.duration_ms,
        }


@dataclass(frozen=True, slots=True)
class SwitcherStatus:
    """What the régie shows of one channel's switcher.

    Attributes:
        channel: the channel id.
        url: the OBS address (never a password).
        connected: identified with OBS right now.
        manual: manual mode: the switcher leaves OBS alone.
        studio_mode: OBS is in studio mode (preview + program).
        desired_scene: what the show asks for now (``None``: nothing).
        program_scene: OBS's program scene, as OBS last reported it.
        preview_scene: OBS's preview scene (studio mode), as OBS last reported it.
        error: the problem now, if any (``None`` once it is fixed).
        last_error: the most recent problem, even if fixed since.
        last_error_at: wall time (epoch seconds) of ``last_error``.
        last_switch: the last program attempt (:meth:`SwitchAttempt.to_json`).
    """

    channel: str
    url: str
    connected: bool = False
    manual: bool = False
    studio_mode: bool = False
    desired_scene: str | None = None
    program_scene: str | None = None
    preview_scene: str | None = None
    error: str | None = None
    last_error: str | None = None
    last_error_at: float | None = None
    last_switch: dict[str, Any] | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "channel": self.channel,
            "url": self.url,
            "connected": self.connected,
            "manual": self.manual,
            "studio_mode": self.studio_mode,
            "desired_scene": self.desired_scene,
            "program_scene": self.program_scene,
            "preview_scene": self.preview_scene,
            "error": self.error,
            "last_error": self.last_error,
            "last_error_at": self.last_error_at,
            "last_switch": self.last_switch,
        }


AttemptCallback = Callable[[SwitchAttempt], Awaitable[None] | None]
StatusCallback = Callable[[SwitcherStatus], Awaitable[None] | None]
ClientFactory = Callable[[ObsBinding, str | None, Callable[[ObsEvent], None]], ObsClient]


def _default_client(
    binding: ObsBinding, password: str | None, on_event: Callable[[ObsEvent], None]
) -> ObsClient:
    return ObsClient(
        binding.url,
        password=password,
        request_timeout=binding.request_timeout,
        connect_timeout=max(binding.request_timeout, 3.0),
        on_event=on_event,
    )


class _Reconnect(Exception):
    """Drop this connection and go through the reconnect loop."""


# --------------------------------------------------------------------------- one switcher


class Switcher:
    """Drives one OBS for one channel. Start with :meth:`start`, stop with :meth:`aclose`.

    Args:
        schedule: the schedule.
        binding: the channel and its OBS.
        clock: the show clock (preview cues are timed on it).
        on_attempt: called with every :class:`SwitchAttempt` (journal).
        on_status: called with the new :class:`SwitcherStatus` on every change.
        client_factory: makes the :class:`~control_room.obs.ObsClient` (tests).
        backoff: (first, max) seconds between connection attempts, doubled and
            jittered (each wait is 75-125 % of the nominal one).
    """

    def __init__(
        self,
        schedule: Schedule,
        binding: ObsBinding,
        *,
        clock: Clock,
        on_attempt: AttemptCallback | None = None,
        on_status: StatusCallback | None = None,
        client_factory: ClientFactory = _default_client,
        backoff: tuple[float, float] = (BACKOFF_MIN, BACKOFF_MAX),
    ) -> None:
        self.schedule = schedule
        self.binding = binding
        self.channel = binding.channel
        self.clock = clock
        self._on_attempt = on_attempt
        self._on_status = on_status
        self._client_factory = client_factory
        self._backoff = backoff
        self._status = SwitcherStatus(channel=self.channel, url=binding.url)
        self._channel_state: ChannelState | None = None
        self._show_at: dt.datetime | None = None
        self._desired: str | None = None
        # What this connection last pushed (None: push again); reset on (re)connect.
        self._pushed_program: str | None = None
        self._pushed_preview: str | None = None
        self._missing_scene: str | None = None  # last push failed with 600
        self._unreachable_recorded: str | None = None
        self._applied: str | None = None  # the last program scene OBS accepted
        self._wake = asyncio.Event()
        self._kick = asyncio.Event()  # skip the backoff wait (resend, manual off)
        self._task: asyncio.Task[None] | None = None
        self._background: set[asyncio.Task[Any]] = set()
        self._closing = False

    # -- the app's side: all non-blocking ---------------------------------------

    @property
    def status(self) -> SwitcherStatus:
        return self._status

    def update(self, show: ShowState) -> None:
        """Take a new state of the show; never blocks (the task does the talking)."""
        try:
            channel = show.channel(self.channel)
        except KeyError:
            return
        self.update_channel(channel, show.at)

    def update_channel(self, channel: ChannelState, at: dt.datetime) -> None:
        """Like :meth:`update`, with the channel's state directly."""
        self._channel_state = channel
        self._show_at = at.astimezone(self.schedule.event.timezone)
        desired = desired_scene(self.schedule, channel)
        if desired != self._desired:
            self._desired = desired
            self._set_status(desired_scene=desired)
            if self._status.error is not None:
                self._record_unreachable()
        self._wake.set()

    def set_manual(self, manual: bool) -> None:
        """Manual mode on: leave OBS alone. Off: put OBS back on the show's scene now."""
        if manual == self._status.manual:
            return
        self._set_status(manual=manual)
        if not manual:
            self._pushed_program = self._pushed_preview = None
            self._kick.set()
        self._wake.set()

    def resend(self) -> None:
        """Send the current scene again now (and reconnect now if disconnected)."""
        self._pushed_program = self._pushed_preview = None
        self._missing_scene = None
        self._unreachable_recorded = None
        self._kick.set()
        self._wake.set()

    def start(self) -> None:
        """Start the switcher's task (idempotent)."""
        if self._task is None:
            self._task = asyncio.create_task(self._run(), name=f"switcher {self.channel}")

    async def aclose(self) -> None:
        """Stop the task and close the connection."""
        self._closing = True
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
            self._task = None
        if self._background:
            await asyncio.gather(*self._background, return_exceptions=True)

    # -- callbacks --------------------------------------------------------------

    def _call(self, callback: Callable[[Any], Awaitable[None] | None] | None, arg: Any) -> None:
        if callback is None:
            return
        try:
            result = callback(arg)
        except Exception:
            logger.exception("switcher %s: callback failed", self.channel)
            return
        if inspect.isawaitable(result):

            async def wait(awaitable: Awaitable[None] = result) -> None:
                try:
                    await awaitable
                except Exception:
                    logger.exception("switcher %s: callback failed", self.channel)

            task = asyncio.ensure_future(wait())
            self._background.add(task)
            task.add_done_callback(self._background.discard)

    def _set_status(self, **changes: Any) -> None:
        new = replace(self._status, **changes)
        if new != self._status:
            self._status = new
            self._call(self._on_status, new)

    def _record(self, attempt: SwitchAttempt) -> None:
        if attempt.target == "program":
            self._set_status(last_switch=attempt.to_json())
        self._call(self._on_attempt, attempt)

    def _error(self, message: str, **changes: Any) -> None:
        """Report a problem: logged and shown once per distinct message."""
        if message != self._status.error:
            logger.error("switcher %s: %s", self.channel, message)
            changes.update(error=message, last_error=message, last_error_at=time.time())
        self._set_status(**changes)

    def _clear_error(self) -> None:
        if self._status.error is not None:
            logger.info("switcher %s: recovered (was: %s)", self.channel, self._status.error)
            self._set_status(error=None)

    # -- the task ---------------------------------------------------------------

    async def _run(self) -> None:
        delay = self._backoff[0]
        while not self._closing:
            try:
                delay = await self._cycle(delay)
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # a bug must not stop the switcher for the day
                logger.exception("switcher %s: unexpected error", self.channel)
                self._error(f"internal error: {exc!r}", connected=False)
                await self._sleep_backoff(self._backoff[1])

    async def _cycle(self, delay: float) -> float:
        """One connection (attempt), then the backoff wait; returns the next delay."""
        client = await self._connect()
        if client is None:
            self._record_unreachable()
        else:
            began = time.monotonic()
            reason: ObsError | None = None
            try:
                reason = await self._serve(client)
            except _Reconnect:
                pass  # already reported
            finally:
                if reason is not None and not self._closing:
                    self._error(str(reason), connected=False)
                else:
                    self._set_status(connected=False)
                await client.close()
            if time.monotonic() - began >= STABLE_CONNECTION:
                delay = self._backoff[0]
        await self._sleep_backoff(delay * random.uniform(0.75, 1.25))
        return min(delay * 2, self._backoff[1])

    async def _sleep_backoff(self, seconds: float) -> None:
        self._kick.clear()
        try:
            await asyncio.wait_for(self._kick.wait(), timeout=seconds)
        except TimeoutError:
            pass

    async def _connect(self) -> ObsClient | None:
        try:
            password = self.binding.password()
        except SwitcherConfigError as exc:
            self._error(str(exc))
            return None
        client = self._client_factory(self.binding, password, self._on_event)
        try:
            await client.connect()
            studio = await client.get_studio_mode()
            program = await client.get_program_scene()
            preview = await client.get_preview_scene() if studio else None
        except ObsAuthError as exc:
            self._error(f"{exc} (check {self._password_source()})")
            await client.close()
            return None
        except ObsError as exc:
            self._error(str(exc))
            await client.close()
            return None
        except BaseException:
            await client.close()
            raise
        self._pushed_program = self._pushed_preview = None
        self._unreachable_recorded = None
        self._missing_scene = None
        self._set_status(
            connected=True, studio_mode=studio, program_scene=program, preview_scene=preview
        )
        self._clear_error()
        logger.info("switcher %s: connected to OBS at %s", self.channel, self.binding.url)
        return client

    def _password_source(self) -> str:
        if self.binding.password_env:
            return f"${self.binding.password_env}"
        if self.binding.password_file:
            return str(self.binding.password_file)
        return "the OBS password setting: none is configured"

    def _record_unreachable(self) -> None:
        """While OBS is unreachable, note once per cue that its scene could not be set."""
        scene = self._desired
        if (
            scene is None
            or self._status.connected
            or self._status.manual
            or scene == self._applied
            or scene == self._unreachable_recorded
        ):
            return
        self._unreachable_recorded = scene
        self._record(
            SwitchAttempt(
                self.channel,
                scene,
                "program",
                time.time(),
                self._show_at,
                "unreachable",
                comment=f"{self._status.error or 'not connected'}; will be set on reconnect",
            )
        )

    def _on_event(self, event: ObsEvent) -> None:
        data = event.data
        if event.type == "CurrentProgramSceneChanged":
            self._set_status(program_scene=data.get("sceneName"))
        elif event.type == "CurrentPreviewSceneChanged":
            self._set_status(preview_scene=data.get("sceneName"))
        elif event.type == "StudioModeStateChanged":
            enabled = bool(data.get("studioModeEnabled"))
            self._set_status(studio_mode=enabled, preview_scene=None)
            self._pushed_preview = None
            self._wake.set()
        elif event.type in ("SceneCreated", "SceneNameChanged", "SceneListChanged"):
            if self._missing_scene is not None:
                # The operator may just have created the missing scene: try again.
                self._pushed_program = self._pushed_preview = None
                self._missing_scene = None
                self._wake.set()

    async def _serve(self, client: ObsClient) -> ObsError:
        """Keep OBS on the show's scene until the connection ends; return why it did."""
        closed = asyncio.ensure_future(client.wait_closed())
        try:
            while not closed.done():
                self._wake.clear()
                await self._sync(client)
                timeout = self._preview_wait()
                woken = asyncio.ensure_future(self._wake.wait())
                try:
                    await asyncio.wait(
                        {woken, closed}, timeout=timeout, return_when=asyncio.FIRST_COMPLETED
                    )
                finally:
                    woken.cancel()
            return closed.result()
        finally:
            closed.cancel()

    def _preview_wait(self) -> float | None:
        """Seconds until the preview must change (a lead before the next cue)."""
        if not self._status.studio_mode or self._channel_state is None:
            return None
        now = self.clock.now()
        upcoming = upcoming_scene(self.schedule, self._channel_state, now)
        if upcoming is None:
            return None
        due = upcoming[0] - self.binding.preview_lead
        if due <= now:
            # Inside the lead window: wake again at the cue itself.
            due = upcoming[0]
            if due <= now:
                return None
        return max(self.clock.wall_time(due) - self.clock.wall_now(), 0.0) + 0.001

    async def _sync(self, client: ObsClient) -> None:
        if self._status.manual:
            return
        desired = self._desired
        if desired is not None and desired != self._pushed_program:
            await self._push(client, "program", desired)
        if self._status.studio_mode and self._channel_state is not None:
            preview = preview_scene(
                self.schedule,
                self._channel_state,
                self.clock.now(),
                lead=self.binding.preview_lead,
            )
            if preview is not None and preview != self._pushed_preview:
                if preview != self._desired:  # never preview what is already on program
                    await self._push(client, "preview", preview)

    async def _push(self, client: ObsClient, target: Target, scene: str) -> None:
        asked = time.time()
        started = time.perf_counter()
        show_at = self._show_at
        request = "SetCurrentProgramScene" if target == "program" else "SetCurrentPreviewScene"
        if target == "program":
            self._pushed_program = scene
        else:
            self._pushed_preview = scene
        try:
            await client.request(request, {"sceneName": scene})
        except ObsRequestError as exc:
            ms = (time.perf_counter() - started) * 1000
            self._record(
                SwitchAttempt(
                    self.channel,
                    scene,
                    target,
                    asked,
                    show_at,
                    "refused",
                    exc.code,
                    exc.comment or "",
                    ms,
                )  # fmt: skip
            )
            if exc.code == RequestStatus.RESOURCE_NOT_FOUND:
                self._missing_scene = scene
                self._error(f"OBS has no scene {scene!r} ({target}, code {exc.code})")
            elif exc.code == RequestStatus.STUDIO_MODE_NOT_ACTIVE:
                self._set_status(studio_mode=False)
            else:
                self._error(f"OBS refused {target} scene {scene!r}: {exc}")
            return
        except ObsTimeout as exc:
            ms = (time.perf_counter() - started) * 1000
            self._record(
                SwitchAttempt(
                    self.channel, scene, target, asked, show_at, "timeout", None, str(exc), ms
                )
            )
            self._error(str(exc))
            raise _Reconnect from None
        except ObsUnavailable as exc:
            if target == "program":
                self._pushed_program = None
            self._record(
                SwitchAttempt(
                    self.channel,
                    scene,
                    target,
                    asked,
                    show_at,
                    "unreachable",
                    None,
                    f"{exc}; will be set on reconnect",
                )  # fmt: skip
            )
            if target == "program":
                self._unreachable_recorded = scene
            self._error(str(exc))
            raise _Reconnect from None
        ms = (time.perf_counter() - started) * 1000
        if target == "program":
            self._applied = scene
        self._record(
            SwitchAttempt(
                self.channel, scene, target, asked, show_at, "ok", RequestStatus.SUCCESS, "", ms
            )
        )
        self._clear_error()


# --------------------------------------------------------------------------- the bank


class SwitcherBank:
    """The switchers of every bound channel, as the app uses them.

    Example::

        bank = SwitcherBank(schedule, config, clock=clock,
                            on_attempt=record_switch, on_status=push_status)
        bank.start()
        app_listeners.append(bank.on_state)    # async listener: never blocks
        ...
        await bank.aclose()
    """

    def __init__(
        self,
        schedule: Schedule,
        config: SwitcherConfig,
        *,
        clock: Clock,
        on_attempt: AttemptCallback | None = None,
        on_status: StatusCallback | None = None,
        client_factory: ClientFactory = _default_client,
    ) -> None:
        self.switchers: dict[str, Switcher] = {
            channel: Switcher(
                schedule,
                binding,
                clock=clock,
                on_attempt=on_attempt,
                on_status=on_status,
                client_factory=client_factory,
            )
            for channel, binding in config.channels.items()
        }

    def start(self) -> None:
        for switcher in self.switchers.values():
            switcher.start()

    async def aclose(self) -> None:
        await asyncio.gather(*(s.aclose() for s in self.switchers.values()))

    def update(self, show: ShowState) -> None:
        """Hand a new state to every switcher (non-blocking)."""
        for switcher in self.switchers.values():
            switcher.update(show)

    async def on_state(self, show: ShowState) -> None:
        """The app's listener hook: same as :meth:`update`, as a coroutine."""
        self.update(show)

    def statuses(self) -> list[SwitcherStatus]:
        return [s.status for s in self.switchers.values()]

    def _get(self, channel: str) -> Switcher:
        try:
            return self.switchers[channel]
        except KeyError:
            raise KeyError(f"no switcher bound to channel {channel!r}") from None

    def set_manual(self, channel: str, manual: bool) -> None:
        """Manual mode for one channel.

        Raises:
            KeyError: the channel has no switcher.
        """
        self._get(channel).set_manual(manual)

    def resend(self, channel: str) -> None:
        """Re-send one channel's current scene.

        Raises:
            KeyError: the channel has no switcher.
        """
        self._get(channel).resend()


# --------------------------------------------------------------------------- the server side


def switcher_integration(
    config: SwitcherConfig,
    *,
    client_factory: ClientFactory = _default_client,
) -> Callable[[Live], AbstractAsyncContextManager[None]]:
    """The server integration (``create_app(..., integrations=[...])``) for ``config``.

    Started after the show: one :class:`Switcher` per bound channel, fed by the
    show's listener hook; every attempt goes to the journal's audit log
    (:meth:`Live.record_switch`), every status to the régie
    (:meth:`Live.set_switcher_status`); the régie's resend / manual / auto
    requests come back through :meth:`Live.add_switcher_handler`.
    """

    @contextlib.asynccontextmanager
    async def integration(live: Live) -> AsyncIterator[None]:
        def on_attempt(attempt: SwitchAttempt) -> Awaitable[None]:
            return live.record_switch(
                attempt.channel,
                attempt.scene,
                attempt.asked_at,
                attempt.result,
                attempt.code,
                attempt.comment,
                attempt.duration_ms,
                target=attempt.target,
                show_at=attempt.show_at,
            )

        def on_status(status: SwitcherStatus) -> None:
            live.set_switcher_status(status.channel, status.to_json())

        bank = SwitcherBank(
            live.schedule,
            config,
            clock=live.clock,
            on_attempt=on_attempt,
            on_status=on_status,
            client_factory=client_factory,
        )

        async def on_action(channel: str, action: str) -> None:
            if channel not in bank.switchers:
                raise CommandRejected(f"switcher: channel {channel!r} is not bound to an OBS")
            if action == "resend":
                bank.resend(channel)
            elif action in ("manual", "auto"):
                bank.set_manual(channel, action == "manual")
            else:
                raise CommandRejected(f"switcher: unknown action {action!r}")

        for status in bank.statuses():
            on_status(status)
        bank.update(live.show_state)
        live.add_listener(bank.on_state)
        live.add_switcher_handler(on_action)
        bank.start()
        try:
            yield
        finally:
            live.remove_listener(bank.on_state)
            if on_action in live.switcher_handlers:
                live.switcher_handlers.remove(on_action)
            await bank.aclose()

    return integration


# --------------------------------------------------------------------------- switcher check


@dataclass
class ChannelCheck:
    """What ``switcher check`` found for one channel."""

    channel: str
    url: str
    error: str | None = None
    version: str | None = None
    missing: dict[str, list[str]] = field(default_factory=dict)
    present: dict[str, list[str]] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        """Reachable, and no scene of the plan missing (fallback scenes only warn)."""
        return self.error is None and not any(
            not all(why.startswith("fallback") for why in whys) for whys in self.missing.values()
        )


async def check_scenes(
    schedule: Schedule,
    config: SwitcherConfig,
    *,
    client_factory: ClientFactory = _default_client,
) -> list[ChannelCheck]:
    """Connect to every configured OBS and compare its scenes with the schedule's."""

    async def one(binding: ObsBinding) -> ChannelCheck:
        result = ChannelCheck(binding.channel, binding.url)
        try:
            client = client_factory(binding, binding.password(), lambda event: None)
            async with client:
                version = await client.get_version()
                names = set(await client.get_scene_names())
        except (ObsError, SwitcherConfigError) as exc:
            result.error = str(exc)
            return result
        result.version = (
            f"OBS {version.get('obsVersion')} / obs-websocket {version.get('obsWebSocketVersion')}"
        )
        for scene, whys in scenes_needed(schedule, binding.channel).items():
            (result.present if scene in names else result.missing)[scene] = whys
        return result

    return list(await asyncio.gather(*(one(b) for b in config.channels.values())))


def _print_checks(checks: Sequence[ChannelCheck], out: TextIO) -> None:
    for check in checks:
        head = f"{check.channel}  {check.url}"
        if check.error is not None:
            print(f"{head}  UNREACHABLE: {check.error}", file=out)
            continue
        print(f"{head}  {check.version}", file=out)
        for scene, whys in sorted(check.missing.items()):
            fallback = all(why.startswith("fallback") for why in whys)
            label = "missing (fallback only)" if fallback else "MISSING"
            print(f"  {label:<24}{scene!r}  ({', '.join(whys)})", file=out)
        for scene, whys in sorted(check.present.items()):
            print(f"  {'ok':<24}{scene!r}  ({', '.join(whys)})", file=out)


def add_switcher_arguments(parser: argparse.ArgumentParser) -> None:
    """The ``switcher`` subcommands (``check``)."""
    sub = parser.add_subparsers(dest="switcher_command", required=True, metavar="SUBCOMMAND")
    check = sub.add_parser(
        "check", help="connect to every configured OBS; list the scenes it lacks"
    )
    check.add_argument("schedule", metavar="FILE", help="the schedule file")
    check.add_argument(
        "--config",
        "--switcher",
        dest="config",
        required=True,
        metavar="SWITCHER.toml",
        help="the switcher configuration (channels bound to OBS; docs/switcher.md)",
    )
    check.add_argument("--json", action="store_true", help="print the result as JSON")


def switcher_main(args: argparse.Namespace, out: TextIO | None = None) -> int:
    """Run a parsed ``switcher`` subcommand. Exit status: 0 ok, 1 problems, 2 bad input."""
    out = out or sys.stdout
    try:
        schedule = load_schedule(args.schedule)
    except ScheduleError as exc:
        print(exc, file=sys.stderr)
        return 2
    except OSError as exc:
        print(f"{args.schedule}: {exc.strerror or exc}", file=sys.stderr)
        return 2
    try:
        config = load_switcher_config(args.config, schedule=schedule)
    except SwitcherConfigError as exc:
        print(exc, file=sys.stderr)
        return 2
    checks = asyncio.run(check_scenes(schedule, config))
    if args.json:
        import json

        doc = [
            {
                "channel": c.channel,
                "url": c.url,
                "ok": c.ok,
                "error": c.error,
                "version": c.version,
                "missing": c.missing,
                "present": c.present,
            }
            for c in checks
        ]
        print(json.dumps(doc, ensure_ascii=False, indent=2), file=out)
    else:
        _print_checks(checks, out)
    return 0 if all(c.ok for c in checks) else 1


def switcher_check_main(argv: Iterable[str] | None = None, out: TextIO | None = None) -> int:
    """``control-room switcher check FILE --config SWITCHER.toml`` as a function."""
    parser = argparse.ArgumentParser(prog="control-room switcher")
    add_switcher_arguments(parser)
    args = parser.parse_args(["check", *(sys.argv[1:] if argv is None else argv)])
    return switcher_main(args, out)
