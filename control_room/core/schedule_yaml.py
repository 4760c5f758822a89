"""The schedule file format (YAML): text in, a :class:`Schedule` or every problem out.

A schedule file is YAML (see docs/schedule-format.md). :func:`parse_schedule` checks
everything, and either returns an immutable :class:`~control_room.core.schedule.Schedule`
or raises :class:`~control_room.core.schedule.ScheduleError` listing *every* problem found,
each as ``file:line: field: message``. Reading the file is the edge's job
(:mod:`control_room.schedule_file`).

Pure core: no I/O, no clock reads, no state.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, Sequence
from typing import Annotated, Any, Literal, TypeVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, BeforeValidator, ConfigDict, ValidationError
from pydantic import Field as PField

from .schedule import (
    Channel,
    Event,
    Item,
    Kind,
    Person,
    PersonRole,
    Problem,
    Schedule,
    ScheduleError,
    Segment,
    Site,
)

__all__ = ["Duration", "parse_duration", "parse_schedule"]


# --------------------------------------------------------------------------- raw input models

_ID = r"^[a-z0-9][a-z0-9_-]*$"
Duration = str | int


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


class _Raw(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=False, frozen=True)


class _RawPerson(_Raw):
    name: str = PField(min_length=1)
    role: PersonRole
    function: str | None = None
    organisation: str | None = None


class _RawItem(_Raw):
    id: str = PField(pattern=_ID)
    title: str = PField(min_length=1)
    start: str | None = None
    end: str | None = None
    duration: _DurationField | None = None
    estimated: bool = False
    kind: Kind | None = None
    site: str | None = None
    people: list[_RawPerson] = []
    notes: str | None = None


class _RawSegment(_Raw):
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
    notes: str | None = None
    people: list[_RawPerson] = []
    items: list[Any] = []


class _RawSite(_Raw):
    id: str = PField(pattern=_ID)
    name: str = PField(min_length=1)
    city: str = PField(min_length=1)
    venue: str | None = None
    scene: str | None = None


class _RawChannel(_Raw):
    id: str = PField(pattern=_ID)
    title: str = PField(min_length=1)
    subtitle: str | None = None
    segments: list[Any] = PField(min_length=1)


class _RawEvent(_Raw):
    title: str = PField(min_length=1)
    date: dt.date
    timezone: str
    subtitle: str | None = None
    start: str | None = None
    end: str | None = None
    url: str | None = None
    warning: _DurationField | None = None
    danger: _DurationField | None = None


class _RawSwitcher(_Raw):
    scenes: dict[Literal["break", "slate", "idle"], str] = {}


_TOP_KEYS = {"event", "sites", "channels", "switcher"}
_M = TypeVar("_M", bound=BaseModel)
_PLACEHOLDERS: dict[str, Any] = {
    "kind": "other",
    "id": "x-invalid",
    "segments": [],
    "city": "?",
    "timezone": "UTC",
    "date": dt.date(2000, 1, 1),
}


# --------------------------------------------------------------------------- parsing helpers

_DURATION = re.compile(
    r"^(?:(?P<h>\d+)h)?(?:(?P<m>\d+)(?:min|m))?(?:(?P<s>\d+)s)?$"  # 1h, 30m, 1h30m, 45s
)
_H_M = re.compile(r"^(?P<h>\d+)h(?P<m>\d+)$")  # 1h30
_TIME = re.compile(r"^(?P<h>\d{1,2}):(?P<m>\d{2})(?::(?P<s>\d{2}))?$")


def parse_duration(value: Duration) -> dt.timedelta:
    """Parse ``30m``, ``1h30``, ``1h``, ``45s``, ``90`` (minutes) into a timedelta.

    Raises:
        ValueError: not a duration.
    """
    if isinstance(value, bool):
        raise ValueError(f"not a duration: {value!r}")
    if isinstance(value, int):
        if value < 0:
            raise ValueError(f"negative duration: {value}")
        return _bounded(value * 60, value)
    if not isinstance(value, str):
        raise ValueError(f"not a duration: {value!r} (write e.g. 30m, 1h30, 45s or 90)")
    text = value.replace(" ", "")
    if text.isascii() and text.isdigit():
        return _bounded(int(text) * 60, value)
    m = _DURATION.match(text) or _H_M.match(text)
    if not text or m is None or not any(m.groupdict().values()):
        raise ValueError(f"not a duration: {value!r} (write e.g. 30m, 1h30, 45s or 90)")
    parts = m.groupdict()
    seconds = (
        int(parts.get("h") or 0) * 3600 + int(parts.get("m") or 0) * 60 + int(parts.get("s") or 0)
    )
    return _bounded(seconds, value)


_LONGEST = dt.timedelta(days=7)


def _bounded(seconds: int, value: Duration) -> dt.timedelta:
    if seconds > _LONGEST.total_seconds():
        raise ValueError(f"too long for a duration: {value!r} (at most {_LONGEST.days} days)")
    return dt.timedelta(seconds=seconds)


def _parse_instant(value: str, day: dt.date, tz: ZoneInfo) -> dt.datetime:
    """``HH:MM[:SS]`` on the event's day, or a full ISO date-time, as an aware UTC instant."""
    m = _TIME.match(value.strip())
    if m is not None:
        h, mi, s = int(m["h"]), int(m["m"]), int(m["s"] or 0)
        if h > 23 or mi > 59 or s > 59:
            raise ValueError(f"not a time of day: {value!r}")
        local = dt.datetime.combine(day, dt.time(h, mi, s), tzinfo=tz)
    elif not value.strip().isascii():
        raise ValueError(f"not a time: {value!r} (write HH:MM, HH:MM:SS or an ISO date-time)")
    else:
        try:
            local = dt.datetime.fromisoformat(value.strip())
        except ValueError:
            raise ValueError(
                f"not a time: {value!r} (write HH:MM, HH:MM:SS or an ISO date-time)"
            ) from None
        if local.tzinfo is None:
            local = local.replace(tzinfo=tz)
    try:
        return local.astimezone(dt.UTC)
    except OverflowError:
        raise ValueError(f"not a time of this era: {value!r}") from None


