"""The durable journal: every operator command, in order, in SQLite.

The journal is the only mutable input of the show (``state = timeline(schedule,
journal, t)``), so it must survive anything: SQLite in WAL mode with
``synchronous=FULL``, one transaction per appended entry, committed before the
command is acknowledged or applied. Entries are append-only (triggers refuse
UPDATE and DELETE).

Beside commands, the journal keeps the audit records of the day: switcher
attempts (what scene was asked of OBS, when, what it answered, how long it
took) and the moderators' acknowledgements of régie messages; ``control-room
journal`` (:mod:`control_room.cli.journal`) prints them.

The data directory's format (its marker, the SQLite ``application_id``, the schema) is
:mod:`control_room.journal_format`; the records and their strict decoding,
:mod:`control_room.journal_records`; the verdict against the seal,
:mod:`control_room.journal_integrity`.

Beside the SQLite files, the journal keeps its seal (:mod:`control_room.seal`): the last
committed sequence number and the running hash of its entries, written after each commit.
:meth:`Journal.verify` judges the journal against it, so a journal that lost or changed
acknowledged commands (a damaged or deleted WAL) is refused rather than served short, until
the operator restores it or accepts the loss (journaled as such). A journal may also write
every record to a mirror, a second journal on another disk (:mod:`control_room.mirror`).

This module does no asyncio; the app calls it from a single worker thread.
"""

from __future__ import annotations

import json
import logging
import sqlite3
import threading
import uuid
from collections.abc import Iterator, Mapping
from datetime import datetime
from pathlib import Path
from typing import Any

from control_room.clock import from_epoch
from control_room.journal_audit import AuditTables, damaged_error
from control_room.journal_format import (
    APPLICATION_ID,
    JOURNAL_NAME,
    MARKER_NAME,
    SCHEMA_VERSION,
    JournalError,
    connect,
    install_copy,
    prepare,
    start_copy,
)
from control_room.journal_integrity import (
    JournalLoss,
    accepted_loss,
    hash_entries,
    judge_seal,
    loss_message,
)
from control_room.journal_records import (
    ENTRY_COLUMNS,
    AckRecord,
    Damaged,
    PresenceSample,
    Record,
    SwitchRecord,
    decode_entry,
    iso_utc,
    json_or_none,
    row_text,
)
from control_room.seal import GENESIS, SEAL_NAME, Integrity, Seal, SealFile, chain

__all__ = [
    "APPLICATION_ID",
    "AckRecord",
    "EntryRow",
    "Journal",
    "JournalError",
    "JournalLoss",
    "MARKER_NAME",
    "JOURNAL_NAME",
    "SCHEMA_VERSION",
    "PresenceSample",
    "Record",
    "SwitchRecord",
    "entry_row",
    "loss_message",
]

logger = logging.getLogger(__name__)


EntryRow = tuple[str, str, str, str]
"""An entry as stored: wall (ISO UTC), show (ISO), who, command (JSON, sorted keys)."""


def entry_row(
    *, wall: float | datetime, show: datetime, who: str, command: Mapping[str, Any]
) -> EntryRow:
    """The texts an entry is stored (and hashed, and replicated) as."""
    wall_at = from_epoch(wall) if isinstance(wall, float | int) else wall
    text = json.dumps(dict(command), ensure_ascii=False, sort_keys=True)
    return (iso_utc(wall_at), show.isoformat(), who, text)


def _record(seq: int, row: EntryRow) -> Record:
    """The record of a stored row (raises Damaged for texts that are not an entry)."""
    return decode_entry((seq, *row))


