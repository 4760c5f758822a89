"""The after-show report of the real day: the actual times are the engine's, the page has
the expected rows, in French, self-contained."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from control_room.archive import Archive, open_archive
from control_room.cli import main
from control_room.core.actuals import actuals
from control_room.core.schedule import Schedule
from control_room.core.timeline import JournalEntry
from control_room.report import Report, build_report
from control_room.report_render import report_csp, report_html, report_text

from .conftest import at


class Rows(HTMLParser):
    """The data-id of every table row, and every external reference (there must be none)."""

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[str] = []
        self.external: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "tr" and values.get("data-id"):
            self.rows.append(str(values["data-id"]))
        for name in ("src", "href"):
            value = values.get(name)
            if value and not value.startswith(("data:", "#")):
                self.external.append(value)


@pytest.fixture(scope="module")
def archive(day_data_dir: Path) -> Archive:
    return open_archive(day_data_dir, until=at("20:00"))


@pytest.fixture(scope="module")
def report(archive: Archive) -> Report:
    return build_report(archive)


def test_the_report_of_a_data_dir_has_the_engines_actual_times(
    archive: Archive, day: Schedule, day_journal: list[JournalEntry]
) -> None:
    assert archive.actuals == actuals(day, day_journal, at("20:00"))
    main_channel = archive.actuals.channel("main")
    assert main_channel.segment("table-ronde").end == at("11:38:30")


def test_the_report_names_each_intervention_with_its_time_and_operator(report: Report) -> None:
    kinds = [(i.at, i.who, i.kind) for i in report.interventions]
    assert ("11:20:00", "régie-1", "Prolongation") in kinds
    assert ("12:00:00", "régie-1", "Retard") in kinds
    assert ("15:50:00", "régie-1", "Maintien") in kinds
    assert ("12:10:00", "régie-1", "Site de secours") in kinds
    assert ("16:30:00", "régie-1", "Carton") in kinds
    [failure] = report.switch_failures
    assert (failure.channel, failure.result) == ("parcours-2", "timeout")
    assert [p.at for p in report.presence] == ["09:58:00", "10:05:00"]


def test_the_text_summary_gives_planned_and_actual_and_the_overrun(report: Report) -> None:
    text = report_text(report)
    line = next(x for x in text.splitlines() if "10:30:30–11:38:30" in x)
    assert "10:30:00–11:30:00" in line and "+8\u202fmin" in line
    assert "Dépassements — «\u202f" in text
    assert "::" not in text


def test_the_html_page_has_a_row_per_segment_and_item_and_fetches_nothing(
    report: Report, day: Schedule
) -> None:
    html = report_html(report)
    parsed = Rows()
    parsed.feed(html)
    expected = [x.id for ch in day.channels for seg in ch.segments for x in (seg, *seg.items)]
    assert parsed.rows == expected
    assert parsed.external == []
    assert "<svg" in html and html.count('class="prevu"') == sum(
        len(ch.segments) for ch in day.channels
    )
    for label in ("Prévu", "Réel", "Dépassement", "Interventions de la régie", "Écrans connectés"):
        assert label in html
    assert "::" not in html


def test_the_inline_css_is_the_one_the_served_page_allows_by_hash(report: Report) -> None:
    html = report_html(report)
    [css] = re.findall(r"<style>(.*?)</style>", html, re.S)
    import base64
    import hashlib

    digest = base64.b64encode(hashlib.sha256(css.encode()).digest()).decode()
    assert f"style-src 'sha256-{digest}'" in report_csp()
    assert "@page { size: A4 landscape" in css


def test_texts_from_the_schedule_and_the_operator_are_escaped(
    tmp_path: Path, day: Schedule
) -> None:
    from control_room.core.commands import Slate, command_json
    from control_room.journal import Journal
    from control_room.versions import store

    from .conftest import DAY

    data = tmp_path / "data"
    with Journal.open(data) as journal:
        store(data, DAY.read_text(encoding="utf-8"), source="day", journal=journal)
        command = Slate(channel="main", text="<script>alert(1)</script>")
        journal.append(wall=at("10:01"), show=at("10:01"), who="<b>x</b>",
                       command=command_json(command))  # fmt: skip
    html = report_html(build_report(open_archive(data, until=at("10:05"))))
    assert "<script>" not in html and "<b>x</b>" not in html
    assert "&lt;script&gt;" in html


def test_the_report_command_prints_the_summary_and_writes_the_page(
    day_data_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    page = tmp_path / "report.html"
    assert main(["report", "--data-dir", str(day_data_dir), "--at", "20:00",
                 "--html", str(page)]) == 0  # fmt: skip
    out = capsys.readouterr().out
    assert "Interventions de la régie (10)" in out
    assert page.read_text(encoding="utf-8").startswith("<!doctype html>")


def test_the_report_command_without_a_stored_schedule_says_what_to_pass(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from control_room.journal import Journal

    Journal.open(tmp_path / "data").close()
    assert main(["report", "--data-dir", str(tmp_path / "data")]) == 1
    assert "--schedule FILE" in capsys.readouterr().err
