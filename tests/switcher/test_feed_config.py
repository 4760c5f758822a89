"""The sites' feeds in the switcher configuration (``[sites.<id>]``)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from control_room.schedule_file import load_schedule
from control_room.switcher import SwitcherConfigError, parse_switcher_config
from control_room.switcher.feed_config import FEED_KEYS, FeedConfig

ROOT = Path(__file__).resolve().parents[2]
DAY = load_schedule(ROOT / "schedules" / "rnct-2026-07-07.yaml")
DOC = (ROOT / "docs" / "switcher.md").read_text(encoding="utf-8")
CHANNEL = '[channels.parcours-1]\nurl = "ws://127.0.0.1:4455"\n'


def test_a_site_feed_is_read_with_its_reactions() -> None:
    config = parse_switcher_config(
        """
        feed_poll = 0.25
        """
        + CHANNEL
        + """
        [sites.morlaix]
        feed = "Morlaix SRT"
        grace = "2s"
        stable = 4
        on_loss = "fallback"
        fallback = "lille"
        on_return = "auto"
        [sites.lyon]
        feed = "Lyon encodeur"
        on_loss = "slate"
        slate_text = "Lyon revient dans un instant"
        """,
        schedule=DAY,
    )
    assert config.feed_poll == 0.25
    assert config.feeds["morlaix"] == FeedConfig(
        "morlaix", "Morlaix SRT", grace=2.0, stable=4.0, on_loss="fallback",
        fallback="lille", on_return="auto",
    )  # fmt: skip
    lyon = config.feeds["lyon"]
    assert (lyon.grace, lyon.stable, lyon.on_return) == (3.0, 5.0, "propose")
    assert lyon.slate_text == "Lyon revient dans un instant"


def test_a_config_without_sites_watches_no_feed() -> None:
    assert parse_switcher_config(CHANNEL).feeds == {}


def test_every_feed_problem_is_listed() -> None:
    with pytest.raises(SwitcherConfigError) as caught:
        parse_switcher_config(
            CHANNEL
            + """
            [sites.morlaix]
            grace = "soon"
            on_loss = "panic"
            on_retrun = "auto"
            [sites.lille]
            feed = "Lille"
            on_loss = "fallback"
            [sites.lyon]
            feed = "Lyon"
            fallback = "lyon"
            [sites.atlantis]
            feed = "Atlantis"
            fallback = "mu"
            """,
            schedule=DAY,
        )
    text = str(caught.value)
    for expected in (
        "sites.morlaix.feed: name the OBS input",
        "sites.morlaix.grace:",
        "sites.morlaix.on_loss: expected one of nothing, slate, fallback, got 'panic'",
        "sites.morlaix.on_retrun: unknown key",
        'sites.lille.fallback: on_loss = "fallback" needs the fallback site',
        "sites.lyon.fallback: a site cannot be its own fallback",
        "sites.atlantis: no such site in the schedule",
        "sites.atlantis.fallback: no such site in the schedule: 'mu'",
    ):
        assert expected in text, expected


def test_every_feed_key_is_documented() -> None:
    for key in sorted(FEED_KEYS | {"sites", "feed_poll"}):
        assert re.search(rf"`{key}(\.<id>)?`", DOC), key
