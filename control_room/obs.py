"""A small asyncio client for the obs-websocket v5 protocol (OBS Studio 28+).

It speaks just enough of the protocol for a video switcher driven by the show:
the Hello / Identify handshake (with the SHA-256 challenge authentication),
requests matched to their answers by ``requestId`` with a timeout, and events
handed to listeners. It never reconnects by itself: the reconnect loop, its
backoff and what to do after a reconnect belong to the caller (see
:mod:`control_room.switcher`).

Protocol reference: https://github.com/obsproject/obs-websocket/blob/master/docs/generated/protocol.md

Example::

    async with ObsClient("ws://127.0.0.1:4455", password="secret") as obs:
        await obs.set_program_scene("Morlaix")
        print(await obs.get_program_scene())

Errors are typed:

- :class:`ObsUnavailable`: OBS cannot be reached, the connection dropped, or it
  did not answer in time (:class:`ObsTimeout`).
- :class:`ObsAuthError`: the password is wrong or missing.
- :class:`ObsRequestError`: OBS refused a request; ``code`` is the
  obs-websocket ``RequestStatus`` (600 = resource not found, 506 = studio mode
  not active, ...), ``comment`` its explanation when OBS gives one.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import itertools
import json
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any, Final

from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed, InvalidHandshake, InvalidURI
from websockets.typing import Subprotocol

__all__ = [
    "EVENT_GENERAL",
    "EVENT_INPUTS",
    "EVENT_MEDIA_INPUTS",
    "EVENT_SCENES",
    "EVENT_UI",
    "MEDIA_PLAYING",
    "EventListener",
    "MediaStatus",
    "ObsAuthError",
    "ObsClient",
    "ObsError",
    "ObsEvent",
    "ObsRequestError",
    "ObsTimeout",
    "ObsUnavailable",
    "RequestStatus",
    "auth_response",
]

logger = logging.getLogger(__name__)

SUBPROTOCOL: Final = Subprotocol("obswebsocket.json")
RPC_VERSION: Final = 1

# Op codes (WebSocketOpCode).
OP_HELLO: Final = 0
OP_IDENTIFY: Final = 1
OP_IDENTIFIED: Final = 2
OP_EVENT: Final = 5
OP_REQUEST: Final = 6
OP_REQUEST_RESPONSE: Final = 7

# Event subscription bits (EventSubscription).
EVENT_GENERAL: Final = 1 << 0
EVENT_SCENES: Final = 1 << 2
EVENT_INPUTS: Final = 1 << 3
EVENT_MEDIA_INPUTS: Final = 1 << 8
EVENT_UI: Final = 1 << 10

# Close codes (WebSocketCloseCode) that mean "your credentials are wrong".
CLOSE_AUTHENTICATION_FAILED: Final = 4009
CLOSE_UNSUPPORTED_RPC_VERSION: Final = 4010


class RequestStatus:
    """The obs-websocket ``RequestStatus`` codes this project cares about."""

    SUCCESS: Final = 100
    MISSING_REQUEST_TYPE: Final = 203
    UNKNOWN_REQUEST_TYPE: Final = 204
    STUDIO_MODE_NOT_ACTIVE: Final = 506
    RESOURCE_NOT_FOUND: Final = 600
    RESOURCE_ALREADY_EXISTS: Final = 601


class ObsError(Exception):
    """Base class of every error raised by this module."""


class ObsUnavailable(ObsError):
    """OBS cannot be reached, closed the connection, or does not answer."""


class ObsTimeout(ObsUnavailable):
    """OBS did not answer (the handshake or a request) within the timeout."""


class ObsAuthError(ObsError):
    """OBS rejected the password (or requires one and none was given)."""


class ObsRequestError(ObsError):
    """OBS answered a request with a failure status.

    Attributes:
        request_type: the request that failed, e.g. ``"SetCurrentProgramScene"``.
        code: the obs-websocket ``RequestStatus`` code (see :class:`RequestStatus`).
        comment: OBS's explanation, or ``None`` when it gives none.
    """

    def __init__(self, request_type: str, code: int, comment: str | None) -> None:
        self.request_type = request_type
        self.code = code
        self.comment = comment
        text = f"{request_type} failed with code {code}"
        if comment:
            text += f": {comment}"
        super().__init__(text)


@dataclass(frozen=True, slots=True)
class ObsEvent:
    """An event pushed by OBS (op 5).

    Attributes:
        type: the event type, e.g. ``"CurrentProgramSceneChanged"``.
        data: the ``eventData`` object (empty when OBS sends none).
        intent: the subscription bit the event belongs to.
        received: ``loop.time()`` when the client read the frame.
    """

    type: str
    data: Mapping[str, Any] = field(default_factory=dict)
    intent: int = 0
    received: float = 0.0


EventListener = Callable[[ObsEvent], None]

MEDIA_PLAYING: Final = "OBS_MEDIA_STATE_PLAYING"
"""The ``mediaState`` of a media input that is playing (or, for a network stream, trying
to: see docs/switcher.md, "What OBS reports")."""


@dataclass(frozen=True, slots=True)
class MediaStatus:
    """``GetMediaInputStatus`` of one media input.

    Attributes:
        state: ``mediaState``, e.g. ``"OBS_MEDIA_STATE_PLAYING"``, ``"..._ENDED"``.
        cursor: ``mediaCursor`` (ms), ``None`` when OBS gives none (ended, stopped).
        duration: ``mediaDuration`` (ms; negative or 0 for a live stream), or ``None``.
    """

    state: str
    cursor: int | None
    duration: int | None


def auth_response(password: str, salt: str, challenge: str) -> str:
    """Compute the ``authentication`` string of an Identify message.

    ``base64(sha256(base64(sha256(password + salt)) + challenge))``.
    """
    secret = base64.b64encode(hashlib.sha256((password + salt).encode()).digest())
    return base64.b64encode(hashlib.sha256(secret + challenge.encode()).digest()).decode()


class ObsClient:
    """One connection to one OBS Studio's websocket server.

    Args:
        url: ``ws://host:port`` of the obs-websocket server.
        password: the server password, or ``None`` when OBS requires none.
        request_timeout: default seconds to wait for the answer to a request.
        connect_timeout: seconds allowed for TCP + websocket + Hello/Identify.
        event_subscriptions: the ``EventSubscription`` bit mask to ask for.
        ping_interval: seconds between keepalive pings (``None``: no keepalive).
        on_event: a listener called (synchronously, from the reader task) with
            every event; more can be added with :meth:`add_listener`.

    The client is single-use: once closed, make a new one.
    """

    def __init__(
        self,
        url: str,
        *,
        password: str | None = None,
        request_timeout: float = 5.0,
        connect_timeout: float = 5.0,
        event_subscriptions: int = EVENT_GENERAL | EVENT_SCENES | EVENT_UI,
        ping_interval: float | None = 10.0,
        on_event: EventListener | None = None,
    ) -> None:
        self.url = url
        self._password = password
        self.request_timeout = request_timeout
        self.connect_timeout = connect_timeout
        self.event_subscriptions = event_subscriptions
        self.ping_interval = ping_interval
        self._listeners: list[EventListener] = [] if on_event is None else [on_event]
        self._ws: ClientConnection | None = None
        self._reader: asyncio.Task[None] | None = None
        self._pending: dict[str, asyncio.Future[dict[str, Any]]] = {}
        self._ids = itertools.count(1)
        self._closed = asyncio.Event()
        self._close_error: ObsError | None = None
        #: ``obsWebSocketVersion`` announced in Hello, once connected.
        self.server_version: str | None = None

    # -- lifecycle -------------------------------------------------------

    async def connect(self) -> None:
        """Open the connection and complete the Hello / Identify handshake.

        Raises:
            ObsUnavailable: OBS cannot be reached or closed the connection.
            ObsTimeout: the handshake took longer than ``connect_timeout``.
            ObsAuthError: the password is wrong, or OBS wants one and none was given.
        """
        if self._ws is not None or self._closed.is_set():
            raise RuntimeError("ObsClient.connect() may be called only once")
        try:
            async with asyncio.timeout(self.connect_timeout):
                await self._handshake()
        except TimeoutError:
            await self._abort()
            raise ObsTimeout(f"OBS at {self.url} did not complete the handshake in time") from None
        except BaseException:
            await self._abort()
            raise
        self._reader = asyncio.create_task(self._read_loop(), name=f"obs-reader {self.url}")

    async def _handshake(self) -> None:
        try:
            self._ws = await connect(
                self.url,
                subprotocols=[SUBPROTOCOL],
                compression=None,
                proxy=None,
                open_timeout=None,  # bounded by connect_timeout around the whole handshake
                ping_interval=self.ping_interval,
                ping_timeout=self.ping_interval,
                close_timeout=2,
                max_size=16 * 2**20,
            )
        except InvalidURI as exc:
            raise ObsUnavailable(f"invalid OBS address {self.url!r}: {exc}") from None
        except (OSError, InvalidHandshake) as exc:
            raise ObsUnavailable(f"cannot connect to OBS at {self.url}: {exc}") from None
        ws = self._ws
        if ws.subprotocol != SUBPROTOCOL:
            raise ObsUnavailable(f"{self.url} is not an obs-websocket v5 server")
        hello = await self._recv_handshake(ws)
        if hello.get("op") != OP_HELLO:
            raise ObsUnavailable(f"{self.url}: expected Hello, got op {hello.get('op')!r}")
        data = hello.get("d") or {}
        self.server_version = data.get("obsWebSocketVersion")
        identify: dict[str, Any] = {
            "rpcVersion": RPC_VERSION,
            "eventSubscriptions": self.event_subscriptions,
        }
        challenge = data.get("authentication")
        if challenge is not None:
            if self._password is None:
                raise ObsAuthError(f"OBS at {self.url} requires a password and none is configured")
            identify["authentication"] = auth_response(
                self._password, challenge["salt"], challenge["challenge"]
            )
        await ws.send(json.dumps({"op": OP_IDENTIFY, "d": identify}))
        identified = await self._recv_handshake(ws)
        if identified.get("op") != OP_IDENTIFIED:
            raise ObsUnavailable(
                f"{self.url}: expected Identified, got op {identified.get('op')!r}"
            )

    async def _recv_handshake(self, ws: ClientConnection) -> dict[str, Any]:
        try:
            raw = await ws.recv()
        except ConnectionClosed as exc:
            raise self._closed_error(exc) from None
        message = json.loads(raw)
        if not isinstance(message, dict):
            raise ObsUnavailable(f"{self.url}: malformed message {raw!r:.80}")
        return message

    def _closed_error(self, exc: ConnectionClosed) -> ObsError:
        frame = exc.rcvd
        if frame is not None and frame.code == CLOSE_AUTHENTICATION_FAILED:
            return ObsAuthError(f"OBS at {self.url} rejected the password")
        if frame is not None and frame.code == CLOSE_UNSUPPORTED_RPC_VERSION:
            return ObsUnavailable(f"OBS at {self.url} does not speak obs-websocket RPC v1")
        if frame is not None:
            reason = f" ({frame.reason})" if frame.reason else ""
            return ObsUnavailable(f"OBS at {self.url} closed the connection: {frame.code}{reason}")
        return ObsUnavailable(f"connection to OBS at {self.url} lost")

    async def close(self) -> None:
        """Close the connection; pending requests fail with :class:`ObsUnavailable`."""
        await self._abort()
        if self._reader is not None:
            await asyncio.gather(self._reader, return_exceptions=True)

    async def _abort(self) -> None:
        self._finish(ObsUnavailable(f"connection to OBS at {self.url} closed"))
        if self._ws is not None:
            await self._ws.close()

    def _finish(self, error: ObsError) -> None:
        if self._close_error is None:
            self._close_error = error
        self._closed.set()
        pending, self._pending = self._pending, {}
        for future in pending.values():
            if not future.done():
                future.set_exception(self._close_error)

    async def __aenter__(self) -> ObsClient:
        await self.connect()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()

    @property
    def connected(self) -> bool:
        """True between a successful :meth:`connect` and the end of the connection."""
        return self._ws is not None and self._reader is not None and not self._closed.is_set()

    async def wait_closed(self) -> ObsError:
        """Wait until the connection ends; return why (never raises it)."""
        await self._closed.wait()
        assert self._close_error is not None
        return self._close_error

    # -- events ----------------------------------------------------------

    def add_listener(self, listener: EventListener) -> None:
        """Call ``listener(event)`` for every event OBS sends from now on."""
        self._listeners.append(listener)

    def remove_listener(self, listener: EventListener) -> None:
        """Stop calling ``listener``; no error if it was not registered."""
        if listener in self._listeners:
            self._listeners.remove(listener)

    async def _read_loop(self) -> None:
        assert self._ws is not None
        loop = asyncio.get_running_loop()
        error: ObsError = ObsUnavailable(f"connection to OBS at {self.url} lost")
        try:
            async for raw in self._ws:
                try:
                    message = json.loads(raw)
                    op = message["op"]
                    data = message["d"]
                except (ValueError, KeyError, TypeError):
                    logger.warning("OBS at %s sent a malformed message: %.200r", self.url, raw)
                    continue
                if op == OP_REQUEST_RESPONSE:
                    future = self._pending.pop(str(data.get("requestId")), None)
                    if future is not None and not future.done():
                        future.set_result(data)
                elif op == OP_EVENT:
                    event = ObsEvent(
                        type=str(data.get("eventType")),
                        data=data.get("eventData") or {},
                        intent=int(data.get("eventIntent") or 0),
                        received=loop.time(),
                    )
                    for listener in list(self._listeners):
                        try:
                            listener(event)
                        except Exception:
                            logger.exception("OBS event listener failed on %s", event.type)
        except ConnectionClosed as exc:
            error = self._closed_error(exc)
        finally:
            self._finish(error)

    # -- requests --------------------------------------------------------

    async def request(
        self,
        request_type: str,
        data: Mapping[str, Any] | None = None,
        *,
        timeout: float | None = None,
    ) -> dict[str, Any]:
        """Send a request and wait for its answer.

        Args:
            request_type: e.g. ``"SetCurrentProgramScene"``.
            data: the ``requestData`` object, if the request takes one.
            timeout: seconds to wait for the answer (default: ``request_timeout``).

        Returns:
            The ``responseData`` object (empty when OBS sends none).

        Raises:
            ObsRequestError: OBS answered with a failure status.
            ObsTimeout: no answer within the timeout.
            ObsUnavailable: not connected, or the connection dropped meanwhile.
        """
        if not self.connected:
            raise self._close_error or ObsUnavailable(f"not connected to OBS at {self.url}")
        assert self._ws is not None
        request_id = str(next(self._ids))
        payload: dict[str, Any] = {"requestType": request_type, "requestId": request_id}
        if data is not None:
            payload["requestData"] = dict(data)
        future: asyncio.Future[dict[str, Any]] = asyncio.get_running_loop().create_future()
        self._pending[request_id] = future
        try:
            async with asyncio.timeout(self.request_timeout if timeout is None else timeout):
                try:
                    await self._ws.send(json.dumps({"op": OP_REQUEST, "d": payload}))
                except ConnectionClosed as exc:
                    raise self._closed_error(exc) from None
                answer = await future
        except TimeoutError:
            raise ObsTimeout(f"OBS at {self.url} did not answer {request_type} in time") from None
        finally:
            self._pending.pop(request_id, None)
        status = answer.get("requestStatus") or {}
        if not status.get("result"):
            raise ObsRequestError(request_type, int(status.get("code", 0)), status.get("comment"))
        response = answer.get("responseData") or {}
        assert isinstance(response, dict)
        return response

    # -- conveniences ----------------------------------------------------

    async def get_version(self) -> dict[str, Any]:
        """``GetVersion``: OBS and obs-websocket versions, available requests."""
        return await self.request("GetVersion")

    async def get_scene_names(self) -> list[str]:
        """``GetSceneList``: the names of every scene."""
        answer = await self.request("GetSceneList")
        return [str(scene["sceneName"]) for scene in answer.get("scenes", [])]

    async def get_program_scene(self) -> str:
        """``GetCurrentProgramScene``: the scene on program."""
        answer = await self.request("GetCurrentProgramScene")
        return str(answer["currentProgramSceneName"])

    async def set_program_scene(self, scene: str) -> None:
        """``SetCurrentProgramScene``: put ``scene`` on program (600 if unknown)."""
        await self.request("SetCurrentProgramScene", {"sceneName": scene})

    async def get_preview_scene(self) -> str | None:
        """``GetCurrentPreviewScene``; ``None`` when studio mode is off."""
        try:
            answer = await self.request("GetCurrentPreviewScene")
        except ObsRequestError as exc:
            if exc.code == RequestStatus.STUDIO_MODE_NOT_ACTIVE:
                return None
            raise
        return str(answer["currentPreviewSceneName"])

    async def set_preview_scene(self, scene: str) -> None:
        """``SetCurrentPreviewScene`` (studio mode only: 506 otherwise)."""
        await self.request("SetCurrentPreviewScene", {"sceneName": scene})

    async def get_studio_mode(self) -> bool:
        """``GetStudioModeEnabled``."""
        answer = await self.request("GetStudioModeEnabled")
        return bool(answer["studioModeEnabled"])

    async def get_media_input_status(self, input_name: str) -> MediaStatus:
        """``GetMediaInputStatus`` (600 if there is no such input; 604 if not a media input)."""
        answer = await self.request("GetMediaInputStatus", {"inputName": input_name})
        cursor, duration = answer.get("mediaCursor"), answer.get("mediaDuration")
        return MediaStatus(
            state=str(answer.get("mediaState")),
            cursor=None if cursor is None else int(cursor),
            duration=None if duration is None else int(duration),
        )

    async def create_scene(self, scene: str, *, exist_ok: bool = False) -> None:
        """``CreateScene``; with ``exist_ok`` an existing scene is not an error."""
        try:
            await self.request("CreateScene", {"sceneName": scene})
        except ObsRequestError as exc:
            if not (exist_ok and exc.code == RequestStatus.RESOURCE_ALREADY_EXISTS):
                raise
