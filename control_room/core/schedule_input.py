"""What a schedule file may hold, and the problems it has: the raw input models and their collector.

The pydantic models mirror the file (docs/schedule-format.md) key by key, before any
meaning is given to it: text stays text, a time is not yet an instant. A
:class:`Collector` validates parts of the ruamel tree against them and records every
problem, in the words of the file and on its line, then lets the checks go on with what
was valid (see :meth:`Collector.validate`), so one run reports every problem.

Pure core: no I/O, no clock reads; a collector holds the problems of one parse.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Annotated, Any, Literal, TypeVar

from pydantic import BaseModel, BeforeValidator, ConfigDict, ValidationError
from pydantic import Field as PField

from .schedule import Kind, PersonRole, Problem
from .time_text import Duration
from .yaml_reader import Lines, label

__all__ = [
    "TOP_KEYS",
    "Collector",
    "RawChannel",
    "RawEvent",
    "RawItem",
    "RawPerson",
    "RawSegment",
    "RawSite",
    "RawSwitcher",
]

_ID = r"^[a-z0-9][a-z0-9_-]*$"


def _what(value: Any) -> str:
    """What a YAML value is, in the words of the file: ``true``, ``a number``, ``a list``."""
    if value is None:
        return "empty (null)"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return f"the number {value!r}"
    if isinstance(value, str):
        return f"the text {value!r}"
    if isinstance(value, Mapping):
        return "a mapping"
    if isinstance(value, Sequence):
        return "a list"
    return type(value).__name__


def _duration_value(value: Any) -> Any:
    """A duration is text or a whole number of minutes: one clear error, not one per type."""
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise ValueError(
            f"must be a duration like 30m, 1h30, 45s or 90 (minutes), not {_what(value)}"
        )
    return value


_DurationField = Annotated[Duration, BeforeValidator(_duration_value)]


def _strap_value(value: Any) -> Any:
    """A strap's time is a duration, or false (no strap); true is not a time."""
    if value is False:
        return 0
    if value is True:
        raise ValueError("must be a duration like 20s (or 0 / false for no strap), not true")
    return _duration_value(value)


_StrapField = Annotated[Duration, BeforeValidator(_strap_value)]


class _Raw(BaseModel):
    """A part of the file, key by key: an unknown key is a problem, not ignored."""

    model_config = ConfigDict(extra="forbid", strict=False, frozen=True)


class RawPerson(_Raw):
    """A person on stage, as the file lists them under ``people``."""

    name: str = PField(min_length=1)
    role: PersonRole
    function: str | None = None
    organisation: str | None = None


class RawItem(_Raw):
    """An item of a segment (a talk of a session), its times still text."""

    id: str = PField(pattern=_ID)
    title: str = PField(min_length=1)
    start: str | None = None
    end: str | None = None
    duration: _DurationField | None = None
    estimated: bool = False
    kind: Kind | None = None
    site: str | None = None
    people: list[RawPerson] = []
    notes: str | None = None


class RawSegment(_Raw):
    """A segment of a channel, its times and thresholds still text; items unchecked."""

    id: str = PField(pattern=_ID)
    title: str = PField(min_length=1)
    kind: Kind
    start: str | None = None
    end: str | None = None
    duration: _DurationField | None = None
    hard: bool = False
    estimated: bool = False
    subtitle: str | None = None
    site: str | None = None
    scene: str | None = None
    parallel: list[str] = []
    warning: _DurationField | None = None
    danger: _DurationField | None = None
    lower_third: _StrapField | None = None
    notes: str | None = None
    people: list[RawPerson] = []
    items: list[Any] = []


class RawSite(_Raw):
    """A site (a venue in a city) the segments may name."""

    id: str = PField(pattern=_ID)
    name: str = PField(min_length=1)
    city: str = PField(min_length=1)
    venue: str | None = None
    scene: str | None = None


class RawChannel(_Raw):
    """A channel and its segments (each checked on its own, to place its problems)."""

    id: str = PField(pattern=_ID)
    title: str = PField(min_length=1)
    subtitle: str | None = None
    short: str | None = PField(default=None, min_length=1, max_length=40)
    segments: list[Any] = PField(min_length=1)


