"""Reading YAML safely, with line numbers: text in, a ruamel tree (or one problem) out.

Schedule files come from people and from importers, so the reader is hardened: it
refuses text over :data:`MAX_CHARS`, nesting deeper than :data:`MAX_DEPTH`, alias bombs
over :data:`MAX_NODES` values, a second document and duplicate keys, each as one
:class:`~control_room.core.schedule.Problem` on its line, never a crash. The tree it
returns keeps each node's line, which :class:`Lines` and :func:`label` look up to place
the problems the schedule format finds later.

Pure core: no I/O, no clock reads, no state (the ruamel classes are built once, lazily).
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from typing import Any

from .schedule import Problem, ScheduleError

__all__ = ["MAX_CHARS", "MAX_DEPTH", "MAX_NODES", "Lines", "label", "read_yaml"]

MAX_CHARS = 5_000_000
"""The longest schedule text accepted (a show day is about 25 kB)."""
MAX_DEPTH = 64
"""The deepest nesting of mappings and lists accepted (a schedule needs about 10)."""
MAX_NODES = 200_000
"""The most values a schedule may hold once every alias is expanded (billion laughs)."""


# --------------------------------------------------------------------------- the hardened loader

_Classes = tuple[type[Any], type[Any], type[Any], type[Any]]


@functools.cache
def _yaml_classes() -> _Classes:
    """The YAML composer, constructor and refusal used for schedules (built once, on first use).

    ruamel is imported here, not at module load, so importing the core stays cheap. The
    last class is ruamel's own error for nesting deeper than ``max_depth``.
    """
    from ruamel.yaml.composer import MaxDepthExceededError

    refused = _refused_class()
    return _composer_class(refused), _constructor_class(refused), refused, MaxDepthExceededError


def _refused_class() -> type[Any]:
    """The error for well-formed YAML that a schedule cannot be (its message says why)."""
    from ruamel.yaml.composer import ComposerError

    class _Refused(ComposerError):
        """Well-formed YAML that a schedule cannot be (the message says why)."""

    return _Refused


def _composer_class(refused: type[Any]) -> type[Any]:
    """A composer that reports a second document clearly and bounds the expanded size.

    The size is counted on the composed tree (aliases are shared nodes there), so a
    billion laughs is refused before anything expands it.
    """
    from ruamel.yaml.composer import Composer
    from ruamel.yaml.events import StreamEndEvent

    count = _size_counter(refused)

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
                raise refused(
                    None,
                    None,
                    "a second YAML document starts here; a schedule file holds one "
                    "(remove this '---' and what follows, or put it in its own file)",
                    event.start_mark,
                )
            self.parser.get_event()  # STREAM-END
            if document is not None:
                count(document, {})
            return document

    return _Composer


def _size_counter(refused: type[Any]) -> Callable[[Any, dict[int, int]], int]:
    """The function counting the values under a node with aliases expanded.

    It refuses an alias cycle, and the first (deepest) value whose size crosses
    :data:`MAX_NODES`, on that value's line.
    """
    from ruamel.yaml.nodes import MappingNode, Node, SequenceNode

    def _count(node: Node, sizes: dict[int, int]) -> int:
        """The number of values under ``node`` with aliases expanded (memoised per node)."""
        key = id(node)
        if key in sizes:
            size = sizes[key]
            if size < 0:
                raise refused(
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
            raise refused(
                None,
                None,
                f"too many values once aliases are expanded (more than {MAX_NODES:,}); "
                "write the schedule without aliases (*name)",
                node.start_mark,
            )
        return size

    return _count


def _constructor_class(refused: type[Any]) -> type[Any]:
    """A constructor that keeps dates and times as text and marks any failure's line.

    The models parse dates and times and report an impossible one with its line; any
    other failure to build a value becomes a refusal marked with that value's line.
    """
    from ruamel.yaml.constructor import RoundTripConstructor
    from ruamel.yaml.error import MarkedYAMLError

    class _Constructor(RoundTripConstructor):
        def construct_non_recursive_object(self, node: Any, tag: str | None = None) -> Any:
            try:
                return super().construct_non_recursive_object(node, tag)
            except MarkedYAMLError:
                raise
            except Exception as exc:  # a third-party builder on hostile input: mark it
                raise refused(
                    None, None, f"cannot read this value ({exc})", node.start_mark
                ) from None

        def construct_timestamp_as_text(self, node: Any) -> Any:
            return self.construct_scalar(node)

    _Constructor.add_constructor(
        "tag:yaml.org,2002:timestamp", _Constructor.construct_timestamp_as_text
    )
    return _Constructor


def read_yaml(text: str, source: str) -> Any:
    """The ruamel round-trip tree of ``text``: mappings and lists that know their lines.

    Args:
        text: the YAML document.
        source: the name used in problem messages (usually the file path).

    Raises:
        ScheduleError: one problem, on its line: too large, malformed, too deep, an alias
            bomb or cycle, a second document, a duplicate key or a forbidden character.
    """
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
        raise ScheduleError([_bad_character(exc, text, source)]) from None
    except YAMLError as exc:  # pragma: no cover - ruamel marks its other errors
        raise ScheduleError([Problem(source, 1, "", f"malformed YAML: {exc}")]) from None
    except RecursionError:  # pragma: no cover - bounded by MAX_DEPTH above
        raise ScheduleError(
            [Problem(source, 1, "", f"malformed YAML: nested too deep (at most {MAX_DEPTH})")]
        ) from None


def _bad_character(exc: Any, text: str, source: str) -> Problem:
    """A character YAML does not allow (a control character), named by line and column."""
    at = exc.position if isinstance(exc.position, int) else 0
    line = text.count("\n", 0, at) + 1
    column = at - (text.rfind("\n", 0, at) + 1) + 1
    what = f"U+{exc.character:04X}" if isinstance(exc.character, int) else repr(exc.character)
    return Problem(
        source,
        line,
        "",
        f"a character YAML does not allow ({what}, column {column}); delete it",
    )


# --------------------------------------------------------------------------- lines and labels


class Lines:
    """Finds the line of a node of the ruamel tree from a path of keys and indexes."""

    def __init__(self, root: Any) -> None:
        self.root = root

    def line(self, path: Sequence[str | int]) -> int:
        """The line of the value at ``path``, or of its deepest ancestor that exists."""
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


def label(root: Any, path: Sequence[str | int]) -> str:
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
