"""The journal's entries as the engine and the régie read them.

:func:`entries_from_records` turns stored records into the engine's entries (a command
this version cannot read is refused, naming the entry); :func:`journal_entry_doc` is one
entry as the régie and ``GET /api/journal`` show it; :func:`undo_effects` says what each
undo voided and gave back. :class:`~control_room.show.Show` uses them; so do the archive
(the report) and ``serve``'s check of a journal against a new schedule.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from control_room.core.commands import Command, CommandInvalid, Undo, describe, parse_command
from control_room.core.schedule import Schedule
from control_room.core.timeline import CommandRejected, JournalEntry
from control_room.core.undo import Undos
from control_room.journal import JournalError, Record
from control_room.wire import JournalEntryDoc

__all__ = ["entries_from_records", "journal_entry_doc", "undo_diff", "undo_effects"]


def entries_from_records(records: Iterable[Record]) -> list[JournalEntry]:
    """Journal records as engine entries.

    Raises:
        JournalError: a stored command cannot be read by this version.
    """
    entries = []
    for record in records:
        try:
            command = parse_command(record.command)
        except CommandInvalid as exc:
            raise JournalError(f"journal entry #{record.seq} cannot be read: {exc}") from exc
        entries.append(JournalEntry(record.seq, record.show, command, record.who))
    return entries


def journal_entry_doc(
    record: Record,
    command: Command,
    schedule: Schedule,
    *,
    target: Command | None = None,
    voided_by: int | None = None,
    voids: Iterable[int] = (),
    restores: Iterable[int] = (),
) -> JournalEntryDoc:
    """A journal record as the régie and ``GET /api/journal`` show it.

    Args:
        target: for an undo, the command of the entry it names (in its text).
        voided_by: the undo that voids this entry now (None: it stands).
        voids: for an undo, the entries it voided when given.
        restores: for an undo, the entries it gave back when given (an undo of an undo).
    """
    data = record.to_json()
    return JournalEntryDoc(
        seq=record.seq,
        wall=data["wall"],
        show=record.show.astimezone(schedule.event.timezone).isoformat(),
        who=record.who,
        command=record.command,
        text=describe(command, target=target),
        voided_by=voided_by,
        voids=sorted(voids),
        restores=sorted(restores),
    )


def undo_effects(
    entries: list[JournalEntry],
) -> tuple[dict[int, tuple[set[int], set[int]]], Undos]:
    """What each undo of a journal voided and gave back, and the voided sets at its end."""
    undos = Undos()
    effects: dict[int, tuple[set[int], set[int]]] = {}
    for i, entry in enumerate(entries):
        if not isinstance(entry.command, Undo):
            continue
        before = dict(undos.voided)
        trial = undos.copy()
        try:
            trial.toggle(entries[:i], entry)
        except CommandRejected:
            continue
        undos = trial
        effects[entry.seq] = undo_diff(before, undos.voided)
    return effects, undos


def undo_diff(before: Mapping[int, int], after: Mapping[int, int]) -> tuple[set[int], set[int]]:
    """The entries voided and given back between two voided sets (an undo's effect)."""
    return set(after) - set(before), set(before) - set(after)
