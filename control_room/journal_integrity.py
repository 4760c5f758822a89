"""The journal judged against its seal: the running hash of its entries, and a loss.

:mod:`control_room.seal` keeps, outside SQLite's files, what the journal committed (the
last sequence number and the running hash). This module hashes the entries a journal holds
(:func:`hash_entries`), judges them against the seal (:func:`judge_seal`), and says what a
journal that lost or changed acknowledged commands is (:class:`JournalLoss`), what ``serve``
tells the operator of it (:func:`loss_message`) and how an accepted loss is recorded
(:func:`accepted_loss`). :meth:`control_room.journal.Journal.verify` puts them together.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from control_room.clock import from_epoch
from control_room.journal_format import JournalError
from control_room.journal_records import iso_utc
from control_room.seal import GENESIS, Integrity, Seal, SealError, SealFile, chain, judge

__all__ = [
    "JournalLoss",
    "accepted_loss",
    "hash_entries",
    "judge_seal",
    "loss_message",
]


class JournalLoss(JournalError):
    """A journal that lost or changed acknowledged commands (judged against its seal).

    Attributes:
        integrity: the verdict, with the missing sequence numbers.
    """

    def __init__(self, message: str, integrity: Integrity) -> None:
        super().__init__(message)
        self.integrity = integrity


def loss_message(path: Path, integrity: Integrity) -> str:
    """What ``serve`` says of a journal that lost or changed acknowledged commands."""
    return (
        f"{path}: refusing to serve a journal that lost acknowledged commands: "
        f"{integrity.problem}. Nothing was changed. To go on: restore the journal "
        "(control-room restore --from MIRROR, if it was served with --journal-mirror; or "
        "journal.sqlite3 and journal.sqlite3-wal from a backup), or accept the loss with "
        "serve --accept-journal-loss (the loss is journaled: what, by whom, when)."
    )


def hash_entries(rows: Sequence[tuple[Any, ...]]) -> tuple[list[str], int | None]:
    """The running hash after each entry of the whole prefix 1..n, as stored.

    Args:
        rows: every entry, ordered by seq: seq, then wall, show, who, command as stored.

    Returns:
        The heads (``heads[seq]``; ``heads[0]`` is the genesis), and the first seq held
        after a gap (None: no gap).
    """
    heads = [GENESIS]
    for seq, wall, show, who, command in rows:
        if seq != len(heads):
            return heads, seq
        heads.append(chain(heads[-1], seq, wall, show, who, command))
    return heads, None


def judge_seal(
    heads: list[str],
    last_seq: int,
    seal: SealFile,
    *,
    journal_id: str | None,
    next_present: int | None,
) -> Integrity:
    """Judge the hashed entries against what ``seal`` says was committed."""
    trouble = None
    sealed: Seal | None = None
    try:
        sealed = seal.read()
    except SealError as exc:
        trouble = f"its seal is unreadable ({exc})"
    return judge(
        heads,
        last_seq,
        sealed,
        journal_id=journal_id,
        seal_trouble=trouble,
        next_present=next_present,
    )


def accepted_loss(integrity: Integrity, by: str) -> dict[str, Any]:
    """The record of a loss accepted now by ``by`` (kept in the meta ``accepted_losses``)."""
    return {**integrity.to_json(), "by": by, "at": iso_utc(from_epoch(time.time()))}
