"""The journal's seal: what it committed, kept outside SQLite's files.

SQLite in WAL mode keeps the day's latest commands in ``journal.sqlite3-wal`` until a
checkpoint copies them into ``journal.sqlite3``. A WAL that is deleted, truncated or
damaged (a bad disk, a careless copy, a cleaning script) silently takes its commands with
it: SQLite opens the shorter journal as if nothing happened. The seal is the second
witness that makes the loss visible:

    DATA/journal.seal     the last committed sequence number and the running hash

The running hash chains SHA-256 over each entry's stored bytes
(:func:`chain`), so a journal whose first ``seq`` entries differ in any byte from what was
committed no longer hashes to the sealed head.

The file holds two fixed-size slots of 256 bytes, each a line of JSON with its own check
sum and a generation number. A commit overwrites the *older* slot in place (``pwrite`` and
``fdatasync``: one flush, no rename, no directory update) and reading takes the valid slot
of the highest generation: a write torn by a power cut spoils only the slot being
written, and the other still holds the previous commit. This costs one ``fdatasync`` per
command, where the write-temp-fsync-rename-fsync-directory dance would cost two flushes
and a directory update, for the same guarantee.

This module does no SQLite; :mod:`control_room.journal` writes the seal after each commit
on its writer thread.
"""

from __future__ import annotations

import hashlib
import json
import os
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from control_room.clock import from_epoch

__all__ = [
    "GENESIS",
    "SEAL_NAME",
    "SLOT_SIZE",
    "Integrity",
    "Seal",
    "SealError",
    "SealFile",
    "chain",
    "judge",
]

SEAL_NAME = "journal.seal"
SLOT_SIZE = 256
GENESIS = hashlib.sha256(b"control-room journal, chain 1").hexdigest()
"""The head of an empty journal."""


class SealError(Exception):
    """A seal file that exists but cannot be read (both slots damaged)."""


def _field(value: Any) -> bytes:
    """One stored column as bytes: length-prefixed, so fields cannot run into each other."""
    if value is None:
        return b"-"
    if isinstance(value, str):
        raw = value.encode("utf-8", "surrogateescape")
    elif isinstance(value, bytes):
        raw = value
    else:
        raw = str(value).encode()
    return b"%d:" % len(raw) + raw


def chain(head: str, seq: int, wall: Any, show: Any, who: Any, command: Any) -> str:
    """The running hash after one more entry: SHA-256 of the previous head and its bytes.

    Args:
        head: the hash before this entry (:data:`GENESIS` for the first).
        seq: the entry's sequence number.
        wall: its stored ``wall`` column (text or bytes, as stored).
        show: its stored ``show`` column.
        who: its stored ``who`` column.
        command: its stored ``command`` column (the JSON text).
    """
    digest = hashlib.sha256(bytes.fromhex(head))
    for value in (seq, wall, show, who, command):
        digest.update(_field(value))
    return digest.hexdigest()


@dataclass(frozen=True, slots=True)
class Seal:
    """What the journal had committed when the seal was last written.

    Attributes:
        journal_id: the journal's identity (its meta ``journal_id``), so that a seal or a
            mirror of another data dir is never taken for this one's.
        seq: the last committed command's sequence number (0: none yet).
        head: the running hash of entries 1..``seq`` (:func:`chain`).
        generation: how many times the seal was written (the newer slot wins).
        written_at: when it was written (ISO UTC).
    """

    journal_id: str
    seq: int
    head: str
    generation: int = 0
    written_at: str = ""

    def _payload(self) -> dict[str, Any]:
        return {
            "v": 1,
            "journal": self.journal_id,
            "gen": self.generation,
            "seq": self.seq,
            "head": self.head,
            "at": self.written_at,
        }

    def encode(self) -> bytes:
        """The seal as one slot: a JSON line with its check sum, padded to SLOT_SIZE."""
        payload = self._payload()
        text = json.dumps(payload, separators=(",", ":"), sort_keys=True)
        payload["check"] = hashlib.sha256(text.encode()).hexdigest()[:16]
        line = json.dumps(payload, separators=(",", ":"), sort_keys=True).encode()
        if len(line) > SLOT_SIZE - 1:
            raise ValueError("seal too long for its slot")
        return line + b" " * (SLOT_SIZE - 1 - len(line)) + b"\n"

    @classmethod
    def decode(cls, slot: bytes) -> Seal | None:
        """The seal in one slot, or None if the slot is empty, torn or damaged."""
        try:
            payload = json.loads(slot.decode("utf-8").strip())
            check = payload.pop("check")
            text = json.dumps(payload, separators=(",", ":"), sort_keys=True)
            if hashlib.sha256(text.encode()).hexdigest()[:16] != check or payload["v"] != 1:
                return None
            seal = cls(
                str(payload["journal"]),
                int(payload["seq"]),
                str(payload["head"]),
                int(payload["gen"]),
                str(payload["at"]),
            )
            bytes.fromhex(seal.head)
        except (ValueError, KeyError, TypeError, AttributeError):
            return None
        return seal


def _now() -> str:
    return from_epoch(time.time()).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _fsync_dir(directory: Path) -> None:
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


