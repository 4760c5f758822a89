"""``control-room switcher check``: does every configured OBS have the scenes the schedule asks?

Connects to every OBS of a :class:`~control_room.switcher.config.SwitcherConfig`
(``GetSceneList``) and lists, per channel, the scenes the schedule may ask of it
(:func:`~control_room.core.scenes.scenes_needed`): missing ones of the plan fail,
missing fallback scenes only warn.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, TextIO

from control_room.core.scenes import scenes_needed
from control_room.core.schedule import Schedule, ScheduleError
from control_room.obs import ObsError
from control_room.schedule_file import load_schedule

from .config import ObsBinding, SwitcherConfig, SwitcherConfigError, load_switcher_config
from .driver import ClientFactory, default_client

__all__ = [
    "ChannelCheck",
    "add_switcher_arguments",
    "check_scenes",
    "print_checks",
    "switcher_check_main",
    "switcher_main",
]


@dataclass
class ChannelCheck:
    """What ``switcher check`` found for one channel."""

    channel: str
    url: str
    error: str | None = None
    version: str | None = None
    missing: dict[str, list[str]] = field(default_factory=dict)
    present: dict[str, list[str]] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        """Reachable, and no scene of the plan missing (fallback scenes only warn)."""
        return self.error is None and not any(
            not all(why.startswith("fallback") for why in whys) for whys in self.missing.values()
        )

    def to_json(self) -> dict[str, Any]:
        """What ``switcher check --json`` prints for this channel."""
        return {
            "channel": self.channel,
            "url": self.url,
            "ok": self.ok,
            "error": self.error,
            "version": self.version,
            "missing": self.missing,
            "present": self.present,
        }


async def check_scenes(
    schedule: Schedule,
    config: SwitcherConfig,
    *,
    client_factory: ClientFactory = default_client,
) -> list[ChannelCheck]:
    """Connect to every configured OBS and compare its scenes with the schedule's.

    Args:
        schedule: the schedule.
        config: the channels bound to an OBS.
        client_factory: makes the OBS clients (tests).

    Returns:
        One :class:`ChannelCheck` per configured channel, in the config's order.
    """

    async def one(binding: ObsBinding) -> ChannelCheck:
        result = ChannelCheck(binding.channel, binding.url)
        try:
            client = client_factory(binding, binding.password(), lambda event: None)
            async with client:
                version = await client.get_version()
                names = set(await client.get_scene_names())
        except (ObsError, SwitcherConfigError) as exc:
            result.error = str(exc)
            return result
        result.version = (
            f"OBS {version.get('obsVersion')} / obs-websocket {version.get('obsWebSocketVersion')}"
        )
        for scene, whys in scenes_needed(schedule, binding.channel).items():
            (result.present if scene in names else result.missing)[scene] = whys
        return result

    return list(await asyncio.gather(*(one(b) for b in config.channels.values())))


def print_checks(checks: Sequence[ChannelCheck], out: TextIO) -> None:
    """Print the checks for a person (what ``switcher check`` prints without ``--json``)."""
    for check in checks:
        head = f"{check.channel}  {check.url}"
        if check.error is not None:
            print(f"{head}  UNREACHABLE: {check.error}", file=out)
            continue
        print(f"{head}  {check.version}", file=out)
        for scene, whys in sorted(check.missing.items()):
            fallback = all(why.startswith("fallback") for why in whys)
            label = "missing (fallback only)" if fallback else "MISSING"
            print(f"  {label:<24}{scene!r}  ({', '.join(whys)})", file=out)
        for scene, whys in sorted(check.present.items()):
            print(f"  {'ok':<24}{scene!r}  ({', '.join(whys)})", file=out)


def add_switcher_arguments(parser: argparse.ArgumentParser) -> None:
    """The ``switcher`` subcommands (``check``)."""
    sub = parser.add_subparsers(dest="switcher_command", required=True, metavar="SUBCOMMAND")
    check = sub.add_parser(
        "check", help="connect to every configured OBS; list the scenes it lacks"
    )
    check.add_argument("schedule", metavar="FILE", help="the schedule file")
    check.add_argument(
        "--config",
        "--switcher",
        dest="config",
        required=True,
        metavar="SWITCHER.toml",
        help="the switcher configuration (channels bound to OBS; docs/switcher.md)",
    )
    check.add_argument("--json", action="store_true", help="print the result as JSON")


def switcher_main(args: argparse.Namespace, out: TextIO | None = None) -> int:
    """Run a parsed ``switcher`` subcommand. Exit status: 0 ok, 1 problems, 2 bad input."""
    out = out or sys.stdout
    try:
        schedule = load_schedule(args.schedule)
    except ScheduleError as exc:
        print(exc, file=sys.stderr)
        return 2
    except OSError as exc:
        print(f"{args.schedule}: {exc.strerror or exc}", file=sys.stderr)
        return 2
    try:
        config = load_switcher_config(args.config, schedule=schedule)
    except SwitcherConfigError as exc:
        print(exc, file=sys.stderr)
        return 2
    checks = asyncio.run(check_scenes(schedule, config))
    if args.json:
        doc = [c.to_json() for c in checks]
        print(json.dumps(doc, ensure_ascii=False, indent=2), file=out)
    else:
        print_checks(checks, out)
    return 0 if all(c.ok for c in checks) else 1


def switcher_check_main(argv: Iterable[str] | None = None, out: TextIO | None = None) -> int:
    """``control-room switcher check FILE --config SWITCHER.toml`` as a function."""
    parser = argparse.ArgumentParser(prog="control-room switcher")
    add_switcher_arguments(parser)
    args = parser.parse_args(["check", *(sys.argv[1:] if argv is None else argv)])
    return switcher_main(args, out)
