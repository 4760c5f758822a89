"""The sites file: which room is broadcast from which site (TOML).

By default every room of a programme becomes a site of its own, named after the room.
A sites file says otherwise; several rooms may share a site::

    [sites.paris]
    name = "Paris"
    city = "Paris"
    venue = "Maison 3Zéro Convergences"   # optional
    scene = "Paris"                       # optional, the OBS scene
    rooms = ["Grand amphi", "Salle 2"]

Rooms the file does not name stay sites of their own.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass

from .programme import SourceError, SourceProblem

__all__ = ["SiteSpec", "parse_sites"]

_ID = re.compile(r"^[a-z0-9][a-z0-9_-]*$")
_KEYS = {"name", "city", "venue", "scene", "rooms"}


@dataclass(frozen=True, slots=True)
class SiteSpec:
    """A site of the schedule, as the sites file (or the default) gives it."""

    id: str
    name: str
    city: str
    venue: str | None = None
    scene: str | None = None


def parse_sites(text: str, *, source: str) -> Mapping[str, SiteSpec]:
    """Parse a sites file into a mapping of room name to site.

    Args:
        text: the TOML text.
        source: the file name for problem messages.

    Raises:
        SourceError: every problem (malformed TOML, unknown keys, missing city...).
    """
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise SourceError([SourceProblem(source, f"malformed TOML: {exc}")]) from None
    problems: list[SourceProblem] = []
    for key in data:
        if key != "sites":
            problems.append(SourceProblem(source, f"{key}: unknown key (only [sites.ID] tables)"))
    sites = data.get("sites", {})
    if not isinstance(sites, dict):
        raise SourceError([*problems, SourceProblem(source, "sites: must be [sites.ID] tables")])
    out: dict[str, SiteSpec] = {}
    for ident, table in sites.items():
        where = f"sites.{ident}"
        if not _ID.match(ident):
            problems.append(
                SourceProblem(source, f"{where}: not an id (lower-case letters, digits, - and _)")
            )
        if not isinstance(table, dict):
            problems.append(SourceProblem(source, f"{where}: must be a table"))
            continue
        for key in table:
            if key not in _KEYS:
                problems.append(SourceProblem(source, f"{where}.{key}: unknown key (typo?)"))
        fields: dict[str, str] = {}
        for key in ("name", "city", "venue", "scene"):
            value = table.get(key)
            if value is None:
                if key == "city":
                    problems.append(SourceProblem(source, f"{where}.city: missing"))
                continue
            if not isinstance(value, str) or not value.strip():
                problems.append(SourceProblem(source, f"{where}.{key}: must be a text"))
                continue
            fields[key] = value
        rooms = table.get("rooms", [])
        if not isinstance(rooms, list) or not all(isinstance(r, str) for r in rooms) or not rooms:
            problems.append(SourceProblem(source, f"{where}.rooms: must be a list of room names"))
            rooms = []
        spec = SiteSpec(
            id=ident,
            name=fields.get("name") or fields.get("city") or ident,
            city=fields.get("city", "?"),
            venue=fields.get("venue"),
            scene=fields.get("scene"),
        )
        for room in rooms:
            if room in out:
                problems.append(
                    SourceProblem(
                        source, f"{where}.rooms: {room!r} is already in sites.{out[room].id}"
                    )
                )
            out[room] = spec
    if problems:
        raise SourceError(problems)
    return out
