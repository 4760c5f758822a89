"""The driver: one :class:`Switcher` task keeps one OBS on one channel's scene.

:meth:`Switcher.update` only records the scene the show asks for and wakes the task,
so it never blocks: a slow or absent OBS can never delay the screens or the journal.
The task sends the latest scene only (never a backlog), reconnects with a jittered
backoff, and on every (re)connect puts OBS on the scene the show is in *now*. Every
attempt goes out whole, as a :class:`~control_room.journal.SwitchRecord`, through
``on_record`` (the journal's audit log); every change of status through ``on_status``
(the régie).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import inspect
import logging
import random
import time
from collections.abc import Awaitable, Callable
from dataclasses import replace
from typing import Any, Literal

from control_room.clock import Clock, from_epoch
from control_room.core.scenes import desired_scene, preview_scene, upcoming_scene
from control_room.core.schedule import Schedule
from control_room.core.timeline import ChannelState, ShowState
from control_room.journal import SwitchRecord
from control_room.obs import (
    EVENT_GENERAL,
    EVENT_SCENES,
    EVENT_UI,
    ObsAuthError,
    ObsClient,
    ObsError,
    ObsEvent,
    ObsRequestError,
    ObsTimeout,
    ObsUnavailable,
    RequestStatus,
)

from .config import ObsBinding, SwitcherConfigError
from .status import SwitcherStatus

__all__ = [
    "BACKOFF_MAX",
    "BACKOFF_MIN",
    "ClientFactory",
    "RecordCallback",
    "STABLE_CONNECTION",
    "StatusCallback",
    "Switcher",
    "Target",
    "default_client",
]

logger = logging.getLogger(__name__)

Target = Literal["program", "preview"]

BACKOFF_MIN = 0.5
BACKOFF_MAX = 10.0
STABLE_CONNECTION = 10.0
"""A connection that lasted this long (seconds) resets the backoff."""

_REQUEST: dict[Target, str] = {
    "program": "SetCurrentProgramScene",
    "preview": "SetCurrentPreviewScene",
}


RecordCallback = Callable[[SwitchRecord], Awaitable[None] | None]
"""Called with every attempt (the journal's audit log); may return an awaitable."""
StatusCallback = Callable[[SwitcherStatus], Awaitable[None] | None]
"""Called with the new status on every change (the régie); may return an awaitable."""
ClientFactory = Callable[[ObsBinding, str | None, Callable[[ObsEvent], None]], ObsClient]
"""Makes the OBS client of a binding, given its password and an event callback (tests)."""


def default_client(
    binding: ObsBinding,
    password: str | None,
    on_event: Callable[[ObsEvent], None],
    *,
    event_subscriptions: int = EVENT_GENERAL | EVENT_SCENES | EVENT_UI,
) -> ObsClient:
    """The real :class:`~control_room.obs.ObsClient` for ``binding`` (the scene events by
    default; the feed watcher asks for the media inputs' instead)."""
    return ObsClient(
        binding.url,
        password=password,
        request_timeout=binding.request_timeout,
        connect_timeout=max(binding.request_timeout, 3.0),
        event_subscriptions=event_subscriptions,
        on_event=on_event,
    )


class _Reconnect(Exception):
    """Drop this connection and go through the reconnect loop."""


class Switcher:
    """Drives one OBS for one channel. Start with :meth:`start`, stop with :meth:`aclose`.

    Args:
        schedule: the schedule.
        binding: the channel and its OBS.
        clock: the show clock (preview cues are timed on it).
        on_record: called with every attempt, a :class:`~control_room.journal.SwitchRecord`
            (the journal).
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
        on_record: RecordCallback | None = None,
        on_status: StatusCallback | None = None,
        client_factory: ClientFactory = default_client,
        backoff: tuple[float, float] = (BACKOFF_MIN, BACKOFF_MAX),
    ) -> None:
        self.schedule = schedule
        self.binding = binding
        self.channel = binding.channel
        self.clock = clock
        self._on_record = on_record
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
        # OBS reports the scene it was just asked for before it answers the request: its
        # reports wait here while a request is in flight, so that the status showing the
        # new scene comes after the attempt is recorded (see _push).
        self._in_flight = False
        self._held_reports: dict[str, str | None] = {}

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

    def _record(self, record: SwitchRecord) -> None:
        if record.target == "program":
            self._set_status(last_switch=record)
        self._call(self._on_record, record)

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
        # What OBS shows now counts as pushed: a scene already on program (a new cluster
        # leader taking over a switcher, a reconnection) is not set a second time.
        self._pushed_program, self._pushed_preview = program, preview
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
            SwitchRecord(
                self.channel,
                scene,
                "program",
                from_epoch(time.time()),
                self._show_at,
                "unreachable",
                comment=f"{self._status.error or 'not connected'}; will be set on reconnect",
            )
        )

    def _on_event(self, event: ObsEvent) -> None:
        data = event.data
        if event.type == "CurrentProgramSceneChanged":
            self._report_scene("program_scene", data.get("sceneName"))
        elif event.type == "CurrentPreviewSceneChanged":
            self._report_scene("preview_scene", data.get("sceneName"))
        elif event.type == "StudioModeStateChanged":
            enabled = bool(data.get("studioModeEnabled"))
            self._held_reports.pop("preview_scene", None)
            self._set_status(studio_mode=enabled, preview_scene=None)
            self._pushed_preview = None
            self._wake.set()
        elif event.type in ("SceneCreated", "SceneNameChanged", "SceneListChanged"):
            if self._missing_scene is not None:
                # The operator may just have created the missing scene: try again.
                self._pushed_program = self._pushed_preview = None
                self._missing_scene = None
                self._wake.set()

    def _report_scene(self, field: str, scene: str | None) -> None:
        """OBS reports its program or preview scene: into the status, after the record of
        the request in flight, if any."""
        if self._in_flight:
            self._held_reports[field] = scene
        else:
            self._set_status(**{field: scene})

    def _release_reports(self) -> None:
        self._in_flight = False
        reports, self._held_reports = self._held_reports, {}
        if reports:
            self._set_status(**reports)

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
        """Ask OBS for ``scene`` on ``target``; record the attempt, whatever happens.

        Raises:
            _Reconnect: OBS did not answer, or the connection is gone.
        """
        asked = from_epoch(time.time())
        started = time.perf_counter()
        show_at = self._show_at

        def attempt(
            result: str, code: int | None, comment: str, *, timed: bool = True
        ) -> SwitchRecord:
            ms = (time.perf_counter() - started) * 1000 if timed else None
            return SwitchRecord(
                self.channel, scene, target, asked, show_at, result, code, comment, ms
            )

        if target == "program":
            self._pushed_program = scene
        else:
            self._pushed_preview = scene
        self._in_flight = True
        try:
            await client.request(_REQUEST[target], {"sceneName": scene})
        except ObsRequestError as exc:
            self._record(attempt("refused", exc.code, exc.comment or ""))
            self._refused(target, scene, exc)
            return
        except ObsTimeout as exc:
            self._record(attempt("timeout", None, str(exc)))
            self._error(str(exc))
            raise _Reconnect from None
        except ObsUnavailable as exc:
            if target == "program":
                self._pushed_program = None
                self._unreachable_recorded = scene
            self._record(
                attempt("unreachable", None, f"{exc}; will be set on reconnect", timed=False)
            )
            self._error(str(exc))
            raise _Reconnect from None
        else:
            if target == "program":
                self._applied = scene
            self._record(attempt("ok", RequestStatus.SUCCESS, ""))
            self._clear_error()
        finally:
            self._release_reports()

    def _refused(self, target: Target, scene: str, exc: ObsRequestError) -> None:
        if exc.code == RequestStatus.RESOURCE_NOT_FOUND:
            self._missing_scene = scene
            self._error(f"OBS has no scene {scene!r} ({target}, code {exc.code})")
        elif exc.code == RequestStatus.STUDIO_MODE_NOT_ACTIVE:
            self._set_status(studio_mode=False)
        else:
            self._error(f"OBS refused {target} scene {scene!r}: {exc}")
