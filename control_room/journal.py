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

A data directory is recognised by a marker file and by the SQLite
``application_id`` of its journal; anything else (another program's database,
a corrupt file, a data dir whose journal vanished) is refused with a clear
message, never silently replaced by a fresh journal.

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
import os
import sqlite3
import threading
import time
import uuid
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import Any

from control_room.clock import epoch, from_epoch
from control_room.seal import (
    GENESIS,
    SEAL_NAME,
    Integrity,
    Seal,
    SealError,
    SealFile,
    chain,
    judge,
)

__all__ = [
    "APPLICATION_ID",
    "AckRecord",
    "Journal",
    "JournalError",
    "JournalLoss",
    "MARKER_NAME",
    "JOURNAL_NAME",
    "SCHEMA_VERSION",
    "PresenceSample",
    "Record",
    "SwitchRecord",
]

APPLICATION_ID = 0x43524F4D  # "CROM"
SCHEMA_VERSION = 1
MARKER_NAME = "CONTROL-ROOM"
JOURNAL_NAME = "journal.sqlite3"
_MARKER_TEXT = "control-room data directory (journal format 1). Do not edit.\n"

_SCHEMA = """
CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
CREATE TABLE entries (
    seq     INTEGER PRIMARY KEY,
    wall    TEXT NOT NULL,
    show    TEXT NOT NULL,
    who     TEXT NOT NULL,
    command TEXT NOT NULL
);
CREATE TABLE switches (
    id          INTEGER PRIMARY KEY,
    channel     TEXT NOT NULL,
    scene       TEXT NOT NULL,
    target      TEXT NOT NULL,
    asked_at    TEXT NOT NULL,
    show_at     TEXT,
    result      TEXT NOT NULL,
    code        INTEGER,
    comment     TEXT NOT NULL,
    duration_ms REAL
);
CREATE TABLE acks (
    id         INTEGER PRIMARY KEY,
    channel    TEXT NOT NULL,
    message_id INTEGER NOT NULL,
    name       TEXT NOT NULL,
    wall       TEXT NOT NULL,
    show       TEXT NOT NULL
);
CREATE TRIGGER entries_append_only_update BEFORE UPDATE ON entries
BEGIN SELECT RAISE(ABORT, 'the journal is append-only'); END;
CREATE TRIGGER entries_append_only_delete BEFORE DELETE ON entries
BEGIN SELECT RAISE(ABORT, 'the journal is append-only'); END;
CREATE TRIGGER switches_append_only_update BEFORE UPDATE ON switches
BEGIN SELECT RAISE(ABORT, 'the journal is append-only'); END;
CREATE TRIGGER switches_append_only_delete BEFORE DELETE ON switches
BEGIN SELECT RAISE(ABORT, 'the journal is append-only'); END;
CREATE TRIGGER acks_append_only_update BEFORE UPDATE ON acks
BEGIN SELECT RAISE(ABORT, 'the journal is append-only'); END;
CREATE TRIGGER acks_append_only_delete BEFORE DELETE ON acks
BEGIN SELECT RAISE(ABORT, 'the journal is append-only'); END;
"""

_TABLES = {"meta", "entries", "switches", "acks"}

# Added after format 1 shipped: created where missing, so older data dirs gain it on open.
_PRESENCE_SCHEMA = """
CREATE TABLE IF NOT EXISTS presence (
    id     INTEGER PRIMARY KEY,
    wall   TEXT NOT NULL,
    show   TEXT NOT NULL,
    counts TEXT NOT NULL
);
CREATE TRIGGER IF NOT EXISTS presence_append_only_update BEFORE UPDATE ON presence
BEGIN SELECT RAISE(ABORT, 'the journal is append-only'); END;
CREATE TRIGGER IF NOT EXISTS presence_append_only_delete BEFORE DELETE ON presence
BEGIN SELECT RAISE(ABORT, 'the journal is append-only'); END;
"""


logger = logging.getLogger(__name__)


class JournalError(Exception):
    """A data directory or journal that cannot be used; the message says why and what to do."""


