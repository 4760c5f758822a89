"""The state by reference on the wire: live snapshots and deltas, each encoded once.

A client that asked for ``state=ref`` (:attr:`~control_room.hub.Client.compact`) gets the
live document (:mod:`control_room.core.live_document`) of the channels it follows on connect
(``live``), then for each publication only what changed in them (``delta``: a merge patch
per channel), a few hundred bytes where the full ``state`` message is 11 KB. The schedule
itself it fetches once per version (``GET /api/schedule``) and joins.

:class:`LiveFeed` keeps the last live document and, per channel, the publication that last
changed it: a delta says which publication it applies to (``base``), so a client can tell
it missed one. Each delta and each snapshot is encoded once per (view, note scope); a
client that is behind gets a snapshot instead of a delta (the hub's queue keeps only the
latest message under ``"state"``, and a patch must never replace the one it follows).

:class:`Snapshots` caches the greeting's snapshot texts (full or live) per (view, scope)
until the next publication, so that a thousand screens connecting encode it once; each
copy is stamped with its own ``server_time`` when it leaves.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Hashable
from typing import Any, Final

from control_room.core.document import NoteScope
from control_room.core.live_document import (
    Instants,
    LiveDocument,
    live_document,
    live_patch,
    public_live,
)
from control_room.core.schedule import Schedule
from control_room.core.timeline import ShowState
from control_room.hub import Client, Hub, View
from control_room.wire import Cause, ClockModel, DeltaMessage, LiveMessage, encode, now_ms

__all__ = ["BOOT", "LiveFeed", "Snapshots", "stamped"]

BOOT: Final = secrets.token_hex(6)
"""This run of the server (in the welcome): the key of a client's schedule cache is
(``BOOT``, schedule version)."""

_UNSTAMPED = '{"server_time":0.0,'


def stamped(text: str) -> str:
    """A cached message (encoded with ``server_time`` 0) with the server's time now."""
    if text.startswith(_UNSTAMPED):
        return f'{{"server_time":{now_ms()},{text[len(_UNSTAMPED) :]}'
    return text


class Snapshots:
    """Encoded snapshots per key, valid for one publication (``seq``) only."""

    def __init__(self) -> None:
        self._seq = -1
        self._texts: dict[Hashable, str] = {}

    def get(self, seq: int, key: Hashable, make: Callable[[], str]) -> str:
        """The snapshot of ``key`` at publication ``seq`` (``make`` encodes it with
        ``server_time`` 0; it is stamped here)."""
        if seq != self._seq:
            self._seq, self._texts = seq, {}
        text = self._texts.get(key)
        if text is None:
            text = self._texts[key] = make()
        return stamped(text)


def _view_of(channels: dict[str, Any], view: View) -> dict[str, Any]:
    if view is None:
        return channels
    return {cid: ch for cid, ch in channels.items() if cid in view}


class LiveFeed:
    """The live document last published, and what each publication changed."""

    def __init__(self) -> None:
        self.doc: LiveDocument | None = None
        self.seq = 0
        self.changed: dict[str, int] = {}
        """channel id -> the publication that last changed its (public) live document."""
        self._current: tuple[ShowState, LiveDocument] | None = None
        self.snapshots = Snapshots()

    def current(self, schedule: Schedule, show: ShowState) -> LiveDocument:
        """The live document of ``show`` (built once per state)."""
        if self._current is None or self._current[0] is not show:
            self._current = (show, live_document(schedule, show))
        return self._current[1]

    def snapshot_text(
        self,
        schedule: Schedule,
        show: ShowState,
        *,
        seq: int,
        view: View,
        notes: NoteScope,
        clock: ClockModel,
        cause: Cause,
        schedule_version: int,
    ) -> str:
        """The ``live`` message of one view and note scope (cached until the next
        publication when ``cause`` is a plain snapshot)."""

        def make(server_time: float = 0.0) -> str:
            doc = public_live(self.current(schedule, show), notes)
            return encode(
                LiveMessage.of(
                    seq=seq,
                    clock=clock,
                    cause=cause,
                    schedule_version=schedule_version,
                    instants=Instants.of(schedule).doc(),
                    at=doc["at"],
                    channels=_view_of(doc["channels"], view),
                    server_time=server_time,
                )
            )

        if cause.get("kind") != "snapshot":
            return make(now_ms())
        return self.snapshots.get(seq, ("live", view, notes, schedule_version), make)

    def publish(
        self,
        hub: Hub,
        schedule: Schedule,
        show: ShowState,
        *,
        seq: int,
        cause: Cause,
        clock: ClockModel,
        schedule_version: int,
        fresh: bool,
    ) -> None:
        """Send publication ``seq`` to the compact clients: a delta per (view, scope) of
        what changed, or a snapshot to each (``fresh``: a new schedule, or the first
        publication), or to a client that is behind."""
        old = self.doc
        new = self.current(schedule, show)
        self.doc = new
        bases = dict(self.changed)
        if old is None or fresh:
            self.changed = {cid: seq for cid in new["channels"]}
            old = None
        else:
            public_old = public_live(old)["channels"]
            public_new = public_live(new)["channels"]
            for cid, patch in live_patch(public_old, public_new).items():
                if patch:
                    self.changed[cid] = seq
        self.seq = seq
        for scope in {client.notes for client in hub if client.compact}:

            def snapshot(view: View, scope: NoteScope = scope) -> str:
                return self.snapshot_text(
                    schedule,
                    show,
                    seq=seq,
                    view=view,
                    notes=scope,
                    clock=clock,
                    cause=cause,
                    schedule_version=schedule_version,
                )

            def within(client: Client, scope: NoteScope = scope) -> bool:
                return client.compact and client.notes == scope

            if old is None:
                hub.broadcast_view(snapshot, key="state", where=within)
                continue
            patches = live_patch(
                public_live(old, scope)["channels"], public_live(new, scope)["channels"]
            )

            def delta(view: View, patches: dict[str, Any] = patches) -> str | None:
                changed = {cid: p for cid, p in _view_of(patches, view).items() if p}
                if not changed:
                    return None
                ids = bases if view is None else view
                base = max((bases.get(cid, 0) for cid in ids), default=0)
                return encode(
                    DeltaMessage.of(seq=seq, base=base, cause=cause, at=new["at"], channels=changed)
                )

            hub.broadcast_view(delta, key="state", where=within, catch_up=snapshot)