class _Lines:
    """Finds the line of a node of the ruamel tree from a path of keys and indexes."""

    def __init__(self, root: Any) -> None:
        self.root = root

    def line(self, path: Sequence[str | int]) -> int:
        node = self.root
        best = 1
        if hasattr(node, "lc"):
            best = node.lc.line + 1
        for key in path:
            try:
                if isinstance(node, dict):
                    if key in node and hasattr(node, "lc"):
                        best = node.lc.key(key)[0] + 1
                    elif hasattr(node, "lc"):
                        best = node.lc.line + 1
                    node = node[key]
                elif isinstance(node, list) and isinstance(key, int):
                    if hasattr(node, "lc"):
                        best = node.lc.item(key)[0] + 1
                    node = node[key]
                else:
                    break
            except (KeyError, IndexError, TypeError, AttributeError):
                break
            lc = getattr(node, "lc", None)
            if lc is not None and isinstance(node, dict):
                best = max(best, lc.line + 1)
        return best


def _label(root: Any, path: Sequence[str | int]) -> str:
    """A readable field name: ``channels[main].segments[accueil].start``."""
    out: list[str] = []
    node = root
    for key in path:
        if isinstance(key, int):
            try:
                node = node[key]
                ident = node.get("id") if isinstance(node, dict) else None
            except (IndexError, KeyError, TypeError):
                ident = None
            out.append(f"[{ident}]" if isinstance(ident, str) else f"[{key}]")
        else:
            try:
                node = node[key] if isinstance(node, dict) else None
            except (KeyError, TypeError):
                node = None
            out.append(("." if out else "") + str(key))
    return "".join(out)


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


class _Collector:
    def __init__(self, source: str, root: Any) -> None:
        self.source = source
        self.root = root
        self.lines = _Lines(root)
        self.problems: list[Problem] = []

    def add(self, path: Sequence[str | int], message: str) -> None:
        label = _label(self.root, path)
        if message.startswith("missing") and any(p.field == label for p in self.problems):
            return  # a value of the wrong type was dropped: it is not also missing
        self.problems.append(Problem(self.source, self.lines.line(path), label, message))

    def validate(self, model: type[_M], data: Any, path: Sequence[str | int]) -> _M | None:
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


MAX_CHARS = 5_000_000
"""The longest schedule text accepted (a show day is about 25 kB)."""
MAX_DEPTH = 64
"""The deepest nesting of mappings and lists accepted (a schedule needs about 10)."""
MAX_NODES = 200_000
"""The most values a schedule may hold once every alias is expanded (billion laughs)."""