class JournalLoss(JournalError):
    """A journal that lost or changed acknowledged commands (judged against its seal).

    Attributes:
        integrity: the verdict, with the missing sequence numbers.
    """

    def __init__(self, message: str, integrity: Integrity) -> None:
        super().__init__(message)
        self.integrity = integrity


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
            "wall": _iso_utc(self.wall),
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
            "asked_at": _iso_utc(self.asked_at),
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
            "wall": _iso_utc(self.wall),
            "show": self.show.isoformat(),
        }


@dataclass(frozen=True)
class PresenceSample:
    """How many screens of each role followed each channel, at one instant."""

    id: int
    wall: datetime
    show: datetime
    counts: dict[str, dict[str, int]]


def _iso_utc(instant: datetime) -> str:
    return from_epoch(epoch(instant)).isoformat(timespec="microseconds").replace("+00:00", "Z")


def _json_or_none(text: Any) -> Any:
    try:
        return json.loads(text)
    except (TypeError, ValueError, RecursionError):
        return None


def loss_message(path: Path, integrity: Integrity) -> str:
    """What ``serve`` says of a journal that lost or changed acknowledged commands."""
    return (
        f"{path}: refusing to serve a journal that lost acknowledged commands: "
        f"{integrity.problem}. Nothing was changed. To go on: restore the journal "
        "(control-room restore --from MIRROR, if it was served with --journal-mirror; or "
        "journal.sqlite3 and journal.sqlite3-wal from a backup), or accept the loss with "
        "serve --accept-journal-loss (the loss is journaled: what, by whom, when)."
    )


