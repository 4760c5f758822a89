"""The sites' feeds in the switcher configuration: ``[sites.<id>]`` tables.

Which OBS input carries a site's contribution (``feed``), how long a loss must last
before it counts (``grace``) and how long a return must hold (``stable``), what to do on
loss (``on_loss``) and on return (``on_return``). See docs/switcher.md, "Feeds".
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Literal, cast

from control_room.core.schedule import Schedule

__all__ = [
    "DEFAULT_FEED_POLL",
    "DEFAULT_GRACE",
    "DEFAULT_SLATE_TEXT",
    "DEFAULT_STABLE",
    "FEED_KEYS",
    "FeedConfig",
    "OnLoss",
    "OnReturn",
    "parse_feeds",
]

DEFAULT_GRACE = 3.0
"""Seconds of continuous loss before a feed is lost, by default."""
DEFAULT_STABLE = 5.0
"""Seconds of continuous health before a lost feed is healthy again, by default."""
DEFAULT_FEED_POLL = 0.5
"""Seconds between two ``GetMediaInputStatus`` polls of a watched feed, by default."""
DEFAULT_SLATE_TEXT = "Interruption momentanée"
"""The slate's text when a site's table gives none."""

OnLoss = Literal["nothing", "slate", "fallback"]
OnReturn = Literal["propose", "auto"]

FEED_KEYS = frozenset({"feed", "grace", "stable", "on_loss", "slate_text", "fallback", "on_return"})
"""The keys of a ``[sites.<id>]`` table."""

_ON_LOSS = ("nothing", "slate", "fallback")
_ON_RETURN = ("propose", "auto")


@dataclass(frozen=True, slots=True)
class FeedConfig:
    """One site's feed and the reactions to its loss.

    Attributes:
        site: the site id (of the schedule).
        feed: the OBS input carrying the site's contribution (a media source).
        grace: seconds of continuous loss before the feed is lost.
        stable: seconds of continuous health before it is healthy again.
        on_loss: ``"nothing"`` (the régie is warned), ``"slate"`` (a slate with
            ``slate_text`` on the channel) or ``"fallback"`` (``fallback`` site on air).
        slate_text: the slate's text.
        fallback: the site put on air instead (``on_loss = "fallback"``).
        on_return: ``"propose"`` (the régie gets a button to undo the reaction) or
            ``"auto"`` (the switcher undoes it).
    """

    site: str
    feed: str
    grace: float = DEFAULT_GRACE
    stable: float = DEFAULT_STABLE
    on_loss: OnLoss = "nothing"
    slate_text: str = DEFAULT_SLATE_TEXT
    fallback: str | None = None
    on_return: OnReturn = "propose"


Seconds = Callable[[Any, str], float]


def _text(entry: Mapping[str, Any], key: str, where: str, problems: list[str]) -> str | None:
    value = entry.get(key)
    if value is None:
        return None
    if not isinstance(value, str) or not value.strip():
        problems.append(f"{where}.{key}: expected a non-empty string")
        return None
    return value


def _choice(
    entry: Mapping[str, Any],
    key: str,
    choices: tuple[str, ...],
    where: str,
    problems: list[str],
) -> str:
    value = entry.get(key, choices[0])
    if value not in choices:
        problems.append(f"{where}.{key}: expected one of {', '.join(choices)}, got {value!r}")
        return choices[0]
    return str(value)


def _parse_feed(
    site_id: str,
    entry: Mapping[str, Any],
    *,
    where: str,
    seconds: Seconds,
    sites: Mapping[str, Any] | None,
    problems: list[str],
) -> FeedConfig | None:
    problems.extend(f"{where}.{key}: unknown key (typo?)" for key in entry if key not in FEED_KEYS)
    if sites is not None and site_id not in sites:
        problems.append(f"{where}: no such site in the schedule ({', '.join(sorted(sites))})")
    feed = _text(entry, "feed", where, problems)
    if feed is None and "feed" not in entry:
        problems.append(f"{where}.feed: name the OBS input carrying the site's feed")
    timings: dict[str, float] = {}
    for key, default in (("grace", DEFAULT_GRACE), ("stable", DEFAULT_STABLE)):
        try:
            timings[key] = seconds(entry.get(key, default), f"{where}.{key}")
        except ValueError as exc:
            problems.append(str(exc))
    on_loss = _choice(entry, "on_loss", _ON_LOSS, where, problems)
    on_return = _choice(entry, "on_return", _ON_RETURN, where, problems)
    slate_text = _text(entry, "slate_text", where, problems) or DEFAULT_SLATE_TEXT
    fallback = _text(entry, "fallback", where, problems)
    if on_loss == "fallback" and fallback is None and "fallback" not in entry:
        problems.append(f'{where}.fallback: on_loss = "fallback" needs the fallback site')
    if fallback is not None:
        if fallback == site_id:
            problems.append(f"{where}.fallback: a site cannot be its own fallback")
        elif sites is not None and fallback not in sites:
            problems.append(f"{where}.fallback: no such site in the schedule: {fallback!r}")
    if feed is None or len(timings) < 2:
        return None
    return FeedConfig(
        site=site_id,
        feed=feed,
        grace=timings["grace"],
        stable=timings["stable"],
        on_loss=cast(OnLoss, on_loss),
        slate_text=slate_text,
        fallback=fallback,
        on_return=cast(OnReturn, on_return),
    )


def parse_feeds(
    raw: Any,
    *,
    source: str,
    seconds: Seconds,
    schedule: Schedule | None,
    problems: list[str],
) -> dict[str, FeedConfig]:
    """The ``[sites.<id>]`` tables of a switcher configuration, keyed by site id.

    Args:
        raw: the ``sites`` value of the TOML document.
        source: the file's name, for messages.
        seconds: reads a duration (``"3s"`` or a number); raises ``ValueError``.
        schedule: when given, every site (and fallback) must exist in it.
        problems: where every problem found is appended, one per message.
    """
    if not isinstance(raw, dict):
        problems.append(f"{source}: sites: expected tables [sites.<id>]")
        return {}
    sites = schedule.sites if schedule is not None else None
    feeds: dict[str, FeedConfig] = {}
    for site_id, entry in raw.items():
        where = f"{source}: sites.{site_id}"
        if not isinstance(entry, dict):
            problems.append(f'{where}: expected a table with feed = "..."')
            continue
        feed = _parse_feed(
            site_id, entry, where=where, seconds=seconds, sites=sites, problems=problems
        )
        if feed is not None:
            feeds[site_id] = feed
    return feeds
