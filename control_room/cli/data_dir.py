"""The data directory as ``control-room serve`` finds it: held, checked, resolved.

Before anything is served, the data directory is held against a second server (its
``serve.lock``), its journal judged against its seal (docs/durability.md) and against
the schedule (the same show, no command naming what the schedule lacks), the clock
decided (a rehearsal resumed, or refused when it would not match the commands already
journaled), and the operator token found or made. Each refusal is a
:class:`~control_room.journal.JournalError` (or a
:class:`~control_room.clock.ClockError`) with a message that says what to do.

The clock of a rehearsal is stored in the data directory when it starts, before any
command: restarting the same rehearsal (same ``--at`` and ``--speed``) on the same data
directory resumes it where it is now. Starting a different rehearsal, or the real show,
on a data directory that already holds commands is refused: their show times would not
mean anything on the new clock.
"""

from __future__ import annotations

import fcntl
import getpass
import os
import secrets
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any, NamedTuple

from control_room.cli.common import at_instant, describe_clock
from control_room.clock import Clock, real_clock, rehearsal_clock
from control_room.core.schedule import Schedule
from control_room.journal import Journal, JournalError, JournalLoss
from control_room.tokens import mask

__all__ = [
    "TOKEN_ENV",
    "TOKEN_FILE",
    "OperatorToken",
    "check_event",
    "check_journal",
    "hold_data_dir",
    "resolve_clock",
    "resolve_token",
]

TOKEN_ENV = "CONTROL_ROOM_TOKEN"
TOKEN_FILE = "token"


# -- the lock --------------------------------------------------------------------


@contextmanager
def hold_data_dir(data_dir: Path) -> Iterator[Journal]:
    """The data directory's journal, held for this process; closed before it is let go.

    Raises:
        JournalError: not a healthy control-room data directory, or another server holds it.
        OSError: the lock file cannot be written.
    """
    journal = Journal.open(data_dir)
    try:
        lock = _lock_data_dir(data_dir)
    except BaseException:
        journal.close()
        raise
    try:
        yield journal
    finally:
        journal.close()
        lock.close()


def _lock_data_dir(data_dir: Path) -> IO[str]:
    """Hold the data directory for this process: a second server on it is refused.

    Raises:
        JournalError: another server holds it.
    """
    path = data_dir / "serve.lock"
    handle = path.open("a+", encoding="utf-8")
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        handle.seek(0)
        holder = handle.read().strip() or "another process"
        handle.close()
        raise JournalError(
            f"{data_dir}: already in use by a running control-room serve ({holder}); stop it "
            "first (two servers must never write one journal), or pass another --data-dir"
        ) from None
    handle.seek(0)
    handle.truncate()
    handle.write(f"pid {os.getpid()}\n")
    handle.flush()
    return handle


# -- the event and the journal ---------------------------------------------------


def check_event(journal: Journal, schedule: Schedule) -> None:
    """Refuse a journal written for another day or another schedule."""
    event = {
        "title": schedule.event.title,
        "date": schedule.event.date.isoformat(),
        "timezone": schedule.event.timezone.key,
        "channels": [channel.id for channel in schedule.channels],
    }
    stored = journal.get_meta("event")
    if stored is not None and len(journal) > 0:
        if stored.get("date") != event["date"] or stored.get("title") != event["title"]:
            raise JournalError(
                f"{journal.path.parent}: holds the journal of another show ({stored.get('date')}, "
                f"«{stored.get('title')}»); pass a new --data-dir for {event['date']}, "
                f"«{event['title']}»"
            )
        _check_entries(journal, schedule)
    journal.set_meta("event", event)


def _check_entries(journal: Journal, schedule: Schedule) -> None:
    """Every journal command must name channels, segments and sites the schedule has
    (the schedule may be edited during the day, but not under the journal's feet)."""
    from control_room.core.compat import orphans
    from control_room.show import entries_from_records

    lost = orphans(schedule, entries_from_records(journal.records()))
    if lost:
        raise JournalError(
            f"{journal.path.parent}: {lost[0]}, which {schedule.source} does not have; serve "
            "the schedule this journal was written for, or pass a new --data-dir"
        )


