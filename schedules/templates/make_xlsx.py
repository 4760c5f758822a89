"""Write schedules/templates/programme.xlsx from programme.csv (the same rows).

Run ``python schedules/templates/make_xlsx.py`` after editing the CSV template;
tests/importers/test_templates.py checks the two say the same. Dates and times are
written as real Excel dates and times, as a spreadsheet user would type them.
"""

from __future__ import annotations

import csv
import datetime as dt
import sys
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Font

HERE = Path(__file__).resolve().parent
WIDTHS = {"title": 40, "subtitle": 24, "people": 60, "notes": 40, "room": 16}


def cell_value(column: str, text: str) -> object:
    """The cell as a person would type it: dates and times as Excel values."""
    if not text:
        return None
    if column == "date":
        return dt.date.fromisoformat(text)
    if column in ("start", "end"):
        return dt.time.fromisoformat(text)
    return text


def make(csv_path: Path, xlsx_path: Path) -> None:
    """Write the workbook ``xlsx_path`` with the rows of ``csv_path``."""
    with csv_path.open(encoding="utf-8", newline="") as f:
        rows = list(csv.reader(f))
    book = Workbook()
    ws = book.active
    assert ws is not None
    ws.title = "Programme"
    header = rows[0]
    ws.append(header)
    for c in ws[1]:
        c.font = Font(bold=True)
    for row in rows[1:]:
        ws.append([cell_value(col, text) for col, text in zip(header, row, strict=True)])
    for i, col in enumerate(header, 1):
        letter = ws.cell(row=1, column=i).column_letter
        ws.column_dimensions[letter].width = WIDTHS.get(col, 12)
        for (c,) in ws.iter_rows(min_row=2, min_col=i, max_col=i):
            if col == "date":
                c.number_format = "yyyy-mm-dd"
            elif col in ("start", "end"):
                c.number_format = "hh:mm"
    ws.freeze_panes = "A2"
    book.properties.creator = "control-room"
    fixed = dt.datetime(2026, 1, 1)
    book.properties.created = fixed
    book.properties.modified = fixed
    book.save(xlsx_path)


if __name__ == "__main__":
    out = Path(sys.argv[1]) if len(sys.argv) > 1 else HERE / "programme.xlsx"
    make(HERE / "programme.csv", out)
    print(out)
