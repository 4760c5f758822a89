"""The report's « Flux des sites »: each feed lost and back, from the journal's feed records
(``target = "feed"``), apart from the video switches."""

from __future__ import annotations

import datetime as dt

import pytest

from control_room.archive import open_archive
from control_room.core.schedule import Schedule
from control_room.journal import Journal, SwitchRecord
from control_room.report import Report, build_report
from control_room.report_render import report_html, report_text
from control_room.versions import store

from .conftest import DAY, at


def feed(channel: str, site: str, when: str, result: str, comment: str) -> SwitchRecord:
    # the show ran 2 minutes behind the wall in this rehearsal: both times are told
    wall = at(when)
    return SwitchRecord(channel, site, "feed", wall, wall - dt.timedelta(minutes=2), result,
                        comment=comment)  # fmt: skip


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory, day: Schedule) -> Report:
    data = tmp_path_factory.mktemp("feeds") / "data"
    with Journal.open(data) as journal:
        store(data, DAY.read_text(encoding="utf-8"), source=str(DAY), journal=journal)
        for record in (
            feed("parcours-1", "morlaix", "11:50:04", "lost", "slate"),
            SwitchRecord(
                "parcours-1",
                "Slate",
                "program",
                at("11:50:05"),
                at("11:50:05"),
                "timeout",
                None,
                "no answer",
                2000.0,
            ),  # fmt: skip
            feed("parcours-1", "morlaix", "11:53:34", "healthy", "Morlaix SRT"),
            feed("parcours-2", "lyon", "12:40:00", "lost", "nothing (next)"),
        ):
            journal.record_switch(record)
    return build_report(open_archive(data, until=at("20:00")))


def test_each_loss_has_its_times_site_channel_duration_and_reaction(report: Report) -> None:
    first, second = report.feeds
    assert (first.lost_wall, first.lost_show, first.back_wall, first.back_show) == (
        "11:50:04",
        "11:48:04",
        "11:53:34",
        "11:51:34",
    )
    assert (first.channel, first.site, first.reaction) == ("parcours-1", "Morlaix", "carton")
    assert first.duration == "3\u202fmin\u202f30\u202fs"
    assert (second.channel, second.site, second.back_wall, second.duration) == (
        "parcours-2",
        "Lyon",
        "—",
        "—",
    )
    assert second.reaction == "aucune (site suivant)"


def test_feed_records_are_not_switches(report: Report) -> None:
    assert report.switches_total == 1
    assert [f.scene for f in report.switch_failures] == ["Slate"]
    parcours = next(ch for ch in report.channels if ch.id == "parcours-1")
    assert (parcours.switches_ok, parcours.switches_failed) == (0, 1)


def test_the_text_and_the_page_have_a_section_flux_des_sites(report: Report) -> None:
    text = report_text(report)
    assert "== Flux des sites (2 perte(s))" in text
    assert "11:50:04 (11:48:04) 11:53:34 (11:51:34) parcours-1" in text
    page = report_html(report)
    assert "<h2>Flux des sites</h2>" in page
    assert page.count('<tr class="feed-loss"') == 2
    assert "carton" in page and "aucune (site suivant)" in page
