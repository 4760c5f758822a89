"""Joining a show's cluster at start-up: the same schedule, the shared clock, a journal
that agrees with the stream (synchronous: before anything is served).

- The schedule: the first instance stores its file's SHA-256; any other instance must
  serve the same file (a different one is refused: same event, another plan).
- The clock: the first instance stores its clock model (``SET NX``); the others adopt it.
  An instance started with another ``--at``/``--speed`` than the cluster's (or a real
  clock in a rehearsal's cluster) is refused with what the cluster runs: one show has one
  clock, and the rehearsal's origin is the first instance's.
- The journal (:func:`reconcile`): the local journal is compared with the stream, entry by
  entry. One that holds an entry the stream contradicts is moved aside, kept, never deleted
  (``DATA/journal.diverged-<UTC time>/``), and rebuilt from the stream by the node's catch-up;
  one that is merely ahead of the stream (a Redis that lost its last writes) is kept: its
  entries are restored to the stream if it becomes the leader.
"""

from __future__ import annotations

import hashlib
import json
import logging
import shutil
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from control_room.clock import Clock, rehearsal_clock
from control_room.cluster.keys import Keys
from control_room.cluster.stream import StreamEntry
from control_room.journal import Journal, JournalError

if TYPE_CHECKING:
    from redis import Redis

__all__ = ["ClusterError", "Reconciled", "adopt_clock", "check_schedule", "connect", "reconcile"]

logger = logging.getLogger(__name__)

_JOURNAL_FILES = ("journal.sqlite3", "journal.sqlite3-wal", "journal.sqlite3-shm", "journal.seal")


class ClusterError(Exception):
    """A reason this instance cannot join the cluster; the message says what to do."""


def connect(url: str) -> Redis:
    """A checked synchronous connection for start-up.

    Raises:
        ClusterError: a bad URL, or Redis does not answer.
    """
    import redis

    try:
        client: Redis = redis.Redis.from_url(
            url, decode_responses=True, socket_timeout=3.0, socket_connect_timeout=3.0
        )
        client.ping()
    except ValueError as exc:
        raise ClusterError(f"--redis {url!r}: {exc}") from None
    except redis.RedisError as exc:
        raise ClusterError(f"--redis {url}: Redis does not answer ({exc})") from None
    return client


def check_schedule(client: Redis, keys: Keys, text: str) -> None:
    """Every instance serves the same schedule file.

    Raises:
        ClusterError: another schedule is on air for this show.
    """
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
    if client.set(keys.schedule, digest, nx=True):
        return
    stored = client.get(keys.schedule)
    if stored != digest:
        raise ClusterError(
            f"the show's cluster ({keys.prefix}*) serves another version of this schedule "
            f"(sha256 {str(stored)[:12]}…, this file {digest[:12]}…); every instance must serve "
            "the same file (live edits are refused in a cluster: docs/cluster.md)"
        )


def _describe(model: dict[str, Any]) -> str:
    if not model.get("rehearsal"):
        return "the real clock"
    return f"a rehearsal from {model['origin_show']} at speed {float(model['speed']):g}"


def adopt_clock(client: Redis, keys: Keys, clock: Clock) -> tuple[Clock, str]:
    """The cluster's clock: this one if it is the first, else the stored one (same line).

    Returns:
        The clock to run on, and a sentence for the console.

    Raises:
        ClusterError: this instance was started with another clock than the cluster's.
    """
    mine = clock.settings()
    if client.set(keys.clock, json.dumps(mine), nx=True):
        return clock, "this instance set the cluster's clock"
    stored: dict[str, Any] = json.loads(str(client.get(keys.clock)))
    same = bool(stored.get("rehearsal")) == clock.rehearsal and (
        not clock.rehearsal
        or (
            datetime.fromisoformat(stored["origin_show"]) == clock.origin_show
            and float(stored["speed"]) == clock.speed
        )
    )
    if not same:
        raise ClusterError(
            f"the cluster runs {_describe(stored)}, this instance {_describe(mine)}: start "
            "every instance with the same --at and --speed (or none, for the real show)"
        )
    if not clock.rehearsal:
        return clock, "the cluster's real clock"
    adopted = rehearsal_clock(
        clock.origin_show, clock.speed, origin_wall=float(stored["origin_wall"]), wall=clock.wall
    )
    return adopted, "the cluster's rehearsal clock (its origin set by the first instance)"


