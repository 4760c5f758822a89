"""The name strap (lower third) of a channel: who it names, when it comes in and goes out.

The rule (docs/timeline.md, "Lower thirds"):

* The strap names the people of the item on air (an item without people: its segment's;
  a break names nobody), else the segment's people.
* It comes in by itself when that item (or, with no item on air, the segment) starts, and
  goes out after the segment's ``lower_third`` time (else the event's; default 20 s; zero:
  it never comes in by itself).
* The régie calls it in or out by hand (``lower_third in|out``): that holds until the next
  item or segment starts, when the automatic rule takes over again. Called in by hand, it
  stays up (no ``until``) until called out or that next start.

Pure core: no I/O, no clock reads.
"""

from __future__ import annotations

import datetime as dt

from .schedule import Kind, Person, Segment
from .states import LowerThirdState, item_windows

__all__ = ["Manual", "anchor", "lower_third"]

Manual = tuple[bool, dt.datetime]
"""A strap called in (True) or out (False) by hand, and when."""

_HIDDEN = LowerThirdState(False)


def anchor(
    segment: Segment, starts_at: dt.datetime, ends_at: dt.datetime, held: bool, t: dt.datetime
) -> tuple[dt.datetime, tuple[Person, ...]]:
    """When what is on air at ``t`` started (the item on air, else the segment), and who
    the strap names for it.

    Args:
        segment: the segment on air, from ``starts_at`` to ``ends_at`` (ignoring a hold).
        held: the segment is held (a closing item runs on).
    """
    at, people = starts_at, segment.people
    for w in item_windows(segment, starts_at, ends_at):
        if w.starts_at <= t and (t < w.ends_at or (w.closing and held)):
            at = w.starts_at
            if w.item.kind is Kind.BREAK:
                people = ()
            else:
                people = w.item.people or segment.people
    return at, people


def lower_third(
    segment: Segment,
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    held: bool,
    manual: Manual | None,
    t: dt.datetime,
    default: dt.timedelta,
) -> tuple[LowerThirdState, dt.datetime | None]:
    """The strap at ``t``, and the instant after ``t`` it goes out by itself (None: not by
    itself; the item starts that bring it in are the engine's other cues).

    Args:
        manual: the last ``lower_third in|out`` on this segment (None: none).
        default: the event's strap time (the segment's ``lower_third`` wins).
    """
    since, people = anchor(segment, starts_at, ends_at, held, t)
    if manual is not None and manual[1] >= since:
        called_in, at = manual
        if called_in and people:
            return LowerThirdState(True, people, at, None), None
        return LowerThirdState(False, people), None
    length = segment.lower_third if segment.lower_third is not None else default
    until = since + length
    if not people or length <= dt.timedelta(0) or not since <= t < until:
        return (LowerThirdState(False, people) if people else _HIDDEN), None
    return LowerThirdState(True, people, since, until), until
