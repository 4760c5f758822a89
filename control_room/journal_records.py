"""The journal's records, and how their stored rows are decoded, strictly.

A record is what one row of the journal holds: a command (:class:`Record`), a switcher
attempt (:class:`SwitchRecord`), a moderator's acknowledgement (:class:`AckRecord`) or a
presence sample (:class:`PresenceSample`). The journal (:mod:`control_room.journal`) stores
them; this module says what they are and turns a stored row back into one.

Entries and acknowledgements are read as bytes (``CAST(... AS BLOB)``) and decoded
strictly: a row edited or damaged outside control-room raises :class:`Damaged`, naming the
column and why, rather than replaying a guess.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from control_room.clock import epoch, from_epoch

__all__ = [
    "ENTRY_COLUMNS",
    "AckRecord",
    "Damaged",
    "PresenceSample",
    "Record",
    "SwitchRecord",
    "decode_ack",
    "decode_entry",
    "decode_presence",
    "decode_switch",
    "iso_utc",
    "json_or_none",
    "parse_iso",
    "switch_values",
]


def iso_utc(instant: datetime) -> str:
    """An instant as stored: ISO 8601 in UTC, to the microsecond, with a ``Z``."""
    return from_epoch(epoch(instant)).isoformat(timespec="microseconds").replace("+00:00", "Z")


def parse_iso(text: str) -> datetime:
    """A stored instant read back (``Z`` or an offset)."""
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def json_or_none(text: Any) -> Any:
    """Stored JSON decoded, or None when it is not JSON."""
    try:
        return json.loads(text)
    except (TypeError, ValueError, RecursionError):
        return None


@dataclass(frozen=True)
class Record:
    """One journal entry: an operator command.

    Attributes:
        seq: its position in the journal (1, 2, ...; never reused).
        wall: when it was received (aware UTC).
        show: the show instant it applies at (aware).
        who: the operator label.
        command: the command as JSON (the engine's command model, dumped).
    """

    seq: int
    wall: datetime
    show: datetime
    who: str
    command: dict[str, Any]

    def to_json(self) -> dict[str, Any]:
        return {
            "seq": self.seq,
            "wall": iso_utc(self.wall),
            "show": self.show.isoformat(),
            "who": self.who,
            "command": self.command,
        }


@dataclass(frozen=True, slots=True)
class SwitchRecord:
    """One attempt to change a video switcher's scene, and its outcome.

    The switcher makes it, the journal stores it whole (:meth:`Journal.record_switch`)
    and reads it back (:meth:`Journal.switches`), with its ``id`` then.

    Attributes:
        channel: the channel whose switcher was asked.
        scene: the scene asked for.
        target: ``"program"`` or ``"preview"``.
        asked_at: when the request left (wall time, aware).
        show_at: the show instant of the state that asked for it.
        result: ``ok``, ``refused`` (the switcher answered an error), ``timeout``,
            ``unreachable`` (not connected: the scene will be set on reconnect).
        code: the switcher's status code, when it answered (OBS: 100 = success).
        comment: what the switcher said, or what went wrong, or why it was asked.
        duration_ms: the request's round trip, when a request was made.
        id: its row in the journal, once stored (``None`` before).
    """

    channel: str
    scene: str
    target: str
    asked_at: datetime
    show_at: datetime | None
    result: str
    code: int | None = None
    comment: str = ""
    duration_ms: float | None = None
    id: int | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "channel": self.channel,
            "scene": self.scene,
            "target": self.target,
            "asked_at": iso_utc(self.asked_at),
            "show_at": None if self.show_at is None else self.show_at.isoformat(),
            "result": self.result,
            "code": self.code,
            "comment": self.comment,
            "duration_ms": self.duration_ms,
        }


@dataclass(frozen=True)
class AckRecord:
    """A moderator acknowledged a régie message."""

    id: int
    channel: str
    message_id: int
    name: str
    wall: datetime
    show: datetime

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "channel": self.channel,
            "message_id": self.message_id,
            "name": self.name,
            "wall": iso_utc(self.wall),
            "show": self.show.isoformat(),
        }


@dataclass(frozen=True)
class PresenceSample:
    """How many screens of each role followed each channel, at one instant."""

    id: int
    wall: datetime
    show: datetime
    counts: dict[str, dict[str, int]]


ENTRY_COLUMNS = (
    "seq, CAST(wall AS BLOB), CAST(show AS BLOB), CAST(who AS BLOB), CAST(command AS BLOB)"
)
"""The ``entries`` columns as :func:`decode_entry` and the running hash read them."""


class Damaged(Exception):
    """A stored row that cannot be decoded; the message says which column and why."""


def row_text(value: Any, column: str) -> str:
    """A TEXT column read as bytes (``CAST(... AS BLOB)``), decoded strictly."""
    if isinstance(value, bytes):
        try:
            return value.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise Damaged(f"{column} is not UTF-8 text (byte {exc.start})") from None
    if isinstance(value, str):
        return value
    raise Damaged(f"{column} is {'empty (NULL)' if value is None else type(value).__name__}")


def _row_instant(value: Any, column: str) -> datetime:
    text = row_text(value, column)
    try:
        instant = parse_iso(text)
    except ValueError:
        raise Damaged(f"{column} is not an ISO instant: {text[:40]!r}") from None
    if instant.tzinfo is None:
        raise Damaged(f"{column} has no UTC offset: {text[:40]!r}")
    return instant


def _row_int(value: Any, column: str) -> int:
    if isinstance(value, int):
        return value
    raise Damaged(f"{column} is not a whole number: {value!r:.40}")


def _row_command(value: Any) -> dict[str, Any]:
    text = row_text(value, "command")
    try:
        command = json.loads(text)
    except (ValueError, RecursionError):
        raise Damaged(f"command is not JSON: {text[:40]!r}") from None
    if not isinstance(command, dict):
        raise Damaged(f"command is not a JSON object: {text[:40]!r}")
    return command


def decode_entry(row: tuple[Any, ...]) -> Record:
    """An ``entries`` row (seq, then wall, show, who, command as BLOBs). Raises Damaged."""
    seq, wall, show, who, command = row
    return Record(
        seq,
        _row_instant(wall, "wall"),
        _row_instant(show, "show"),
        row_text(who, "who"),
        _row_command(command),
    )


def decode_ack(row: tuple[Any, ...]) -> AckRecord:
    """An ``acks`` row (id, then channel, message_id, name, wall, show). Raises Damaged."""
    row_id, channel, message, name, wall, show = row
    return AckRecord(
        row_id,
        row_text(channel, "channel"),
        _row_int(message, "message_id"),
        row_text(name, "name"),
        _row_instant(wall, "wall"),
        _row_instant(show, "show"),
    )


def switch_values(record: SwitchRecord, asked: datetime) -> tuple[Any, ...]:
    """The ``switches`` columns of ``record`` after its id, as stored (asked at ``asked``)."""
    return (
        record.channel,
        record.scene,
        record.target,
        iso_utc(asked),
        None if record.show_at is None else record.show_at.isoformat(),
        record.result,
        record.code,
        record.comment,
        record.duration_ms,
    )


def decode_switch(r: tuple[Any, ...]) -> SwitchRecord:
    """A ``switches`` row: id, then the columns of :func:`switch_values`."""
    return SwitchRecord(
        channel=r[1],
        scene=r[2],
        target=r[3],
        asked_at=parse_iso(r[4]),
        show_at=None if r[5] is None else parse_iso(r[5]),
        result=r[6],
        code=r[7],
        comment=r[8],
        duration_ms=r[9],
        id=r[0],
    )


def decode_presence(r: tuple[Any, ...]) -> PresenceSample:
    """A ``presence`` row: id, wall, show, counts."""
    return PresenceSample(r[0], parse_iso(r[1]), parse_iso(r[2]), json.loads(r[3]))