@dataclass(frozen=True, slots=True)
class Reconciled:
    """The journal after start-up's comparison with the stream.

    Attributes:
        journal: the journal to serve (a fresh one if the old one was moved aside).
        start: the stream id and epoch of the last entry the journal holds.
        aside: where a diverged journal was moved (None: it agreed).
        ahead: entries the journal holds that the stream does not (a Redis that lost data).
    """

    journal: Journal
    start: tuple[str, int]
    aside: Path | None
    ahead: int


def _stream(client: Redis, keys: Keys, batch: int = 1000) -> list[StreamEntry]:
    entries: list[StreamEntry] = []
    after = "-"
    while True:
        found: Any = client.xrange(keys.stream, min=after, max="+", count=batch)
        items = [StreamEntry.decode(i, f) for i, f in found]
        if entries and items and items[0].id == entries[-1].id:
            items = items[1:]
        if not items:
            return entries
        entries.extend(items)
        after = items[-1].id


def reconcile(client: Redis, keys: Keys, journal: Journal) -> Reconciled:
    """Compare the local journal with the stream; move a diverged journal aside.

    Raises:
        ClusterError: the stream holds entries that are not ours.
        JournalError: the journal cannot be read, moved or made anew.
    """
    try:
        stream = _stream(client, keys)
    except ValueError as exc:
        raise ClusterError(f"the show's stream {keys.stream}: {exc}") from None
    held = dict(journal.rows())
    start, diverged = ("0", 0), None
    for entry in stream:
        if entry.seq > journal.last_seq:
            break
        if held.get(entry.seq) != entry.row:
            diverged = entry.seq
            break
        start = (entry.id, max(start[1], entry.epoch))
    if diverged is None:
        ahead = journal.last_seq - (stream[-1].seq if stream else 0)
        return Reconciled(journal, start, None, max(ahead, 0))
    aside = _set_aside(journal)
    logger.warning("cluster: journal #%d differs from the stream; moved to %s", diverged, aside)
    return Reconciled(Journal.open(aside.parent), ("0", 0), aside, 0)


def _set_aside(journal: Journal) -> Path:
    """Move the journal's files to ``DATA/journal.diverged-<time>/``; a new empty journal
    takes their place (initialised by :meth:`Journal.open`)."""
    data = journal.path.parent
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S")
    aside = data / f"journal.diverged-{stamp}"
    while aside.exists():
        time.sleep(0.001)
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S.%f")
        aside = data / f"journal.diverged-{stamp}"
    journal.close()
    try:
        aside.mkdir()
        for name in _JOURNAL_FILES:
            if (data / name).exists():
                shutil.move(data / name, aside / name)
        (data / "journal.sqlite3").touch()  # empty: Journal.open initialises it
    except OSError as exc:
        raise JournalError(f"{aside}: cannot move the diverged journal aside: {exc}") from exc
    return aside


EDITS_REFUSED = (
    "live schedule edits are refused in a cluster: every instance must serve the same file; "
    "stop the instances, edit the file, start them again (docs/cluster.md)"
)


@dataclass
class Joined:
    """What start-up learnt by joining: the connection, the keys, the reconciled journal."""

    url: str
    client: Redis
    keys: Keys
    reconciled: Reconciled

    @property
    def journal(self) -> Journal:
        return self.reconciled.journal

    def notes(self) -> list[str]:
        """What the console says of the cluster."""
        done = self.reconciled
        notes = [f"cluster: {self.keys.prefix}* on {self.url}"]
        if done.aside is not None:
            notes.append(
                f"cluster: the local journal diverged from the stream: moved to {done.aside} "
                "(kept); rebuilt from the stream"
            )
        if done.ahead:
            notes.append(
                f"cluster: this journal holds {done.ahead} entries the stream lost; restored "
                "to it if this instance leads"
            )
        return notes

    def clock(self, clock: Clock) -> tuple[Clock, str]:
        """The cluster's clock (:func:`adopt_clock`), kept in the journal's settings.

        Raises:
            ClusterError: this instance runs another clock than the cluster's.
        """
        adopted, note = adopt_clock(self.client, self.keys, clock)
        self.journal.set_meta("clock", adopted.settings())
        return adopted, note


def join(url: str, schedule_text: str, event: str, journal: Journal) -> Joined:
    """Join the show's cluster at start-up: Redis answers, the same schedule, the journal
    reconciled with the stream.

    Raises:
        ClusterError: Redis does not answer, another schedule is on air, a foreign stream.
        JournalError: a diverged journal cannot be moved aside.
    """
    import redis

    keys = Keys.of(event)
    client = connect(url)
    try:
        check_schedule(client, keys, schedule_text)
        done = reconcile(client, keys, journal)
    except redis.RedisError as exc:
        raise ClusterError(f"--redis {url}: {exc}") from None
    return Joined(url, client, keys, done)