def _yaml_classes() -> tuple[type[Any], type[Any], type[Any], type[Any]]:
    """The YAML composer and constructor used for schedules (built once, on first use).

    The composer bounds the nesting depth and the size of the document with every alias
    expanded, and reports a second document clearly. The constructor keeps dates and
    times as text (the models parse them and report an impossible one with its line) and
    turns any other failure to build a value into an error marked with that value's line.
    """
    global _CLASSES
    if _CLASSES is not None:
        return _CLASSES
    from ruamel.yaml.composer import Composer, ComposerError, MaxDepthExceededError
    from ruamel.yaml.constructor import RoundTripConstructor
    from ruamel.yaml.error import MarkedYAMLError
    from ruamel.yaml.events import StreamEndEvent
    from ruamel.yaml.nodes import MappingNode, Node, SequenceNode

    class _Refused(ComposerError):
        """Well-formed YAML that a schedule cannot be (the message says why)."""

    class _Composer(Composer):
        def __init__(self, loader: Any = None) -> None:
            super().__init__(loader)
            self.warn_double_anchors = False  # legal YAML; the later anchor wins

        def get_single_node(self) -> Any:
            self.parser.get_event()  # STREAM-START
            document: Any = None
            if not self.parser.check_event(StreamEndEvent):
                document = self.compose_document()
            if not self.parser.check_event(StreamEndEvent):
                event = self.parser.get_event()
                raise _Refused(
                    None,
                    None,
                    "a second YAML document starts here; a schedule file holds one "
                    "(remove this '---' and what follows, or put it in its own file)",
                    event.start_mark,
                )
            self.parser.get_event()  # STREAM-END
            if document is not None:
                _count(document, {})
            return document

    def _count(node: Node, sizes: dict[int, int]) -> int:
        """The number of values under ``node`` with aliases expanded (memoised per node)."""
        key = id(node)
        if key in sizes:
            size = sizes[key]
            if size < 0:
                raise _Refused(
                    None, None, "an alias refers to a value that contains it", node.start_mark
                )
        else:
            sizes[key] = -1  # in progress: meeting it again is a cycle
            size = 1
            if isinstance(node, SequenceNode):
                for child in node.value:
                    size += _count(child, sizes)
            elif isinstance(node, MappingNode):
                for k, v in node.value:
                    size += _count(k, sizes) + _count(v, sizes)
            sizes[key] = size
        if size > MAX_NODES:  # the first (deepest) value to cross the budget
            raise _Refused(
                None,
                None,
                f"too many values once aliases are expanded (more than {MAX_NODES:,}); "
                "write the schedule without aliases (*name)",
                node.start_mark,
            )
        return size

    class _Constructor(RoundTripConstructor):
        def construct_non_recursive_object(self, node: Any, tag: str | None = None) -> Any:
            try:
                return super().construct_non_recursive_object(node, tag)
            except MarkedYAMLError:
                raise
            except Exception as exc:  # a third-party builder on hostile input: mark it
                raise _Refused(
                    None, None, f"cannot read this value ({exc})", node.start_mark
                ) from None

        def construct_timestamp_as_text(self, node: Any) -> Any:
            return self.construct_scalar(node)

    _Constructor.add_constructor(
        "tag:yaml.org,2002:timestamp", _Constructor.construct_timestamp_as_text
    )
    _CLASSES = (_Composer, _Constructor, _Refused, MaxDepthExceededError)
    return _CLASSES


_CLASSES: tuple[type[Any], type[Any], type[Any], type[Any]] | None = None