class Journal(AuditTables):
    """The journal of one data directory. Use :meth:`open`; thread-safe.

    Raises:
        JournalError: from :meth:`open`, for a data dir that is not ours or is damaged.
    """

    def __init__(self, path: Path, connection: sqlite3.Connection, *, readonly: bool) -> None:
        self.path = path
        self.readonly = readonly
        self._db = connection
        self._lock = threading.Lock()
        self._seal = SealFile(path.parent / SEAL_NAME)
        self._heads: list[str] = [GENESIS]
        self._last_seq = 0
        self._integrity = Integrity(0, 0, None)
        self._mirror: Journal | None = None
        self._id: str | None = None
        self.mirror_error: str | None = None
        """Why the mirror stopped being written (None: it is, or there is none)."""

    # -- opening ---------------------------------------------------------------

    @classmethod
    def open(cls, data_dir: str | Path, *, create: bool = True, readonly: bool = False) -> Journal:
        """Open (or, with ``create``, initialise) the journal of ``data_dir``.

        A missing or empty directory is initialised. A directory holding our
        marker must hold a healthy journal of our format. Any other non-empty
        directory is refused.

        Args:
            data_dir: the data directory.
            create: initialise a missing or empty directory.
            readonly: open for reading only (audit printout); implies not ``create``.

        Raises:
            JournalError: the directory or its journal cannot be used as is.
        """
        path, connection, fresh = connect(Path(data_dir), create=create, readonly=readonly)
        journal = cls(path, connection, readonly=readonly)
        try:
            prepare(connection, path, readonly=readonly)
            journal._integrity = journal._scan()
            if fresh:
                journal._write_seal()
        except sqlite3.DatabaseError as exc:
            connection.close()
            raise JournalError(
                f"{path}: not a readable control-room journal ({exc}); the file is corrupt or "
                "belongs to another program. Restore it from a backup, or pass a new --data-dir."
            ) from exc
        except (JournalError, OSError) as exc:
            connection.close()
            if isinstance(exc, OSError):
                raise JournalError(f"{journal._seal.path}: cannot write the seal: {exc}") from exc
            raise
        return journal

    def close(self) -> None:
        with self._lock:
            self._db.close()
            self._seal.close()
            if self._mirror is not None:
                self._mirror.close()
                self._mirror = None

    def __enter__(self) -> Journal:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- integrity -------------------------------------------------------------

    @property
    def journal_id(self) -> str | None:
        """This journal's identity (None: a journal older than seals, not yet verified)."""
        return self._id

    @property
    def last_seq(self) -> int:
        """The highest sequence number the journal holds."""
        return self._last_seq

    @property
    def whole(self) -> int:
        """Entries 1..whole are all there (the prefix the running hash covers)."""
        return len(self._heads) - 1

    def head_at(self, seq: int) -> str | None:
        """The running hash after entry ``seq`` (None: the journal does not hold 1..seq)."""
        return self._heads[seq] if 0 <= seq < len(self._heads) else None

    @property
    def integrity(self) -> Integrity:
        """The journal judged against its seal, as of opening (or the last verify)."""
        return self._integrity

    def _scan(self) -> Integrity:
        """Hash every entry as stored and judge the journal against its seal.

        Raises:
            sqlite3.DatabaseError: the file cannot be read.
        """
        with self._lock:
            rows = self._db.execute(f"SELECT {ENTRY_COLUMNS} FROM entries ORDER BY seq").fetchall()
            row = self._db.execute("SELECT value FROM meta WHERE key = 'journal_id'").fetchone()
        heads, next_present = hash_entries(rows)
        self._heads = heads
        self._last_seq = rows[-1][0] if rows else 0
        journal_id = json_or_none(row[0]) if row is not None else None
        self._id = journal_id if isinstance(journal_id, str) else None
        return judge_seal(
            heads, self._last_seq, self._seal, journal_id=self._id, next_present=next_present
        )

    def verify(self, *, accept_loss_by: str | None = None) -> Integrity:
        """Judge the journal against its seal now; refuse it, or accept its loss, or seal it.

        A sound journal (or one older than seals) is sealed as it is. A journal that lost or
        changed acknowledged commands is refused, unless ``accept_loss_by`` says who accepts
        the loss: then a meta record ``accepted_losses`` says what was accepted, by whom and
        when, and the journal is sealed as it now is.

        Args:
            accept_loss_by: who accepts the loss (``--accept-journal-loss``), or None.

        Returns:
            The verdict (``ok`` False only when a loss was accepted).

        Raises:
            JournalLoss: the journal lost or changed commands, and no one accepted it.
            JournalError: the journal or its seal cannot be read or written.
        """
        try:
            integrity = self._scan()
        except sqlite3.DatabaseError as exc:
            raise JournalError(f"{self.path}: the journal cannot be read ({exc})") from exc
        self._integrity = integrity
        if not integrity.ok:
            if accept_loss_by is None:
                raise JournalLoss(loss_message(self.path, integrity), integrity)
            accepted = list(self.get_meta("accepted_losses") or [])
            accepted.append(accepted_loss(integrity, accept_loss_by))
            self.set_meta("accepted_losses", accepted)
            logger.warning("journal loss accepted by %s: %s", accept_loss_by, integrity.problem)
        if self._id is None:  # a journal older than seals: it gets its identity now
            self._id = uuid.uuid4().hex
            self.set_meta("journal_id", self._id)
        try:
            self._write_seal()
        except OSError as exc:
            raise JournalError(f"{self._seal.path}: cannot write the seal: {exc}") from exc
        if not integrity.ok:
            self._integrity = Integrity(integrity.seq, len(self._heads) - 1, None)
        return integrity

    def _write_seal(self) -> Seal:
        """Seal the journal as it is (its whole prefix). Raises OSError."""
        journal_id = self.journal_id or ""
        whole = len(self._heads) - 1
        return self._seal.write(journal_id, whole, self._heads[whole])

    def copy_to(self, directory: Path) -> int:
        """Make ``directory`` a data directory holding a copy of this journal, sealed.

        The copy is made with SQLite's backup API from one consistent snapshot, flushed,
        and renamed over ``directory``'s journal; the caller has closed any journal open
        there and moved aside the files to keep (a stale ``-wal`` is removed).

        Returns:
            The number of commands copied.

        Raises:
            OSError: the directory cannot be written.
        """
        partial = start_copy(directory)
        with self._lock:
            copy = sqlite3.connect(partial)
            try:
                self._db.backup(copy)
            finally:
                copy.close()
            whole = len(self._heads) - 1
            journal_id, head = self._id or "", self._heads[whole]
        install_copy(partial, directory)
        seal = SealFile(directory / SEAL_NAME)
        try:
            seal.write(journal_id, whole, head)
        finally:
            seal.close()
        return whole

    def attach_mirror(self, mirror: Journal | None) -> None:
        """Write every record to ``mirror`` too, from now on (None: stop)."""
        with self._lock:
            self._mirror = mirror
            self.mirror_error = None

    @property
    def mirror(self) -> Journal | None:
        return self._mirror

    def _tee(self, write: Any) -> None:
        """Apply ``write(mirror)`` to the mirror; a failing mirror is dropped, loudly."""
        mirror = self._mirror
        if mirror is None:
            return
        try:
            write(mirror)
        except Exception as exc:  # noqa: BLE001 - the show goes on on the main journal
            self.mirror_error = f"{mirror.path.parent}: {exc}"
            self._mirror = None
            logger.error(
                "the journal mirror %s failed (%s); no longer mirrored: restart serve with a "
                "working --journal-mirror to copy the journal there again",
                mirror.path.parent,
                exc,
            )

    # -- settings --------------------------------------------------------------

    def get_meta(self, key: str) -> Any:
        """A setting stored in the journal, or None.

        Raises:
            JournalError: the stored value is damaged.
        """
        with self._lock:
            try:
                row = self._db.execute(
                    "SELECT CAST(value AS BLOB) FROM meta WHERE key = ?", (key,)
                ).fetchone()
            except sqlite3.DatabaseError as exc:
                raise JournalError(f"{self.path}: the journal cannot be read ({exc})") from exc
        if row is None:
            return None
        try:
            return json.loads(row_text(row[0], key))
        except (Damaged, ValueError, RecursionError):
            raise JournalError(
                f"{self.path}: the journal's setting {key!r} is damaged; the journal was "
                "changed outside control-room. Restore it from a backup, or pass a new --data-dir."
            ) from None

    def set_meta(self, key: str, value: Any) -> None:
        """Store a setting (JSON-serialisable), replacing the previous one."""
        sql = (
            "INSERT INTO meta (key, value) VALUES (?, ?) "
            "ON CONFLICT(key) DO UPDATE SET value = excluded.value"
        )
        params = (key, json.dumps(value, ensure_ascii=False))
        with self._lock:
            self._db.execute(sql, params)
            self._tee(lambda m: m._execute(sql, params))

    def _execute(self, sql: str, params: tuple[Any, ...]) -> None:
        """One write, as the main journal made it (on a mirror)."""
        with self._lock:
            self._db.execute(sql, params)

    # -- commands --------------------------------------------------------------

    def append(
        self, *, wall: float | datetime, show: datetime, who: str, command: Mapping[str, Any]
    ) -> Record:
        """Append a command and commit it (durably) before returning.

        Args:
            wall: when the command was received (epoch seconds or aware datetime).
            show: the show instant it applies at.
            who: the operator label.
            command: the command as JSON.

        Returns:
            The stored record, with its sequence number.
        """
        row = entry_row(wall=wall, show=show, who=who, command=command)
        with self._lock:
            self._check_writable()
            seq = self._last_seq + 1
            self._commit_entry(seq, row)
            self._tee(lambda m: m._mirror_entry(seq, row))
        return _record(seq, row)

    def append_row(self, seq: int, row: EntryRow) -> Record:
        """Append an entry numbered and serialised elsewhere (a replicated journal's), durably.

        A cluster follower copies the leader's entries (:mod:`control_room.cluster`) with
        the leader's ``seq`` and the leader's exact text, so every copy hashes to the same
        seal head; an entry out of order is refused rather than stored with a gap.

        Args:
            seq: the entry's number: the journal's last plus one.
            row: the stored texts (:func:`entry_row`): wall, show, who, command.

        Raises:
            JournalError: ``seq`` does not follow the journal's last entry, or the journal
                cannot be trusted as it is.
        """
        with self._lock:
            self._check_writable()
            if seq != self._last_seq + 1:
                raise JournalError(
                    f"{self.path}: replicated entry #{seq} does not follow #{self._last_seq}"
                )
            self._commit_entry(seq, row)
            self._tee(lambda m: m._mirror_entry(seq, row))
        return _record(seq, row)

    def rows(self, *, after: int = 0, through: int | None = None) -> list[tuple[int, EntryRow]]:
        """Every entry with ``after < seq <= through`` as stored (its texts), to compare
        with a copy.

        Raises:
            JournalError: the journal cannot be read, or a row is damaged.
        """
        with self._lock:
            try:
                found = self._db.execute(
                    f"SELECT {ENTRY_COLUMNS} FROM entries WHERE seq > ? AND seq <= ? ORDER BY seq",
                    (after, self._last_seq if through is None else through),
                ).fetchall()
            except sqlite3.DatabaseError as exc:
                raise JournalError(f"{self.path}: the journal cannot be read ({exc})") from exc
        try:
            return [
                (
                    seq,
                    (
                        row_text(w, "wall"),
                        row_text(s, "show"),
                        row_text(u, "who"),
                        row_text(c, "command"),
                    ),
                )
                for seq, w, s, u, c in found
            ]
        except Damaged as exc:
            raise damaged_error(self.path, "a journal entry", exc) from None

    def _check_writable(self) -> None:
        """Refuse to add to a journal judged unsound (holds the lock)."""
        if not self._integrity.ok:
            raise JournalError(
                f"{self.path}: refusing to add to a journal that {self._integrity.problem}"
            )

    def _commit_entry(self, seq: int, row: tuple[str, str, str, str]) -> None:
        """Insert entry ``seq`` (one committed transaction), then seal it. Holds the lock."""
        self._db.execute(
            "INSERT INTO entries (seq, wall, show, who, command) VALUES (?, ?, ?, ?, ?)",
            (seq, *row),
        )
        self._last_seq = seq
        if seq == len(self._heads):
            self._heads.append(chain(self._heads[-1], seq, *row))
            self._write_seal()

    def _mirror_entry(self, seq: int, row: tuple[str, str, str, str]) -> None:
        with self._lock:
            self._commit_entry(seq, row)

    def records(self, *, after: int = 0) -> list[Record]:
        """Every command with ``seq > after``, in order.

        Raises:
            JournalError: a row cannot be decoded (edited or damaged outside control-room);
                the message names the entry.
        """
        with self._lock:
            try:
                rows = self._db.execute(
                    f"SELECT {ENTRY_COLUMNS} FROM entries WHERE seq > ? ORDER BY seq",
                    (after,),
                ).fetchall()
            except sqlite3.DatabaseError as exc:
                raise JournalError(f"{self.path}: the journal cannot be read ({exc})") from exc
        records = []
        for row in rows:
            try:
                record = decode_entry(row)
            except Damaged as exc:
                raise damaged_error(self.path, f"journal entry #{row[0]}", exc) from None
            records.append(record)
        return records

    def __len__(self) -> int:
        with self._lock:
            return int(self._db.execute("SELECT COUNT(*) FROM entries").fetchone()[0])

    def __iter__(self) -> Iterator[Record]:
        return iter(self.records())

    def _insert(self, table: str, columns: str, values: tuple[Any, ...]) -> int:
        """Insert an audit row (committed), and the same row, same id, on the mirror."""
        marks = ", ".join("?" * (len(values) + 1))
        with self._lock:
            cursor = self._db.execute(
                f"INSERT INTO {table} ({columns}) VALUES ({marks[3:]})", values
            )
            row_id = cursor.lastrowid
            assert row_id is not None
            sql = f"INSERT INTO {table} (id, {columns}) VALUES ({marks})"
            self._tee(lambda m: m._execute(sql, (row_id, *values)))
        return row_id