class RawEvent(_Raw):
    """The event: its day and time zone give the segments' times their meaning."""

    title: str = PField(min_length=1)
    date: dt.date
    timezone: str
    subtitle: str | None = None
    start: str | None = None
    end: str | None = None
    url: str | None = None
    warning: _DurationField | None = None
    danger: _DurationField | None = None
    lower_third: _StrapField | None = None
    safe_take_minutes: int | None = PField(default=None, ge=0, le=240, strict=True)
    presets: list[Annotated[str, PField(min_length=1, max_length=200)]] | None = PField(
        default=None, max_length=20
    )


class RawSwitcher(_Raw):
    """The switcher section: the scenes shown for a break, the slate and idle."""

    scenes: dict[Literal["break", "slate", "idle"], str] = {}


TOP_KEYS = {"event", "sites", "channels", "switcher"}
"""The keys a schedule file may have at its top."""
_M = TypeVar("_M", bound=BaseModel)
_PLACEHOLDERS: dict[str, Any] = {
    "kind": "other",
    "id": "x-invalid",
    "segments": [],
    "city": "?",
    "timezone": "UTC",
    "date": dt.date(2000, 1, 1),
}


def _message(err: Any) -> str:
    """A pydantic error in the words of the schedule file."""
    kind, msg, value = err["type"], str(err["msg"]), err.get("input")
    if kind == "extra_forbidden":
        return "unknown key (typo?)"
    if kind == "missing":
        return "missing"
    if kind in ("model_type", "model_attributes_type", "dict_type"):
        return "must be a mapping of keys to values"
    if kind == "list_type":
        return "must be a list"
    if kind == "string_type":
        return f"must be text, not {_what(value)} (put it in quotes)"
    if kind in ("bool_type", "bool_parsing"):
        return f"must be true or false, not {_what(value)}"
    if kind == "string_too_short":
        return "must not be empty"
    if kind == "string_pattern_mismatch":
        return f"{_what(value)} is not an id: use a-z, 0-9, - and _ (e.g. main-stage)"
    if kind.startswith(("date_", "datetime_")):
        why = str((err.get("ctx") or {}).get("error", "")) or msg
        return f"not a date: {_what(value)} ({why}); write YYYY-MM-DD, e.g. 2026-07-07"
    if kind == "value_error":  # our own validators: the message is already ours
        return str((err.get("ctx") or {}).get("error", "")) or msg
    return msg.replace("Input should be", "must be", 1)


class Collector:
    """The problems of one parse of ``source``, each placed on its line of the tree ``root``."""

    def __init__(self, source: str, root: Any) -> None:
        self.source = source
        self.root = root
        self.lines = Lines(root)
        self.problems: list[Problem] = []

    def add(self, path: Sequence[str | int], message: str) -> None:
        """Record ``message`` about the value at ``path`` (a key or index of the tree)."""
        field = label(self.root, path)
        if message.startswith("missing") and any(p.field == field for p in self.problems):
            return  # a value of the wrong type was dropped: it is not also missing
        self.problems.append(Problem(self.source, self.lines.line(path), field, message))

    def validate(self, model: type[_M], data: Any, path: Sequence[str | int]) -> _M | None:
        """``data`` as a ``model``, recording its problems; what was valid, or ``None``."""
        try:
            return model.model_validate(data)
        except ValidationError as exc:
            for err in exc.errors():
                loc = [*path, *err["loc"]]
                self.add(loc, _message(err))
            return self._lenient(model, data, exc)

    @staticmethod
    def _lenient(model: type[_M], data: Any, exc: ValidationError) -> _M | None:
        """Drop what is wrong and fill what is missing, so later checks still run.

        The schedule is refused anyway (a problem was recorded); this only lets the
        semantic checks (duplicates, overlaps, unknown sites, ...) report their problems
        in the same run.
        """
        if not isinstance(data, dict):
            return None
        fixed = dict(data)
        for _ in range(3):
            for err in exc.errors():
                if not err["loc"]:
                    return None
                key = err["loc"][0]
                if err["type"] == "missing":
                    fixed[key] = _PLACEHOLDERS.get(str(key), "?")
                else:
                    fixed.pop(key, None)
            try:
                return model.model_validate(fixed)
            except ValidationError as again:
                exc = again
        return None