def _yaml_load(text: str, source: str) -> Any:
    from ruamel.yaml import YAML
    from ruamel.yaml.error import MarkedYAMLError, YAMLError
    from ruamel.yaml.reader import ReaderError

    if len(text) > MAX_CHARS:
        raise ScheduleError(
            [
                Problem(
                    source,
                    1,
                    "",
                    f"too large for a schedule ({len(text):,} characters, at most "
                    f"{MAX_CHARS:,}); is this the right file?",
                )
            ]
        )
    composer, constructor, refused, too_deep = _yaml_classes()
    yaml = YAML(typ="rt")
    yaml.Composer = composer
    yaml.Constructor = constructor
    yaml.allow_duplicate_keys = False
    yaml.max_depth = MAX_DEPTH
    try:
        return yaml.load(text)
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else 1
        what = str(exc.problem or exc.context or "")
        if isinstance(exc, too_deep):
            what = f"nested more than {MAX_DEPTH} levels deep (a schedule needs about 10)"
        elif not isinstance(exc, refused):
            if "'\\t'" in what:
                what += " (a tab: YAML indents with spaces only)"
            what = f"malformed YAML: {what}" if what else "malformed YAML"
        raise ScheduleError([Problem(source, line, "", what)]) from None
    except ReaderError as exc:
        at = exc.position if isinstance(exc.position, int) else 0
        line = text.count("\n", 0, at) + 1
        column = at - (text.rfind("\n", 0, at) + 1) + 1
        what = f"U+{exc.character:04X}" if isinstance(exc.character, int) else repr(exc.character)
        raise ScheduleError(
            [
                Problem(
                    source,
                    line,
                    "",
                    f"a character YAML does not allow ({what}, column {column}); delete it",
                )
            ]
        ) from None
    except YAMLError as exc:  # pragma: no cover - ruamel marks its other errors
        raise ScheduleError([Problem(source, 1, "", f"malformed YAML: {exc}")]) from None
    except RecursionError:  # pragma: no cover - bounded by MAX_DEPTH above
        raise ScheduleError(
            [Problem(source, 1, "", f"malformed YAML: nested too deep (at most {MAX_DEPTH})")]
        ) from None


# --------------------------------------------------------------------------- parsing


def parse_schedule(text: str, *, source: str = "<schedule>") -> Schedule:
    """Parse and validate schedule YAML text.

    Args:
        text: the YAML document.
        source: the name used in problem messages (usually the file path).

    Raises:
        ScheduleError: every problem found.
    """
    root = _yaml_load(text, source)
    c = _Collector(source, root)
    if not isinstance(root, dict):
        raise ScheduleError(
            [Problem(source, 1, "", "a schedule is a mapping with event, sites, channels")]
        )
    for key in root:
        if key not in _TOP_KEYS:
            c.add([key], "unknown key (typo?)")
    for key in ("event", "channels"):
        if key not in root:
            c.add([], f"{key}: missing")

    event = _build_event(c, root)
    sites = _build_sites(c, root)
    scenes: dict[str, str] = {}
    if "switcher" in root:
        sw = c.validate(_RawSwitcher, root["switcher"], ["switcher"])
        if sw is not None:
            scenes = {str(k): v for k, v in sw.scenes.items()}
    # Without a valid event, still check the channels (against a placeholder day) so that
    # every problem is reported in one run; the schedule is refused anyway.
    placeholder: _EventParts = (Event("?", dt.date(2000, 1, 1), ZoneInfo("UTC")), 300, 60)
    channels = _build_channels(c, root, event or placeholder, sites)
    if c.problems or event is None:
        raise ScheduleError(sorted(c.problems, key=lambda p: p.line))
    return Schedule(
        event=event[0],
        sites=sites,
        channels=channels,
        switcher_scenes=scenes,
        source=source,
    )


_EventParts = tuple[Event, int, int]  # event, default warning, default danger (seconds)


def _build_event(c: _Collector, root: Any) -> _EventParts | None:
    if "event" not in root:
        return None
    raw = c.validate(_RawEvent, root["event"], ["event"])
    if raw is None:
        return None
    try:
        tz = ZoneInfo(raw.timezone)
    except (ZoneInfoNotFoundError, ValueError):
        c.add(
            ["event", "timezone"],
            f"unknown time zone {raw.timezone!r} (use an IANA name like Europe/Paris)",
        )
        tz = ZoneInfo("UTC")  # keep checking the rest of the file
    start = end = None
    for key in ("start", "end"):
        value = getattr(raw, key)
        if value is None:
            continue
        try:
            instant = _parse_instant(value, raw.date, tz)
        except ValueError as exc:
            c.add(["event", key], str(exc))
            continue
        if key == "start":
            start = instant
        else:
            end = instant
    if start is not None and end is not None and end <= start:
        c.add(["event", "end"], "the event ends before it starts")
    warning, danger = 300, 60
    for key in ("warning", "danger"):
        value = getattr(raw, key)
        if value is None:
            continue
        try:
            seconds = int(parse_duration(value).total_seconds())
        except ValueError as exc:
            c.add(["event", key], str(exc))
            continue
        if key == "warning":
            warning = seconds
        else:
            danger = seconds
    ev = Event(
        title=raw.title,
        date=raw.date,
        timezone=tz,
        start=start,
        end=end,
        subtitle=raw.subtitle,
        url=raw.url,
    )
    return ev, warning, danger


