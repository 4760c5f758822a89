"""The switcher's configuration: which channel drives which OBS (``--switcher FILE``, TOML).

Addresses and passwords never go in the schedule file (it is shared with everyone who
writes the programme); passwords never go in this file either: each binding names an
environment variable or a password file, read when connecting. See docs/switcher.md.
"""

from __future__ import annotations

import datetime as dt
import math
import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from control_room.core.scenes import DEFAULT_PREVIEW_LEAD
from control_room.core.schedule import Schedule
from control_room.core.schedule_yaml import parse_duration

from .feed_config import DEFAULT_FEED_POLL, FeedConfig, parse_feeds

__all__ = [
    "CHANNEL_KEYS",
    "DEFAULT_REQUEST_TIMEOUT",
    "TOP_KEYS",
    "ObsBinding",
    "SwitcherConfig",
    "SwitcherConfigError",
    "load_switcher_config",
    "parse_switcher_config",
]

DEFAULT_REQUEST_TIMEOUT = 3.0
"""Seconds to wait for OBS's answer, by default; longer means OBS is hung."""

CHANNEL_KEYS = frozenset(
    {"url", "password_env", "password_file", "preview_lead", "request_timeout"}
)
"""The keys of a ``[channels.<id>]`` table."""

TOP_KEYS = frozenset({"channels", "preview_lead", "request_timeout", "sites", "feed_poll"})
"""The keys at the top of the file."""


class SwitcherConfigError(ValueError):
    """The switcher configuration is wrong; the message says where and why."""


@dataclass(frozen=True, slots=True)
class ObsBinding:
    """Where one channel's OBS is, and how to get its password.

    The password is read when connecting (so a fixed password file is picked up
    at the next attempt), from ``password_env`` or ``password_file``; neither
    means OBS has authentication off.
    """

    channel: str
    url: str
    password_env: str | None = None
    password_file: Path | None = None
    preview_lead: dt.timedelta = DEFAULT_PREVIEW_LEAD
    request_timeout: float = DEFAULT_REQUEST_TIMEOUT

    def password(self) -> str | None:
        """The password, or ``None`` when none is configured.

        Raises:
            SwitcherConfigError: the variable is unset or the file unreadable.
        """
        if self.password_env is not None:
            value = os.environ.get(self.password_env)
            if value is None:
                raise SwitcherConfigError(
                    f"{self.channel}: environment variable {self.password_env} is not set"
                )
            return value
        if self.password_file is not None:
            try:
                return self.password_file.read_text(encoding="utf-8").strip("\r\n")
            except OSError as exc:
                raise SwitcherConfigError(
                    f"{self.channel}: cannot read password file {self.password_file}: "
                    f"{exc.strerror or exc}"
                ) from None
        return None


@dataclass(frozen=True, slots=True)
class SwitcherConfig:
    """Every channel bound to an OBS (``channels`` keyed by channel id), and the sites'
    feeds the switcher watches (``feeds`` keyed by site id, see
    :mod:`~control_room.switcher.feed_config`), polled every ``feed_poll`` seconds."""

    channels: Mapping[str, ObsBinding]
    source: str = "<switcher config>"
    feeds: Mapping[str, FeedConfig] = field(default_factory=dict)
    feed_poll: float = DEFAULT_FEED_POLL


def _seconds(value: Any, where: str) -> float:
    if isinstance(value, bool):
        raise SwitcherConfigError(f"{where}: not a duration: {value!r}")
    if isinstance(value, int | float):
        seconds = float(value)
    elif isinstance(value, str):
        try:
            seconds = parse_duration(value).total_seconds()
        except ValueError as exc:
            raise SwitcherConfigError(f"{where}: {exc}") from None
    else:
        raise SwitcherConfigError(f"{where}: not a duration: {value!r}")
    if not math.isfinite(seconds) or seconds < 0:
        raise SwitcherConfigError(f"{where}: must be a positive number of seconds")
    return seconds


def _check_url(url: Any, where: str, problems: list[str]) -> bool:
    """Is ``url`` a usable ``ws://host:port`` (else say why in ``problems``)?"""
    if not isinstance(url, str):
        problems.append(f"{where}.url: expected ws://host:port, got {url!r}")
        return False
    parts = urlsplit(url)
    if parts.scheme not in ("ws", "wss") or not parts.hostname:
        problems.append(f"{where}.url: expected ws://host:port, got {url!r}")
        return False
    try:
        _ = parts.port  # raises on a bad port
    except ValueError:
        problems.append(f"{where}.url: bad port in {url!r}")
        return False
    if parts.username or parts.password:
        problems.append(f"{where}.url: no credentials in the address; use password_env")
    return True


