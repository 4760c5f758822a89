"""Untrusted JSON, read strictly, and the limits of a client message.

Every client message (websocket) and every HTTP body is read by :func:`parse_json`:
no ``NaN``/``Infinity`` (a browser's ``JSON.parse`` refuses them, and they must never
be echoed), no number that overflows to infinity, no nesting deeper than
:data:`MAX_DEPTH`, valid UTF-8. Each refusal is a :class:`ValueError` whose message a
person can act on.
"""

from __future__ import annotations

import json
import math
from typing import Any

__all__ = ["MAX_DEPTH", "MAX_MESSAGE_BYTES", "parse_json"]

MAX_MESSAGE_BYTES = 64 * 1024
"""Client messages larger than this are refused (a command is a few hundred bytes)."""

MAX_DEPTH = 32
"""Client JSON nested deeper than this is refused (a message is two or three levels deep)."""


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")


def _finite(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(f"{text} is out of range")
    return value


def parse_json(text: str | bytes) -> Any:
    """Untrusted JSON (websocket message, HTTP body), strictly: no ``NaN``/``Infinity``
    (a browser's ``JSON.parse`` refuses them, and they must never be echoed), no number
    that overflows to infinity, no nesting deeper than :data:`MAX_DEPTH` (which would
    exhaust the recursion limit), valid UTF-8.

    Raises:
        ValueError: anything else, with a message a person can act on.
    """
    depth = 0
    in_string = escaped = False
    raw = text if isinstance(text, bytes) else text.encode("utf-8", "surrogatepass")
    for byte in raw:  # the nesting depth, outside strings, before the recursive parser
        if in_string:
            if escaped:
                escaped = False
            elif byte == 0x5C:  # backslash
                escaped = True
            elif byte == 0x22:
                in_string = False
        elif byte == 0x22:
            in_string = True
        elif byte in (0x5B, 0x7B):
            depth += 1
            if depth > MAX_DEPTH:
                raise ValueError(f"nested deeper than {MAX_DEPTH} levels")
        elif byte in (0x5D, 0x7D):
            depth -= 1
    try:
        return json.loads(raw, parse_constant=_no_constant, parse_float=_finite)
    except RecursionError:  # pragma: no cover - refused by the depth scan above
        raise ValueError(f"nested deeper than {MAX_DEPTH} levels") from None
    except UnicodeDecodeError as exc:
        raise ValueError(f"not UTF-8: {exc.reason}") from None