def _build_sites(c: _Collector, root: Any) -> dict[str, Site]:
    sites: dict[str, Site] = {}
    raw_sites = root.get("sites", [])
    if raw_sites is None:
        return sites
    if not isinstance(raw_sites, list):
        c.add(["sites"], "must be a list of sites")
        return sites
    for i, data in enumerate(raw_sites):
        raw = c.validate(_RawSite, data, ["sites", i])
        if raw is None:
            continue
        if raw.id in sites:
            c.add(["sites", i, "id"], f"duplicate site id {raw.id!r}")
            continue
        sites[raw.id] = Site(raw.id, raw.name, raw.city, raw.venue, raw.scene)
    return sites


def _people(raw: Sequence[_RawPerson]) -> tuple[Person, ...]:
    return tuple(Person(p.name, p.role, p.function, p.organisation) for p in raw)


def _times(
    c: _Collector,
    path: list[str | int],
    raw: _RawSegment | _RawItem,
    default_start: dt.datetime | None,
    ev: Event,
) -> tuple[dt.datetime, dt.datetime] | None:
    start: dt.datetime | None = default_start
    if raw.start is not None:
        try:
            start = _parse_instant(raw.start, ev.date, ev.timezone)
        except ValueError as exc:
            c.add([*path, "start"], str(exc))
            return None
    if start is None:
        c.add([*path, "start"], "missing (only a segment that follows another may omit it)")
        return None
    if (raw.end is None) == (raw.duration is None):
        c.add(path, "give exactly one of end or duration")
        return None
    if raw.end is not None:
        try:
            end = _parse_instant(raw.end, ev.date, ev.timezone)
        except ValueError as exc:
            c.add([*path, "end"], str(exc))
            return None
        if end <= start:
            c.add(
                [*path, "end"],
                f"ends at or before its start ({raw.end} <= {_hhmm(start, ev.timezone)})",
            )
            return None
    else:
        assert raw.duration is not None
        try:
            length = parse_duration(raw.duration)
        except ValueError as exc:
            c.add([*path, "duration"], str(exc))
            return None
        if length <= dt.timedelta(0):
            c.add([*path, "duration"], "must be longer than zero")
            return None
        try:
            end = start + length
        except OverflowError:
            c.add([*path, "duration"], "ends after the end of the calendar")
            return None
    return start, end


def _entry(
    c: _Collector,
    path: list[str | int],
    raw: _RawSegment | _RawItem,
    what: str,
    prev_end: dt.datetime | None,
    ev: Event,
    sites: Mapping[str, Site],
    ids: dict[str, str],
) -> tuple[dt.datetime, dt.datetime] | None:
    """Checks shared by segments and items: unique id, known site, valid times."""
    if raw.id in ids:
        c.add([*path, "id"], f"duplicate id {raw.id!r} (already a {ids[raw.id]})")
    ids[raw.id] = what
    if raw.site is not None and raw.site not in sites:
        c.add([*path, "site"], f"unknown site {raw.site!r}")
    return _times(c, path, raw, prev_end, ev)


def _hhmm(instant: dt.datetime, tz: ZoneInfo) -> str:
    return instant.astimezone(tz).strftime("%H:%M:%S").removesuffix(":00")