def _password_file(
    entry: Mapping[str, Any], where: str, base_dir: Path | None, problems: list[str]
) -> Path | None:
    """Check ``password_env`` / ``password_file``; the password file's path, if any."""
    env = entry.get("password_env")
    pw_file = entry.get("password_file")
    if env is not None and pw_file is not None:
        problems.append(f"{where}: give password_env or password_file, not both")
    if env is not None and (not isinstance(env, str) or not env):
        problems.append(f"{where}.password_env: expected a variable name")
    if pw_file is not None and (not isinstance(pw_file, str) or not pw_file):
        problems.append(f"{where}.password_file: expected a path")
    if not isinstance(pw_file, str) or not pw_file:
        return None
    path = Path(pw_file).expanduser()
    if not path.is_absolute() and base_dir is not None:
        path = base_dir / path
    return path


def _parse_binding(
    channel_id: str,
    entry: Mapping[str, Any],
    *,
    where: str,
    defaults: Mapping[str, float],
    base_dir: Path | None,
    problems: list[str],
) -> ObsBinding | None:
    """One ``[channels.<id>]`` table; ``None`` (and ``problems``) when it is unusable."""
    for key in entry:
        if key == "password":
            problems.append(
                f"{where}.password: never write a password here; use password_env "
                "(an environment variable) or password_file"
            )
        elif key not in CHANNEL_KEYS:
            problems.append(f"{where}.{key}: unknown key (typo?)")
    url = entry.get("url")
    if not _check_url(url, where, problems):
        return None
    path = _password_file(entry, where, base_dir, problems)
    try:
        lead = _seconds(
            entry.get(
                "preview_lead", defaults.get("preview_lead", DEFAULT_PREVIEW_LEAD.total_seconds())
            ),
            f"{where}.preview_lead",
        )
        timeout = _seconds(
            entry.get("request_timeout", defaults.get("request_timeout", DEFAULT_REQUEST_TIMEOUT)),
            f"{where}.request_timeout",
        )
    except SwitcherConfigError as exc:
        problems.append(str(exc))
        return None
    if timeout <= 0:
        problems.append(f"{where}.request_timeout: must be more than 0")
        return None
    env = entry.get("password_env")
    return ObsBinding(
        channel=channel_id,
        url=str(url),
        password_env=env if isinstance(env, str) else None,
        password_file=path,
        preview_lead=dt.timedelta(seconds=lead),
        request_timeout=timeout,
    )


def parse_switcher_config(
    text: str,
    *,
    source: str = "<switcher config>",
    base_dir: Path | None = None,
    schedule: Schedule | None = None,
) -> SwitcherConfig:
    """Parse a switcher configuration (TOML). See docs/switcher.md.

    Args:
        text: the TOML text.
        source: its name, for messages.
        base_dir: relative ``password_file`` paths are relative to it.
        schedule: when given, every configured channel must exist in it.

    Raises:
        SwitcherConfigError: every problem found, one per line.
    """
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise SwitcherConfigError(f"{source}: {exc}") from None
    problems = [f"{source}: {key}: unknown key (typo?)" for key in raw if key not in TOP_KEYS]
    defaults: dict[str, float] = {}
    for key in ("preview_lead", "request_timeout", "feed_poll"):
        if key in raw:
            try:
                defaults[key] = _seconds(raw[key], f"{source}: {key}")
            except SwitcherConfigError as exc:
                problems.append(str(exc))
    channels_raw = raw.get("channels", {})
    if not isinstance(channels_raw, dict) or not channels_raw:
        problems.append(f"{source}: channels: bind at least one channel ([channels.<id>])")
        channels_raw = {}
    known = {ch.id for ch in schedule.channels} if schedule is not None else None
    bindings: dict[str, ObsBinding] = {}
    for channel_id, entry in channels_raw.items():
        where = f"{source}: channels.{channel_id}"
        if not isinstance(entry, dict):
            problems.append(f"{where}: expected a table with url = ...")
            continue
        if known is not None and channel_id not in known:
            problems.append(
                f"{where}: no such channel in the schedule ({', '.join(sorted(known))})"
            )
        binding = _parse_binding(
            channel_id,
            entry,
            where=where,
            defaults=defaults,
            base_dir=base_dir,
            problems=problems,
        )
        if binding is not None:
            bindings[channel_id] = binding
    feeds = parse_feeds(
        raw.get("sites", {}),
        source=source,
        seconds=_seconds,
        schedule=schedule,
        problems=problems,
    )
    feed_poll = defaults.get("feed_poll", DEFAULT_FEED_POLL)
    if feed_poll <= 0:
        problems.append(f"{source}: feed_poll: must be more than 0")
    if problems:
        raise SwitcherConfigError("\n".join(problems))
    return SwitcherConfig(bindings, source, feeds, feed_poll)


def load_switcher_config(path: str | Path, *, schedule: Schedule | None = None) -> SwitcherConfig:
    """Read and parse a switcher configuration file.

    Raises:
        SwitcherConfigError: unreadable file, or every problem found in it.
    """
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise SwitcherConfigError(f"{path}: {exc.strerror or exc}") from None
    return parse_switcher_config(
        text, source=str(path), base_dir=path.parent.resolve(), schedule=schedule
    )
