"""Operator commands: the only way anything changes what is on air.

Each command is a small immutable pydantic model; :data:`Command` is their discriminated
union on ``type``. :func:`parse_command` validates untrusted input (HTTP body, websocket
message, journal row). What a command *does* is decided by :mod:`control_room.timeline`.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError

__all__ = [
    "Audience",
    "Back",
    "Command",
    "CommandInvalid",
    "Delay",
    "Extend",
    "Hold",
    "Message",
    "MessageClear",
    "Release",
    "Reset",
    "SiteClear",
    "SiteOverride",
    "Slate",
    "SlateClear",
    "Take",
    "command_json",
    "describe",
    "parse_command",
]

Audience = Literal["moderators", "viewers"]
_Text = Annotated[str, Field(min_length=1, max_length=500)]
_Minutes = Annotated[int, Field(ge=-240, le=240, strict=True)]  # not "5", not true


class _Command(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    channel: str = Field(min_length=1, max_length=64)


class Take(_Command):
    """Put the next segment (or the named one) on air now."""

    type: Literal["take"] = "take"
    segment: str | None = None


class Back(_Command):
    """Go back to the previous segment, with the time it had left."""

    type: Literal["back"] = "back"


class Hold(_Command):
    """Do not leave the current segment at its end (or do not start the next one)."""

    type: Literal["hold"] = "hold"


class Release(_Command):
    """Undo a hold: the segment ends at its end, or now if that is past."""

    type: Literal["release"] = "release"


class Extend(_Command):
    """Lengthen (or, negative, shorten) the segment on air by N minutes."""

    type: Literal["extend"] = "extend"
    minutes: _Minutes


class Delay(_Command):
    """Delay the rest of the channel (soft starts, up to the next hard start) by N minutes."""

    type: Literal["delay"] = "delay"
    minutes: _Minutes


class Slate(_Command):
    """Put up a full-screen technical slate with a text."""

    type: Literal["slate"] = "slate"
    text: _Text


class SlateClear(_Command):
    type: Literal["slate_clear"] = "slate_clear"


class SiteOverride(_Command):
    """Put another site on air for this channel (fallback when a feed drops)."""

    type: Literal["site_override"] = "site_override"
    site: str = Field(min_length=1, max_length=64)


class SiteClear(_Command):
    type: Literal["site_clear"] = "site_clear"


class Message(_Command):
    """Show a message to the channel's moderators (timer) or viewers (overlay)."""

    type: Literal["message"] = "message"
    audience: Audience
    text: _Text


class MessageClear(_Command):
    type: Literal["message_clear"] = "message_clear"
    audience: Audience


class Reset(BaseModel):
    """Back to the plan: forget every command given so far on the channel (or all)."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    type: Literal["reset"] = "reset"
    channel: str | None = None


Command = Annotated[
    Take
    | Back
    | Hold
    | Release
    | Extend
    | Delay
    | Slate
    | SlateClear
    | SiteOverride
    | SiteClear
    | Message
    | MessageClear
    | Reset,
    Field(discriminator="type"),
]

_ADAPTER: TypeAdapter[Command] = TypeAdapter(Command)


class CommandInvalid(ValueError):
    """A command could not be read. The message names the field at fault."""


def parse_command(data: Any) -> Command:
    """Validate an untrusted command (a dict decoded from JSON).

    Raises:
        CommandInvalid: with every problem, as ``field: message``.
    """
    try:
        return _ADAPTER.validate_python(data)
    except ValidationError as exc:
        parts = []
        for err in exc.errors():
            loc = ".".join(str(x) for x in err["loc"]) or "command"
            msg = "unknown field" if err["type"] == "extra_forbidden" else err["msg"]
            parts.append(f"{loc}: {msg}")
        raise CommandInvalid("; ".join(parts)) from None


def command_json(command: Command) -> dict[str, Any]:
    """The command as a JSON-ready dict (what the journal stores)."""
    return command.model_dump(mode="json", exclude_none=True)


def describe(command: Command) -> str:
    """One human line for the audit log: ``extend parcours-1 +5 min``."""
    match command:
        case Take(segment=seg):
            return f"take {command.channel}" + (f" {seg}" if seg else " next")
        case Back() | Hold() | Release() | SlateClear() | SiteClear():
            return f"{command.type} {command.channel}"
        case Extend(minutes=m) | Delay(minutes=m):
            return f"{command.type} {command.channel} {m:+d} min"
        case Slate(text=text):
            return f"slate {command.channel} «{text}»"
        case SiteOverride(site=site):
            return f"site_override {command.channel} → {site}"
        case Message(audience=aud, text=text):
            return f"message {command.channel} ({aud}) «{text}»"
        case MessageClear(audience=aud):
            return f"message_clear {command.channel} ({aud})"
        case Reset(channel=ch):
            return f"reset {ch or 'all channels'}"
    raise AssertionError(command)
