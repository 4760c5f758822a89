"""The journal's audit tables: switcher attempts, moderators' acknowledgements, presence.

Beside the commands (which alone make the state), the journal keeps what the day did around
them; ``control-room journal`` and the after-show report read them back. Each row is
committed before the call returns and copied, same id, to the mirror
(:meth:`~control_room.journal.Journal._insert`). A mixin of
:class:`~control_room.journal.Journal`: it needs only the connection, its lock, the path
and the insert.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Mapping
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from typing import Any

from control_room.clock import epoch, from_epoch
from control_room.journal_format import JournalError
from control_room.journal_records import (
    AckRecord,
    Damaged,
    PresenceSample,
    SwitchRecord,
    decode_ack,
    decode_presence,
    decode_switch,
    iso_utc,
    switch_values,
)

__all__ = ["AuditTables", "damaged_error"]


def damaged_error(path: Path, row: str, exc: Damaged) -> JournalError:
    """The error of a row that cannot be decoded: where it is, and what to do."""
    return JournalError(
        f"{path}: {row} is damaged ({exc}); the journal was changed outside control-room. "
        "Restore it from a backup, or pass a new --data-dir."
    )


class AuditTables:
    """The audit rows of a journal (see the module)."""

    path: Path
    _db: sqlite3.Connection
    _lock: threading.Lock

    def _insert(self, table: str, columns: str, values: tuple[Any, ...]) -> int:
        raise NotImplementedError  # the journal's: committed, and teed to the mirror

    # -- audit: switcher -------------------------------------------------------

    def record_switch(self, record: SwitchRecord) -> SwitchRecord:
        """Record one switcher attempt (committed before returning).

        Args:
            record: the attempt (its ``id`` is ignored).

        Returns:
            The stored record, with its ``id``.
        """
        asked = from_epoch(epoch(record.asked_at))
        row_id = self._insert(
            "switches",
            "channel, scene, target, asked_at, show_at, result, code, comment, duration_ms",
            switch_values(record, asked),
        )
        return replace(record, asked_at=asked, id=row_id)

    def switches(self, *, channel: str | None = None) -> list[SwitchRecord]:
        """Every switcher attempt (of one channel), in order."""
        query = (
            "SELECT id, channel, scene, target, asked_at, show_at, result, code, comment, "
            "duration_ms FROM switches"
        )
        args: tuple[Any, ...] = ()
        if channel is not None:
            query += " WHERE channel = ?"
            args = (channel,)
        with self._lock:
            rows = self._db.execute(query + " ORDER BY id", args).fetchall()
        return [decode_switch(r) for r in rows]

    # -- audit: acknowledgements ----------------------------------------------

    def record_ack(
        self, channel: str, message_id: int, name: str, *, wall: float | datetime, show: datetime
    ) -> AckRecord:
        """Record that a moderator acknowledged a message (committed before returning)."""
        wall_at = from_epoch(wall) if isinstance(wall, float | int) else wall
        row_id = self._insert(
            "acks",
            "channel, message_id, name, wall, show",
            (channel, message_id, name, iso_utc(wall_at), show.isoformat()),
        )
        return AckRecord(row_id, channel, message_id, name, from_epoch(epoch(wall_at)), show)

    def acks(self, *, channel: str | None = None, message_id: int | None = None) -> list[AckRecord]:
        """Acknowledgements, optionally of one channel and one message, in order.

        Raises:
            JournalError: a row cannot be decoded; the message names it.
        """
        query = (
            "SELECT id, CAST(channel AS BLOB), message_id, CAST(name AS BLOB), "
            "CAST(wall AS BLOB), CAST(show AS BLOB) FROM acks WHERE 1 = 1"
        )
        args: list[Any] = []
        if channel is not None:
            query += " AND channel = ?"
            args.append(channel)
        if message_id is not None:
            query += " AND message_id = ?"
            args.append(message_id)
        with self._lock:
            rows = self._db.execute(query + " ORDER BY id", args).fetchall()
        acks = []
        for row in rows:
            try:
                ack = decode_ack(row)
            except Damaged as exc:
                raise damaged_error(self.path, f"journal acknowledgement a{row[0]}", exc) from None
            acks.append(ack)
        return acks

    # -- audit: presence -------------------------------------------------------

    def record_presence(
        self, counts: Mapping[str, Mapping[str, int]], *, wall: float | datetime, show: datetime
    ) -> PresenceSample:
        """Record a presence sample: per channel, screens per role (committed before returning)."""
        wall_at = from_epoch(wall) if isinstance(wall, float | int) else wall
        text = json.dumps({k: dict(v) for k, v in counts.items()}, sort_keys=True)
        row_id = self._insert(
            "presence", "wall, show, counts", (iso_utc(wall_at), show.isoformat(), text)
        )
        return PresenceSample(row_id, from_epoch(epoch(wall_at)), show, json.loads(text))

    def presence(self) -> list[PresenceSample]:
        """Every presence sample, in order (none in a data dir older than the table)."""
        with self._lock:
            try:
                rows = self._db.execute(
                    "SELECT id, wall, show, counts FROM presence ORDER BY id"
                ).fetchall()
            except sqlite3.OperationalError:  # an older data dir opened read-only
                return []
        return [decode_presence(r) for r in rows]
