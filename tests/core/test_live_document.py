"""The live document and its merge patches (control_room/core/live_document.py)."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from control_room.core.commands import (
    Back,
    Blackout,
    Command,
    Delay,
    Extend,
    Flash,
    Hold,
    LowerThird,
    Message,
    Release,
    Reset,
    SiteClear,
    SiteOverride,
    Slate,
    SlateClear,
    Take,
)
from control_room.core.document import NOTES_ALL, NOTES_NONE
from control_room.core.live_document import (
    Instants,
    apply_patch,
    live_document,
    live_patch,
    public_live,
)
from control_room.core.timeline import CommandRejected, JournalEntry, Replay, ShowState
from control_room.schedule_file import load_schedule
from tests.support.server import REPO

DAY = load_schedule(REPO / "schedules" / "rnct-2026-07-07.yaml")
TZ = DAY.event.timezone
START = dt.datetime(2026, 7, 7, 9, 55, tzinfo=TZ)
CHANNELS = [c.id for c in DAY.channels]

_commands = st.sampled_from(CHANNELS).flatmap(
    lambda c: st.sampled_from(
        [
            Take(channel=c, confirm=True),
            Back(channel=c),
            Hold(channel=c),
            Release(channel=c),
            Extend(channel=c, minutes=4),
            Extend(channel=c, seconds=-75),
            Delay(channel=c, minutes=6),
            Slate(channel=c, text="Coupure"),
            SlateClear(channel=c),
            SiteOverride(channel=c, site="lille"),
            SiteClear(channel=c),
            Message(channel=c, audience="viewers", text="Bonjour"),
            Message(channel=c, audience="moderators", text="Concluez"),
            LowerThird(channel=c, action="in"),
            LowerThird(channel=c, action="out"),
            Flash(channel=c, seconds=20),
            Blackout(channel=c, on=True),
            Reset(channel=c),
        ]
    )
)
_steps = st.lists(
    st.tuples(st.integers(min_value=0, max_value=90 * 60 * 1000), st.none() | _commands),
    min_size=1,
    max_size=12,
)


def _run(steps: list[tuple[int, Command | None]]) -> list[ShowState]:
    """The states along a random journal: time moves on by each step's milliseconds, and the
    step's command is applied when the engine takes it."""
    replay, t, states = Replay(DAY, []), START, []
    for seq, (ms, command) in enumerate(steps, start=1):
        t += dt.timedelta(milliseconds=ms)
        if command is not None:
            try:
                replay.commit(replay.check(JournalEntry(seq, t, command)))
            except CommandRejected:
                pass
        states.append(replay.state(t)[0])
    return states


def _no_null_members(value: Any, where: str = "") -> None:
    """A live document has no null object members (arrays may hold nulls)."""
    if isinstance(value, dict):
        for key, member in value.items():
            assert member is not None, f"{where}.{key} is null"
            _no_null_members(member, f"{where}.{key}")
    elif isinstance(value, list):
        for item in value:
            if isinstance(item, dict):
                _no_null_members(item, where + "[]")


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_steps)
def test_a_patch_applied_to_the_old_live_document_gives_the_new_one(
    steps: list[tuple[int, Command | None]],
) -> None:
    docs = [live_document(DAY, show) for show in _run(steps)]
    for old, new in zip([docs[0], *docs], docs, strict=False):
        _no_null_members(new)
        for scope in (NOTES_ALL, NOTES_NONE, frozenset({"main"})):
            a, b = public_live(old, scope), public_live(new, scope)
            patch = live_patch(a["channels"], b["channels"])
            assert apply_patch(a["channels"], patch) == b["channels"]
            # over the wire: JSON both ways (null removes a member)
            wire = json.loads(json.dumps(patch))
            assert apply_patch(json.loads(json.dumps(a["channels"])), wire) == b["channels"]


def test_an_unchanged_document_gives_an_empty_patch_and_a_slate_only_the_slate() -> None:
    t = dt.datetime(2026, 7, 7, 12, 10, 0, 123456, tzinfo=TZ)
    replay = Replay(DAY, [])
    before = live_document(DAY, replay.state(t)[0])
    assert live_patch(before, live_document(DAY, replay.state(t)[0])) == {}
    replay.commit(replay.check(JournalEntry(1, t, Slate(channel="main", text="Coupure"))))
    after = live_document(DAY, replay.state(t)[0])
    patch = live_patch(before["channels"], after["channels"])
    assert patch == {"main": {"slate": {"text": "Coupure", "since": "12:10:00.123456"}}}
    replay.commit(replay.check(JournalEntry(2, t, SlateClear(channel="main"))))
    cleared = live_document(DAY, replay.state(t)[0])
    assert live_patch(after["channels"], cleared["channels"]) == {"main": {"slate": None}}


def test_instants_drop_the_day_and_the_offset_and_keep_anything_else_whole() -> None:
    frame = Instants.of(DAY)
    assert frame.doc() == {"prefix": "2026-07-07T", "suffix": "+02:00"}
    at = dt.datetime(2026, 7, 7, 10, 5, tzinfo=TZ)
    assert frame.short(at, DAY) == "10:05"
    assert frame.short(at + dt.timedelta(seconds=7.5), DAY) == "10:05:07.500000"
    assert frame.short(at + dt.timedelta(days=1), DAY) == "2026-07-08T10:05:00+02:00"
    assert frame.short(None, DAY) is None


def test_the_live_document_names_by_reference_and_keeps_notes_to_their_scope() -> None:
    show = Replay(DAY, []).state(dt.datetime(2026, 7, 7, 10, 20, tzinfo=TZ))[0]
    doc = live_document(DAY, show)
    main = doc["channels"]["main"]
    assert main["now"]["id"] == "accueil" and "title" not in main["now"]
    assert main["site"] == "paris-est"
    assert main["rundown"]["accueil"] == ["on_air"]  # its instants are now's
    segment = next(s for s in DAY.channels[0].segments if s.id == "accueil")
    if segment.notes is not None:
        assert main["now"]["notes"] == segment.notes
        assert "notes" not in public_live(doc)["channels"]["main"]["now"]
        assert public_live(doc, frozenset({"main"}))["channels"]["main"]["now"]["notes"]
    size = len(json.dumps(doc, ensure_ascii=False, separators=(",", ":")))
    assert size < 4000, size  # the full document is about 11.5 KB
