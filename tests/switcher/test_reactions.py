"""Which feeds a channel needs and what the switcher does on a loss or a return (pure)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from zoneinfo import ZoneInfo

from control_room.core.commands import Command, SiteOverride, Slate
from control_room.core.timeline import ChannelState, JournalEntry, state
from control_room.schedule_file import load_schedule
from control_room.switcher.feed_config import FeedConfig
from control_room.switcher.reactions import loss_command, return_command, watched_sites

ROOT = Path(__file__).resolve().parents[2]
DAY = load_schedule(ROOT / "schedules" / "rnct-2026-07-07.yaml")
PARIS = ZoneInfo("Europe/Paris")
LEAD = dt.timedelta(seconds=30)
SLATE = FeedConfig("morlaix", "Morlaix SRT", on_loss="slate", slate_text="Morlaix revient")
FALLBACK = FeedConfig("morlaix", "Morlaix SRT", on_loss="fallback", fallback="lille")


def at(hhmmss: str) -> dt.datetime:
    return dt.datetime.fromisoformat(f"2026-07-07T{hhmmss}").replace(tzinfo=PARIS)


def p1(when: str, *commands: Command) -> ChannelState:
    journal = [JournalEntry(i + 1, at("11:46"), c) for i, c in enumerate(commands)]
    return state(DAY, journal, at(when)).channel("parcours-1")


def test_the_site_on_air_is_watched() -> None:
    assert watched_sites(p1("11:50"), at("11:50"), lead=LEAD) == {"morlaix": "on_air"}


def test_the_next_site_is_watched_within_the_preview_lead() -> None:
    assert watched_sites(p1("11:44:00"), at("11:44:00"), lead=LEAD) == {}
    assert watched_sites(p1("11:44:40"), at("11:44:40"), lead=LEAD) == {"morlaix": "next"}


def test_the_planned_site_stays_watched_under_its_fallback() -> None:
    channel = p1("11:50", SiteOverride(channel="parcours-1", site="lille"))
    assert watched_sites(channel, at("11:50"), lead=LEAD) == {"morlaix": "on_air"}


def test_a_loss_puts_up_the_sites_slate_or_fallback() -> None:
    assert loss_command(SLATE, p1("11:50")) == (
        "slate", {"type": "slate", "channel": "parcours-1", "text": "Morlaix revient"},
    )  # fmt: skip
    assert loss_command(FALLBACK, p1("11:50")) == (
        "fallback", {"type": "site_override", "channel": "parcours-1", "site": "lille"},
    )  # fmt: skip
    assert loss_command(FeedConfig("morlaix", "Morlaix SRT"), p1("11:50")) is None


def test_a_loss_leaves_the_operators_own_slate_or_fallback_alone() -> None:
    slated = p1("11:50", Slate(channel="parcours-1", text="Incident"))
    assert loss_command(SLATE, slated) is None
    overridden = p1("11:50", SiteOverride(channel="parcours-1", site="lyon"))
    assert loss_command(FALLBACK, overridden) is None


def test_a_return_undoes_the_reaction_only_while_it_is_in_force() -> None:
    slated = p1("11:50", Slate(channel="parcours-1", text="Morlaix revient"))
    assert return_command(SLATE, "slate", slated) == {
        "type": "slate_clear", "channel": "parcours-1",
    }  # fmt: skip
    replaced = p1("11:50", Slate(channel="parcours-1", text="Autre incident"))
    assert return_command(SLATE, "slate", replaced) is None
    fallback = p1("11:50", SiteOverride(channel="parcours-1", site="lille"))
    assert return_command(FALLBACK, "fallback", fallback) == {
        "type": "site_clear", "channel": "parcours-1",
    }  # fmt: skip
    assert return_command(FALLBACK, "fallback", p1("11:50")) is None
