"""The journal's data directory on disk: its marker, its SQLite file, its schema.

A data directory is recognised by a marker file (``CONTROL-ROOM``) and by the SQLite
``application_id`` of its journal (``journal.sqlite3``); anything else (another program's
database, a corrupt file, a data dir whose journal vanished) is refused with a clear
message, never silently replaced by a fresh journal. This module says what the format is
and opens, recognises and prepares a journal's file; :class:`control_room.journal.Journal`
reads and writes it.

This module does no asyncio; the app calls it from a single worker thread.
"""

from __future__ import annotations

import json
import os
import sqlite3
import time
import uuid
from pathlib import Path

from control_room.clock import from_epoch
from control_room.journal_records import iso_utc

__all__ = [
    "APPLICATION_ID",
    "JOURNAL_NAME",
    "MARKER_NAME",
    "MARKER_TEXT",
    "SCHEMA_VERSION",
    "JournalError",
    "connect",
    "fsync_path",
    "install_copy",
    "prepare",
    "start_copy",
    "write_marker",
]

APPLICATION_ID = 0x43524F4D  # "CROM"
SCHEMA_VERSION = 1
MARKER_NAME = "CONTROL-ROOM"
JOURNAL_NAME = "journal.sqlite3"
MARKER_TEXT = "control-room data directory (journal format 1). Do not edit.\n"

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


class JournalError(Exception):
    """A data directory or journal that cannot be used; the message says why and what to do."""


def write_marker(directory: Path) -> None:
    """Mark ``directory`` as a control-room data directory. Raises OSError."""
    (directory / MARKER_NAME).write_text(MARKER_TEXT, encoding="utf-8")


def fsync_path(path: Path) -> None:
    """Flush a file (or a directory's entries) to disk. Raises OSError."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _check_directory(directory: Path, *, create: bool, readonly: bool) -> bool:
    """Refuse a data directory that is not ours; initialise a fresh one. True: it was fresh."""
    if directory.exists() and not directory.is_dir():
        raise JournalError(f"{directory}: not a directory")
    fresh = not directory.exists() or not any(directory.iterdir())
    if fresh:
        if readonly or not create:
            raise JournalError(f"{directory}: no control-room journal here (empty or missing)")
        try:
            directory.mkdir(parents=True, exist_ok=True)
            write_marker(directory)
        except OSError as exc:
            raise JournalError(f"{directory}: cannot create the data directory: {exc}") from exc
    elif not (directory / MARKER_NAME).is_file():
        raise JournalError(
            f"{directory}: not a control-room data directory (no {MARKER_NAME} marker) and "
            "not empty; refusing to write there. Pass a new or empty --data-dir."
        )
    elif not (directory / JOURNAL_NAME).is_file():
        raise JournalError(
            f"{directory / JOURNAL_NAME}: the journal is missing from this data directory; "
            "refusing to start afresh and lose the day's commands. Restore it, or pass a new "
            "--data-dir."
        )
    return fresh


def connect(
    directory: Path, *, create: bool, readonly: bool
) -> tuple[Path, sqlite3.Connection, bool]:
    """Check ``directory`` and open its journal's file (not yet recognised: see :func:`prepare`).

    Returns:
        The journal's path, its connection, and whether the directory was fresh.

    Raises:
        JournalError: the directory is not ours, or its journal cannot be opened.
    """
    fresh = _check_directory(directory, create=create, readonly=readonly)
    path = directory / JOURNAL_NAME
    try:
        if readonly:
            connection = sqlite3.connect(
                f"{path.resolve().as_uri()}?mode=ro", uri=True, check_same_thread=False
            )
        else:
            connection = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
    except sqlite3.Error as exc:
        raise JournalError(f"{path}: cannot open the journal: {exc}") from exc
    return path, connection, fresh


def _initialise(db: sqlite3.Connection) -> None:
    """Create the schema of a new journal, its identity and its creation date (one commit)."""
    db.execute("PRAGMA journal_mode = WAL")
    db.executescript(
        "BEGIN IMMEDIATE;\n"
        + _SCHEMA
        + f"PRAGMA application_id = {APPLICATION_ID};\n"
        + f"PRAGMA user_version = {SCHEMA_VERSION};\n"
        + "INSERT INTO meta (key, value) VALUES ('created_at', "
        + f"'{json.dumps(iso_utc(from_epoch(time.time())))}');\n"
        + "INSERT INTO meta (key, value) VALUES ('journal_id', "
        + f"'{json.dumps(uuid.uuid4().hex)}');\n"
        + "COMMIT;"
    )


def prepare(db: sqlite3.Connection, path: Path, *, readonly: bool) -> None:
    """Recognise the journal at ``path`` (initialising an empty one) and set it up for writing.

    Raises:
        JournalError: not a journal of ours, of a newer format, or damaged.
        sqlite3.DatabaseError: the file cannot be read.
    """
    app_id = db.execute("PRAGMA application_id").fetchone()[0]
    tables = {
        row[0]
        for row in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'").fetchall()
    }
    if not tables and app_id == 0 and not readonly:
        # A new journal (or an empty file left by a crash during initialisation).
        _initialise(db)
        app_id = APPLICATION_ID
        tables = set(_TABLES)
    if app_id != APPLICATION_ID:
        raise JournalError(
            f"{path}: not a control-room journal (SQLite application_id {app_id:#x}, "
            f"expected {APPLICATION_ID:#x}); refusing to use it. Pass a new --data-dir."
        )
    version = db.execute("PRAGMA user_version").fetchone()[0]
    if version > SCHEMA_VERSION:
        raise JournalError(
            f"{path}: journal format {version} was written by a newer control-room "
            f"(this one reads format {SCHEMA_VERSION}); upgrade control-room."
        )
    missing = sorted(_TABLES - tables)
    if version < 1 or missing:
        raise JournalError(
            f"{path}: damaged journal (format {version}, missing tables {missing}). "
            "Restore it from a backup, or pass a new --data-dir."
        )
    check = db.execute("PRAGMA quick_check").fetchone()[0]
    if check != "ok":
        raise JournalError(
            f"{path}: the journal is corrupt (SQLite quick_check: {check}). Restore it "
            "from a backup, or pass a new --data-dir."
        )
    if not readonly:
        db.execute("PRAGMA journal_mode = WAL")
        db.execute("PRAGMA synchronous = FULL")
        db.executescript(_PRESENCE_SCHEMA)


def start_copy(directory: Path) -> Path:
    """Make ``directory`` a data directory to copy a journal into; the copy's path. OSError."""
    directory.mkdir(parents=True, exist_ok=True)
    if not (directory / MARKER_NAME).is_file():
        write_marker(directory)
    partial = directory / (JOURNAL_NAME + ".partial")
    partial.unlink(missing_ok=True)
    return partial


def install_copy(partial: Path, directory: Path) -> None:
    """Flush a copied journal and rename it over ``directory``'s (a stale WAL removed). OSError."""
    fsync_path(partial)
    for suffix in ("-wal", "-shm"):
        (directory / (JOURNAL_NAME + suffix)).unlink(missing_ok=True)
    os.replace(partial, directory / JOURNAL_NAME)
    fsync_path(directory)
