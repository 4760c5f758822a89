"""Importers: a programme from pretalx, frab, a spreadsheet, as a schedule file.

One module per format (:mod:`.schedule_json`, :mod:`.frab_xml`, :mod:`.table` for CSV
and XLSX), one shared model (:mod:`.programme`), one writer (:mod:`.writer`), the sites
file (:mod:`.sites`), the sniffing of a source (:mod:`.source`) and the command
(:mod:`.cli`). See docs/import.md.
"""

from __future__ import annotations

from .programme import Programme, Session, SourceError, SourceProblem, Speaker

__all__ = ["Programme", "Session", "SourceError", "SourceProblem", "Speaker"]