def _parse_iso(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


class _Damaged(Exception):
    """A stored row that cannot be decoded; the message says which column and why."""


def _row_text(value: Any, column: str) -> str:
    """A TEXT column read as bytes (``CAST(... AS BLOB)``), decoded strictly."""
    if isinstance(value, bytes):
        try:
            return value.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise _Damaged(f"{column} is not UTF-8 text (byte {exc.start})") from None
    if isinstance(value, str):
        return value
    raise _Damaged(f"{column} is {'empty (NULL)' if value is None else type(value).__name__}")


def _row_instant(value: Any, column: str) -> datetime:
    text = _row_text(value, column)
    try:
        instant = _parse_iso(text)
    except ValueError:
        raise _Damaged(f"{column} is not an ISO instant: {text[:40]!r}") from None
    if instant.tzinfo is None:
        raise _Damaged(f"{column} has no UTC offset: {text[:40]!r}")
    return instant


def _row_int(value: Any, column: str) -> int:
    if isinstance(value, int):
        return value
    raise _Damaged(f"{column} is not a whole number: {value!r:.40}")


def _row_command(value: Any) -> dict[str, Any]:
    text = _row_text(value, "command")
    try:
        command = json.loads(text)
    except (ValueError, RecursionError):
        raise _Damaged(f"command is not JSON: {text[:40]!r}") from None
    if not isinstance(command, dict):
        raise _Damaged(f"command is not a JSON object: {text[:40]!r}")
    return command


def _damaged(path: Path, row: str, exc: _Damaged) -> JournalError:
    return JournalError(
        f"{path}: {row} is damaged ({exc}); the journal was changed outside control-room. "
        "Restore it from a backup, or pass a new --data-dir."
    )


class Journal:
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
        directory = Path(data_dir)
        marker = directory / MARKER_NAME
        path = directory / JOURNAL_NAME
        if directory.exists() and not directory.is_dir():
            raise JournalError(f"{directory}: not a directory")
        fresh = not directory.exists() or not any(directory.iterdir())
        if fresh:
            if readonly or not create:
                raise JournalError(f"{directory}: no control-room journal here (empty or missing)")
            try:
                directory.mkdir(parents=True, exist_ok=True)
                marker.write_text(_MARKER_TEXT, encoding="utf-8")
            except OSError as exc:
                raise JournalError(f"{directory}: cannot create the data directory: {exc}") from exc
        elif not marker.is_file():
            raise JournalError(
                f"{directory}: not a control-room data directory (no {MARKER_NAME} marker) and "
                "not empty; refusing to write there. Pass a new or empty --data-dir."
            )
        elif not path.is_file():
            raise JournalError(
                f"{path}: the journal is missing from this data directory; refusing to start "
                "afresh and lose the day's commands. Restore it, or pass a new --data-dir."
            )
        try:
            if readonly:
                connection = sqlite3.connect(
                    f"{path.resolve().as_uri()}?mode=ro", uri=True, check_same_thread=False
                )
            else:
                connection = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        except sqlite3.Error as exc:
            raise JournalError(f"{path}: cannot open the journal: {exc}") from exc
        journal = cls(path, connection, readonly=readonly)
        try:
            journal._prepare(fresh=fresh)
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

    def _prepare(self, *, fresh: bool) -> None:
        db = self._db
        app_id = db.execute("PRAGMA application_id").fetchone()[0]
        tables = {
            row[0]
            for row in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'").fetchall()
        }
        if not tables and app_id == 0 and not self.readonly:
            # A new journal (or an empty file left by a crash during initialisation).
            db.execute("PRAGMA journal_mode = WAL")
            db.executescript(
                "BEGIN IMMEDIATE;\n"
                + _SCHEMA
                + f"PRAGMA application_id = {APPLICATION_ID};\n"
                + f"PRAGMA user_version = {SCHEMA_VERSION};\n"
                + "INSERT INTO meta (key, value) VALUES ('created_at', "
                + f"'{json.dumps(_iso_utc(from_epoch(time.time())))}');\n"
                + "INSERT INTO meta (key, value) VALUES ('journal_id', "
                + f"'{json.dumps(uuid.uuid4().hex)}');\n"
                + "COMMIT;"
            )
            app_id = APPLICATION_ID
            tables = set(_TABLES)
        if app_id != APPLICATION_ID:
            raise JournalError(
                f"{self.path}: not a control-room journal (SQLite application_id {app_id:#x}, "
                f"expected {APPLICATION_ID:#x}); refusing to use it. Pass a new --data-dir."
            )
        version = db.execute("PRAGMA user_version").fetchone()[0]
        if version > SCHEMA_VERSION:
            raise JournalError(
                f"{self.path}: journal format {version} was written by a newer control-room "
                f"(this one reads format {SCHEMA_VERSION}); upgrade control-room."
            )
        missing = sorted(_TABLES - tables)
        if version < 1 or missing:
            raise JournalError(
                f"{self.path}: damaged journal (format {version}, missing tables {missing}). "
                "Restore it from a backup, or pass a new --data-dir."
            )
        check = db.execute("PRAGMA quick_check").fetchone()[0]
        if check != "ok":
            raise JournalError(
                f"{self.path}: the journal is corrupt (SQLite quick_check: {check}). Restore it "
                "from a backup, or pass a new --data-dir."
            )
        if not self.readonly:
            db.execute("PRAGMA journal_mode = WAL")
            db.execute("PRAGMA synchronous = FULL")
            db.executescript(_PRESENCE_SCHEMA)

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
            rows = self._db.execute(
                "SELECT seq, CAST(wall AS BLOB), CAST(show AS BLOB), CAST(who AS BLOB), "
                "CAST(command AS BLOB) FROM entries ORDER BY seq"
            ).fetchall()
            row = self._db.execute("SELECT value FROM meta WHERE key = 'journal_id'").fetchone()
        heads = [GENESIS]
        next_present = None
        for seq, wall, show, who, command in rows:
            if seq != len(heads):
                next_present = seq
                break
            heads.append(chain(heads[-1], seq, wall, show, who, command))
        self._heads = heads
        self._last_seq = rows[-1][0] if rows else 0
        journal_id = _json_or_none(row[0]) if row is not None else None
        self._id = journal_id if isinstance(journal_id, str) else None
        trouble = None
        sealed: Seal | None = None
        try:
            sealed = self._seal.read()
        except SealError as exc:
            trouble = f"its seal is unreadable ({exc})"
        return judge(
            heads,
            self._last_seq,
            sealed,
            journal_id=self._id,
            seal_trouble=trouble,
            next_present=next_present,
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
            accepted.append(
                {
                    **integrity.to_json(),
                    "by": accept_loss_by,
                    "at": _iso_utc(from_epoch(time.time())),
                }
            )
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
        directory.mkdir(parents=True, exist_ok=True)
        marker = directory / MARKER_NAME
        if not marker.is_file():
            marker.write_text(_MARKER_TEXT, encoding="utf-8")
        partial = directory / (JOURNAL_NAME + ".partial")
        partial.unlink(missing_ok=True)
        with self._lock:
            copy = sqlite3.connect(partial)
            try:
                self._db.backup(copy)
            finally:
                copy.close()
            whole = len(self._heads) - 1
            journal_id, head = self._id or "", self._heads[whole]
        fd = os.open(partial, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
        for suffix in ("-wal", "-shm"):
            (directory / (JOURNAL_NAME + suffix)).unlink(missing_ok=True)
        os.replace(partial, directory / JOURNAL_NAME)
        fd = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
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
            return json.loads(_row_text(row[0], key))
        except (_Damaged, ValueError, RecursionError):
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
        wall_at = from_epoch(wall) if isinstance(wall, float | int) else wall
        text = json.dumps(dict(command), ensure_ascii=False, sort_keys=True)
        row = (_iso_utc(wall_at), show.isoformat(), who, text)
        with self._lock:
            if not self._integrity.ok:
                raise JournalError(
                    f"{self.path}: refusing to add to a journal that {self._integrity.problem}"
                )
            seq = self._last_seq + 1
            self._commit_entry(seq, row)
            self._tee(lambda m: m._mirror_entry(seq, row))
        return Record(seq, from_epoch(epoch(wall_at)), show, who, json.loads(text))

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
                    "SELECT seq, CAST(wall AS BLOB), CAST(show AS BLOB), CAST(who AS BLOB), "
                    "CAST(command AS BLOB) FROM entries WHERE seq > ? ORDER BY seq",
                    (after,),
                ).fetchall()
            except sqlite3.DatabaseError as exc:
                raise JournalError(f"{self.path}: the journal cannot be read ({exc})") from exc
        records = []
        for seq, wall, show, who, command in rows:
            try:
                record = Record(
                    seq,
                    _row_instant(wall, "wall"),
                    _row_instant(show, "show"),
                    _row_text(who, "who"),
                    _row_command(command),
                )
            except _Damaged as exc:
                raise _damaged(self.path, f"journal entry #{seq}", exc) from None
            records.append(record)
        return records

    def __len__(self) -> int:
        with self._lock:
            return int(self._db.execute("SELECT COUNT(*) FROM entries").fetchone()[0])

    def __iter__(self) -> Iterator[Record]:
        return iter(self.records())

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
            (
                record.channel,
                record.scene,
                record.target,
                _iso_utc(asked),
                None if record.show_at is None else record.show_at.isoformat(),
                record.result,
                record.code,
                record.comment,
                record.duration_ms,
            ),
        )
        return replace(record, asked_at=asked, id=row_id)

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
        return [
            SwitchRecord(
                channel=r[1],
                scene=r[2],
                target=r[3],
                asked_at=_parse_iso(r[4]),
                show_at=None if r[5] is None else _parse_iso(r[5]),
                result=r[6],
                code=r[7],
                comment=r[8],
                duration_ms=r[9],
                id=r[0],
            )
            for r in rows
        ]

    # -- audit: acknowledgements ----------------------------------------------

    def record_ack(
        self, channel: str, message_id: int, name: str, *, wall: float | datetime, show: datetime
    ) -> AckRecord:
        """Record that a moderator acknowledged a message (committed before returning)."""
        wall_at = from_epoch(wall) if isinstance(wall, float | int) else wall
        row_id = self._insert(
            "acks",
            "channel, message_id, name, wall, show",
            (channel, message_id, name, _iso_utc(wall_at), show.isoformat()),
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
        for row_id, channel_, message, name, wall, show in rows:
            try:
                ack = AckRecord(
                    row_id,
                    _row_text(channel_, "channel"),
                    _row_int(message, "message_id"),
                    _row_text(name, "name"),
                    _row_instant(wall, "wall"),
                    _row_instant(show, "show"),
                )
            except _Damaged as exc:
                raise _damaged(self.path, f"journal acknowledgement a{row_id}", exc) from None
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
            "presence", "wall, show, counts", (_iso_utc(wall_at), show.isoformat(), text)
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
        return [
            PresenceSample(r[0], _parse_iso(r[1]), _parse_iso(r[2]), json.loads(r[3])) for r in rows
        ]