class SealFile:
    """The seal file of one data directory.

    Args:
        path: the file (``DATA/journal.seal``).
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self._fd: int | None = None
        self._generation = 0

    def exists(self) -> bool:
        return self.path.is_file()

    def read(self) -> Seal | None:
        """The newest valid seal, or None if there is no seal file.

        Raises:
            SealError: the file exists but neither slot can be read.
        """
        try:
            data = self.path.read_bytes()
        except FileNotFoundError:
            return None
        except OSError as exc:
            raise SealError(f"{self.path}: cannot read the seal: {exc}") from exc
        if not data.strip(b"\0"):
            return None  # created, never written (a crash at initialisation)
        seals = [
            seal
            for seal in (Seal.decode(data[i : i + SLOT_SIZE]) for i in (0, SLOT_SIZE))
            if seal is not None
        ]
        if not seals:
            raise SealError(f"{self.path}: the seal is damaged (neither of its slots reads)")
        newest = max(seals, key=lambda s: s.generation)
        self._generation = max(self._generation, newest.generation)
        return newest

    def write(self, journal_id: str, seq: int, head: str) -> Seal:
        """Write a new seal durably (into the older slot) and return it.

        Raises:
            OSError: the file cannot be written or flushed.
        """
        if self._fd is None:
            self._open()
        assert self._fd is not None
        self._generation += 1
        seal = Seal(journal_id, seq, head, self._generation, _now())
        os.pwrite(self._fd, seal.encode(), (self._generation % 2) * SLOT_SIZE)
        os.fdatasync(self._fd)
        return seal

    def _open(self) -> None:
        """Open the file for writing, creating it (both slots, flushed, dir flushed) if new."""
        try:
            self.read()
        except SealError:
            pass  # overwritten below, one slot at a time
        created = not self.path.exists()
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        if os.fstat(fd).st_size < 2 * SLOT_SIZE:
            os.ftruncate(fd, 2 * SLOT_SIZE)
            os.fsync(fd)
        if created:
            _fsync_dir(self.path.parent)
        self._fd = fd

    def close(self) -> None:
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None


@dataclass(frozen=True, slots=True)
class Integrity:
    """What a journal holds, judged against its seal.

    Attributes:
        seq: the highest sequence number the journal holds.
        whole: entries 1..``whole`` are all there (``whole < seq``: a gap).
        sealed: the seal read beside it (None: no seal file, or an unreadable one).
        missing: the first and last sequence numbers of committed commands that are gone.
        altered: the first ``sealed.seq`` entries do not hash to the sealed head.
        problem: why the journal cannot be trusted as it is (None: it can).
    """

    seq: int
    whole: int
    sealed: Seal | None
    missing: tuple[int, int] | None = None
    altered: bool = False
    problem: str | None = None

    @property
    def ok(self) -> bool:
        return self.problem is None

    @property
    def lost(self) -> int:
        """How many committed commands are missing."""
        return 0 if self.missing is None else self.missing[1] - self.missing[0] + 1

    def to_json(self) -> dict[str, Any]:
        return {
            "journal_seq": self.seq,
            "whole": self.whole,
            "sealed_seq": None if self.sealed is None else self.sealed.seq,
            "missing": None if self.missing is None else list(self.missing),
            "altered": self.altered,
            "problem": self.problem,
        }


def judge(
    heads: list[str],
    seq: int,
    sealed: Seal | None,
    *,
    journal_id: str | None,
    seal_trouble: str | None = None,
    next_present: int | None = None,
) -> Integrity:
    """Judge a journal against its seal (pure).

    Args:
        heads: the running hash after each entry of the journal's whole prefix:
            ``heads[0]`` is :data:`GENESIS`, ``heads[k]`` the head after entry ``k``.
        seq: the highest sequence number the journal holds.
        sealed: the seal (None: none could be read).
        journal_id: the journal's identity from its meta (None: an old journal without one).
        seal_trouble: why the seal could not be read, if it exists but could not.
        next_present: after a gap, the first sequence number present beyond it.
    """
    whole = len(heads) - 1
    if seal_trouble is not None:
        return Integrity(seq, whole, None, problem=seal_trouble)
    if sealed is None:
        if journal_id is not None and seq > 0:
            return Integrity(
                seq,
                whole,
                None,
                problem=f"its seal ({SEAL_NAME}) is missing, so nothing can tell whether "
                "commands were lost",
            )
        return Integrity(seq, whole, None)  # a journal older than seals, or a new one
    if whole < seq:
        last = (next_present or seq) - 1
        return Integrity(
            seq,
            whole,
            sealed,
            missing=(whole + 1, last),
            problem=f"commands #{whole + 1}..#{last} are missing from the middle of it",
        )
    if whole < sealed.seq:
        held = f"#1..#{whole}" if whole else "none"
        return Integrity(
            seq,
            whole,
            sealed,
            missing=(whole + 1, sealed.seq),
            problem=f"{sealed.seq - whole} acknowledged commands (#{whole + 1}..#{sealed.seq}) "
            f"are missing: its seal says #1..#{sealed.seq} were committed, it holds {held}",
        )
    if journal_id is not None and sealed.journal_id != journal_id:
        return Integrity(
            seq, whole, sealed, problem=f"its seal ({SEAL_NAME}) belongs to another journal"
        )
    if heads[sealed.seq] != sealed.head:
        return Integrity(
            seq,
            whole,
            sealed,
            altered=True,
            problem=f"its commands #1..#{sealed.seq} are not the ones committed (they do not "
            "hash to the sealed head): one or more was changed outside control-room",
        )
    return Integrity(seq, whole, sealed)
