"""The journal's mirror: a second copy of the journal, on another disk, written on each commit.

``serve --journal-mirror DIR`` makes ``DIR`` a data directory of its own (marker, journal,
seal) holding the same records as the main one, with the same sequence numbers and ids:
every command, setting and audit row is committed to the main journal, then to the mirror,
on the journal's writer thread, before the command is acknowledged.

At start (:func:`attach`), the mirror is compared with the main journal, which has already
been judged against its own seal:

- an empty ``DIR`` becomes a copy of the main journal;
- a mirror behind the main journal (a mirror disk that was away) is brought up to date;
- a mirror that is damaged but holds nothing the main journal does not is rebuilt;
- a mirror *ahead* of the main journal (the main one lost commands the mirror kept), or one
  that disagrees with it, or the mirror of another journal, is refused with what to do.

Nothing is ever copied over the main journal without the operator asking:
``control-room restore --from DIR --data-dir DATA`` (:func:`restore`) checks that the
mirror holds every command the main journal's seal says was committed, moves the main
journal's files aside (``DATA/damaged-…/``), and copies the mirror in their place.
"""

from __future__ import annotations

import fcntl
import os
import time
from pathlib import Path

from control_room.journal import JOURNAL_NAME, MARKER_NAME, Journal, JournalError
from control_room.seal import SEAL_NAME, Seal, SealError, SealFile

__all__ = ["attach", "restore"]

_FILES = (JOURNAL_NAME, JOURNAL_NAME + "-wal", JOURNAL_NAME + "-shm", SEAL_NAME)


def _restore_hint(mirror: Path, data_dir: Path) -> str:
    return f"control-room restore --from {mirror} --data-dir {data_dir}"


def _read_seal(directory: Path) -> Seal | None:
    try:
        return SealFile(directory / SEAL_NAME).read()
    except SealError:
        return None


def _move_aside(directory: Path) -> Path | None:
    """Move the journal files of ``directory`` into ``directory/damaged-STAMP/``."""
    present = [name for name in _FILES if (directory / name).exists()]
    if not present:
        return None
    aside = directory / time.strftime("damaged-%Y%m%dT%H%M%S")
    n = 1
    while aside.exists():
        n += 1
        aside = directory / time.strftime(f"damaged-%Y%m%dT%H%M%S-{n}")
    aside.mkdir()
    for name in present:
        os.replace(directory / name, aside / name)
    return aside


def attach(journal: Journal, directory: str | Path) -> tuple[Journal, str]:
    """Open ``directory`` as the mirror of ``journal`` (verified), bring it up to date, attach.

    Args:
        journal: the main journal, already verified against its seal.
        directory: the mirror's directory (``--journal-mirror``), on another disk.

    Returns:
        The mirror journal (closed with the main one), and a sentence for the console.

    Raises:
        JournalError: the mirror cannot be used; the message says why and what to do.
    """
    mirror_dir = Path(directory)
    data_dir = journal.path.parent
    if mirror_dir.resolve() == data_dir.resolve():
        raise JournalError(f"--journal-mirror {mirror_dir}: that is the data directory itself")
    whole = journal.whole
    try:
        if not mirror_dir.exists() or not any(mirror_dir.iterdir()):
            copied = journal.copy_to(mirror_dir)
            note = f"mirror {mirror_dir} initialised ({copied} commands copied)"
        else:
            note = _bring_up_to_date(journal, mirror_dir, whole)
        mirror = Journal.open(mirror_dir, create=False)
    except OSError as exc:
        raise JournalError(f"--journal-mirror {mirror_dir}: cannot write there: {exc}") from exc
    if not mirror.integrity.ok or mirror.journal_id != journal.journal_id:
        mirror.close()
        raise JournalError(f"--journal-mirror {mirror_dir}: the copy does not verify")
    journal.attach_mirror(mirror)
    return mirror, note