def _build_channels(
    c: _Collector, root: Any, event: _EventParts, sites: Mapping[str, Site]
) -> tuple[Channel, ...]:
    ev, default_warning, default_danger = event
    tz = ev.timezone
    raw_channels = root.get("channels")
    if not isinstance(raw_channels, list):
        if raw_channels is not None:
            c.add(["channels"], "must be a list of channels")
        return ()
    ids: dict[str, str] = {}  # every id of a channel, segment or item -> what it names
    channel_ids = {
        data.get("id")
        for data in raw_channels
        if isinstance(data, dict) and isinstance(data.get("id"), str)
    }
    channels: list[Channel] = []
    for ci, cdata in enumerate(raw_channels):
        cpath: list[str | int] = ["channels", ci]
        raw_ch = c.validate(_RawChannel, cdata, cpath)
        if raw_ch is None:
            continue
        if raw_ch.id in ids:
            c.add([*cpath, "id"], f"duplicate id {raw_ch.id!r} (already a {ids[raw_ch.id]})")
            continue
        ids[raw_ch.id] = "channel"
        segments: list[Segment] = []
        prev_end: dt.datetime | None = None
        prev_id: str | None = None
        for si, sdata in enumerate(raw_ch.segments):
            spath: list[str | int] = [*cpath, "segments", si]
            raw = c.validate(_RawSegment, sdata, spath)
            if raw is None:
                prev_end = None
                continue
            times = _entry(c, spath, raw, "segment", prev_end, ev, sites, ids)
            if times is None:
                prev_end = None
                continue
            start, end = times
            if prev_end is not None and start < prev_end:
                c.add(
                    [*spath, "start"],
                    f"overlaps {prev_id!r}, which ends at {_hhmm(prev_end, tz)}",
                )
            if ev.start is not None and start < ev.start:
                c.add([*spath, "start"], f"before the event starts ({_hhmm(ev.start, tz)})")
            if ev.end is not None and end > ev.end:
                c.add(
                    [*spath, "end" if raw.end is not None else "duration"],
                    f"after the event ends ({_hhmm(ev.end, tz)})",
                )
            for pi, other in enumerate(raw.parallel):
                if other not in channel_ids:
                    c.add([*spath, "parallel", pi], f"unknown channel {other!r}")
                elif other == raw_ch.id:
                    c.add([*spath, "parallel", pi], "a channel cannot run in parallel to itself")
            warning, danger = default_warning, default_danger
            for key in ("warning", "danger"):
                value = getattr(raw, key)
                if value is None:
                    continue
                try:
                    seconds = int(parse_duration(value).total_seconds())
                except ValueError as exc:
                    c.add([*spath, key], str(exc))
                    continue
                if key == "warning":
                    warning = seconds
                else:
                    danger = seconds
            if danger > warning:
                c.add([*spath, "danger"], "the danger threshold comes after the warning one")
            items = _build_items(c, spath, raw, start, end, ev, sites, ids)
            segments.append(
                Segment(
                    id=raw.id,
                    title=raw.title,
                    kind=raw.kind,
                    start=start,
                    end=end,
                    hard=raw.hard,
                    site=raw.site,
                    subtitle=raw.subtitle,
                    estimated=raw.estimated,
                    people=_people(raw.people),
                    items=items,
                    parallel=tuple(raw.parallel),
                    notes=raw.notes,
                    warning=warning,
                    danger=danger,
                    scene=raw.scene,
                )
            )
            prev_end, prev_id = end, raw.id
        channels.append(Channel(raw_ch.id, raw_ch.title, tuple(segments), raw_ch.subtitle))
    return tuple(channels)


def _build_items(
    c: _Collector,
    spath: list[str | int],
    parent: _RawSegment,
    pstart: dt.datetime,
    pend: dt.datetime,
    ev: Event,
    sites: Mapping[str, Site],
    ids: dict[str, str],
) -> tuple[Item, ...]:
    tz = ev.timezone
    items: list[Item] = []
    prev_end: dt.datetime | None = pstart
    prev_id: str | None = None
    for ii, idata in enumerate(parent.items):
        ipath: list[str | int] = [*spath, "items", ii]
        raw = c.validate(_RawItem, idata, ipath)
        if raw is None:
            prev_end = None
            continue
        times = _entry(c, ipath, raw, "item", prev_end, ev, sites, ids)
        if times is None:
            prev_end = None
            continue
        start, end = times
        if start < pstart or end > pend:
            c.add(
                ipath,
                f"outside its segment {parent.id!r} ({_hhmm(pstart, tz)}–{_hhmm(pend, tz)})",
            )
        elif prev_end is not None and prev_id is not None and start < prev_end:
            c.add([*ipath, "start"], f"overlaps {prev_id!r}, which ends at {_hhmm(prev_end, tz)}")
        items.append(
            Item(
                id=raw.id,
                title=raw.title,
                start=start,
                end=end,
                kind=raw.kind,
                site=raw.site,
                estimated=raw.estimated,
                people=_people(raw.people),
                notes=raw.notes,
            )
        )
        prev_end, prev_id = end, raw.id
    return tuple(items)