def check_journal(
    journal: Journal, *, accept_loss: bool = False, mirror: str | None = None
) -> list[str]:
    """Judge the journal against its seal, accept its loss if asked, attach its mirror.

    Damaged rows are named first (their own message). A journal that lost or changed
    acknowledged commands is refused, with what to do; with ``--journal-mirror``, the
    refusal says whether the mirror holds them.

    Returns:
        Sentences for the console (a loss accepted, the mirror's state).

    Raises:
        JournalError: the journal (or its mirror) cannot be served as it is.
    """
    journal.records()  # a damaged row is named as such, before any verdict
    notes = []
    who = f"{_user()}@{socket.gethostname()} (pid {os.getpid()})"
    try:
        integrity = journal.verify(accept_loss_by=who if accept_loss else None)
    except JournalLoss as exc:
        if mirror is not None:
            raise JournalError(f"{exc} {_mirror_hint(journal, Path(mirror), exc)}") from None
        raise
    if not integrity.ok:
        notes.append(f"journal loss ACCEPTED by {who}: {integrity.problem}")
    elif accept_loss:
        notes.append("--accept-journal-loss: nothing to accept, the journal is whole")
    if mirror is not None:
        from control_room.mirror import attach

        notes.append(attach(journal, mirror)[1])
    return notes


def _user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no name for this uid (a container)
        return f"uid {os.getuid()}"


def _mirror_hint(journal: Journal, mirror: Path, loss: JournalLoss) -> str:
    """Whether the mirror holds what the journal lost, and the command line to restore it."""
    sealed = loss.integrity.sealed
    try:
        with Journal.open(mirror, readonly=True) as copy:
            held = copy.whole if copy.integrity.ok else -1
            complete = (
                sealed is not None
                and copy.journal_id == sealed.journal_id
                and copy.head_at(sealed.seq) == sealed.head
            )
    except JournalError:
        held, complete = -1, False
    data_dir = journal.path.parent
    if complete:
        return (
            f"The mirror {mirror} holds all of them ({held} commands): restore it with "
            f"`control-room restore --from {mirror} --data-dir {data_dir}`, then serve again."
        )
    return f"The mirror {mirror} does not hold them either."


# -- the clock and the token -----------------------------------------------------


def resolve_clock(
    journal: Journal, schedule: Schedule, *, at: str | None, speed: float | None
) -> tuple[Clock, str]:
    """The clock to run on, consistent with what the data directory already holds.

    Returns:
        The clock, and a sentence saying what was decided (for the console).

    Raises:
        ClockError: bad ``--at``/``--speed``.
        JournalError: the data dir holds commands of another clock.
    """
    stored: dict[str, Any] | None = journal.get_meta("clock")
    entries = len(journal)
    tz = schedule.event.timezone
    if at is not None or speed is not None:
        start = at_instant(at, schedule) if at is not None else None
        rate = 1.0 if speed is None else speed
        if (
            stored is not None
            and stored.get("rehearsal")
            and start is not None
            and datetime.fromisoformat(stored["origin_show"]) == start
            and float(stored["speed"]) == rate
        ):
            clock = rehearsal_clock(start, rate, origin_wall=float(stored["origin_wall"]))
            note = (
                f"resuming the rehearsal started at {start.astimezone(tz).isoformat()} "
                f"({entries} journal entries); use a new --data-dir to start it over"
            )
        elif entries > 0 and stored is not None:
            raise JournalError(
                f"{journal.path.parent}: holds {entries} commands of {describe_clock(stored)}; "
                "a different rehearsal needs its own --data-dir (or pass the same --at and "
                "--speed to resume it)"
            )
        else:
            if start is None:
                start = datetime.now(UTC).astimezone(tz)
            clock = rehearsal_clock(start.astimezone(tz), rate)
            note = f"rehearsal from {start.astimezone(tz).isoformat()} at speed {rate:g}"
    else:
        if stored is not None and stored.get("rehearsal") and entries > 0:
            raise JournalError(
                f"{journal.path.parent}: holds {entries} commands of {describe_clock(stored)}; "
                "the real show needs its own --data-dir"
            )
        clock = real_clock(tz=tz)
        note = "real time"
    if not journal.readonly:
        journal.set_meta("clock", clock.settings())
    return clock, note


class OperatorToken(NamedTuple):
    """The operator token, where it lives, and whether this run made it."""

    token: str
    source: str
    created: bool

    def shown(self) -> str:
        """The token in full if this run made it (its one showing), else masked."""
        return self.token if self.created else mask(self.token)


def resolve_token(data_dir: Path) -> OperatorToken:
    """The operator token: $CONTROL_ROOM_TOKEN, or the one stored in the data dir (made once,
    mode 0600)."""
    env = os.environ.get(TOKEN_ENV, "").strip()
    if env:
        return OperatorToken(env, f"${TOKEN_ENV}", created=False)
    path = data_dir / TOKEN_FILE
    if path.is_file():
        token = path.read_text(encoding="utf-8").strip()
        if token:
            return OperatorToken(token, str(path), created=False)
    token = secrets.token_urlsafe(18)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(token + "\n")
    return OperatorToken(token, str(path), created=True)