def _bring_up_to_date(journal: Journal, mirror_dir: Path, whole: int) -> str:
    """Compare an existing mirror with the main journal; copy over it where that loses nothing.

    Raises:
        JournalError: the mirror holds more than the main journal, disagrees with it, or
            belongs to another journal.
        OSError: it cannot be written.
    """
    data_dir = journal.path.parent
    if not (mirror_dir / MARKER_NAME).is_file():
        raise JournalError(
            f"--journal-mirror {mirror_dir}: not a control-room mirror (no {MARKER_NAME} "
            "marker) and not empty; pass an empty directory on another disk"
        )
    try:
        mirror: Journal | None = Journal.open(mirror_dir, create=False)
    except JournalError as exc:
        mirror, trouble = None, str(exc)
    if mirror is not None:
        with mirror:
            if mirror.journal_id is not None and mirror.journal_id != journal.journal_id:
                raise JournalError(
                    f"--journal-mirror {mirror_dir}: the mirror of another journal; pass an "
                    "empty directory (or this data dir's own mirror)"
                )
            if mirror.integrity.ok:
                held = mirror.integrity.whole
                if held > whole:
                    raise JournalError(
                        f"{data_dir}: the journal is behind its mirror: the mirror {mirror_dir} "
                        f"holds {held - whole} more commands (#{whole + 1}..#{held}). Stop, "
                        f"and restore the journal from the mirror: "
                        f"{_restore_hint(mirror_dir, data_dir)}"
                    )
                if mirror.head_at(held) != journal.head_at(held):
                    raise JournalError(
                        f"{data_dir}: the journal and its mirror {mirror_dir} disagree on "
                        f"commands #1..#{held}; compare them (control-room journal --data-dir) "
                        "and keep one: restore from the mirror, or pass a new empty mirror"
                    )
                if held == whole:
                    return f"mirror {mirror_dir} up to date ({held} commands)"
                trouble = ""
            else:
                trouble = str(mirror.integrity.problem)
    if trouble:
        # A damaged mirror: rebuilt only if its seal shows it held nothing the journal lacks.
        seal = _read_seal(mirror_dir)
        if seal is not None and (
            seal.journal_id != journal.journal_id or journal.head_at(seal.seq) != seal.head
        ):
            raise JournalError(
                f"--journal-mirror {mirror_dir}: the mirror is damaged ({trouble}) and its "
                "seal does not match this journal; keep it aside and pass an empty directory"
            )
        aside = _move_aside(mirror_dir)
        copied = journal.copy_to(mirror_dir)
        return (
            f"mirror {mirror_dir} was damaged ({trouble}); rebuilt from the journal "
            f"({copied} commands; the damaged copy is kept in {aside})"
        )
    copied = journal.copy_to(mirror_dir)
    return f"mirror {mirror_dir} brought up to date ({copied} commands)"


def restore(data_dir: str | Path, mirror_dir: str | Path) -> str:
    """Replace the journal of ``data_dir`` with the copy in ``mirror_dir``, losing nothing.

    Refused unless the mirror verifies against its own seal and holds every command the
    data directory's seal says was committed (and more than its journal now holds). The
    data directory's journal files are moved into ``data_dir/damaged-STAMP/``, never deleted.

    Returns:
        What was done, for the console.

    Raises:
        JournalError: the restore would lose commands, or cannot be done; the message says
            why.
    """
    data, source = Path(data_dir), Path(mirror_dir)
    try:
        mirror = Journal.open(source, create=False)
    except JournalError as exc:
        raise JournalError(f"cannot restore from {source}: {exc}") from None
    with mirror:
        if not mirror.integrity.ok:
            raise JournalError(
                f"cannot restore from {source}: the mirror itself {mirror.integrity.problem}"
            )
        held = mirror.integrity.whole
        if data.exists() and any(data.iterdir()) and not (data / MARKER_NAME).is_file():
            raise JournalError(f"{data}: not a control-room data directory; refusing to write")
        data.mkdir(parents=True, exist_ok=True)
        with _locked(data):
            seal = _read_seal(data)
            if seal is not None:
                if seal.journal_id != mirror.journal_id:
                    raise JournalError(
                        f"cannot restore from {source}: it is the mirror of another journal"
                    )
                if mirror.head_at(seal.seq) != seal.head:
                    raise JournalError(
                        f"cannot restore from {source}: {data}'s seal says #1..#{seal.seq} "
                        f"were committed, and the mirror holds only #1..#{held} of them "
                        "(or others); it would not give them back"
                    )
            current = _held(data)
            if current is not None and current >= held:
                raise JournalError(
                    f"nothing to restore: {data} holds its {current} commands whole, and the "
                    f"mirror {held}"
                )
            aside = _move_aside(data)
            copied = mirror.copy_to(data)
    kept = f"; the previous journal files are kept in {aside}" if aside else ""
    return f"restored {copied} commands from {source} into {data}{kept}"


def _held(data: Path) -> int | None:
    """How many commands ``data``'s journal holds whole and sound (None: it is not sound)."""
    try:
        with Journal.open(data, readonly=True) as journal:
            return journal.integrity.whole if journal.integrity.ok else None
    except JournalError:
        return None


class _locked:
    """Hold the data directory's serve lock: no restore under a running server."""

    def __init__(self, data: Path) -> None:
        self.path = data / "serve.lock"

    def __enter__(self) -> None:
        self.handle = self.path.open("a+", encoding="utf-8")
        try:
            fcntl.flock(self.handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            self.handle.close()
            raise JournalError(
                f"{self.path.parent}: a control-room serve is running on it; stop it first"
            ) from None

    def __exit__(self, *exc: object) -> None:
        self.handle.close()
