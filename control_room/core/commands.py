"""Operator commands: the only way anything changes what is on air.

Each command is a small immutable pydantic model; :data:`Command` is their discriminated
union on ``type``. :func:`parse_command` validates untrusted input (HTTP body, websocket
message, journal row). What a command *does* is decided by :mod:`control_room.timeline`.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StrictBool,
    StrictInt,
    TypeAdapter,
    ValidationError,
    model_validator,
)

__all__ = [
    "Audience",
    "Back",
    "Blackout",
    "Command",
    "CommandInvalid",
    "Delay",
    "Extend",
    "Flash",
    "Hold",
    "HoldToggle",
    "LowerThird",
    "Message",
    "MessageClear",
    "Release",
    "Reset",
    "SiteClear",
    "Shorten",
    "SiteOverride",
    "Slate",
    "SlateClear",
    "SlateToggle",
    "Take",
    "Undo",
    "command_json",
    "describe",
    "parse_command",
]

Audience = Literal["moderators", "viewers"]
_Text = Annotated[str, Field(min_length=1, max_length=500)]
_Minutes = Annotated[StrictInt, Field(ge=-240, le=240)]
_Seconds = Annotated[StrictInt, Field(ge=-4 * 3600, le=4 * 3600)]
_PositiveMinutes = Annotated[StrictInt, Field(ge=1, le=240)]
_PositiveSeconds = Annotated[StrictInt, Field(ge=1, le=4 * 3600)]


class _Command(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    channel: str = Field(min_length=1, max_length=64)


class Take(_Command):
    """Put the next segment (or the named one) on air now.

    A take that would start a segment well before its planned start, or cut the segment
    on air before half-way, is refused unless it carries ``confirm: true`` (the safe take,
    docs/timeline.md).
    """

    type: Literal["take"] = "take"
    segment: str | None = None
    confirm: StrictBool | None = None


class Back(_Command):
    """Go back to the previous segment, with the time it had left."""

    type: Literal["back"] = "back"


class Hold(_Command):
    """Do not leave the current segment at its end (or do not start the next one)."""

    type: Literal["hold"] = "hold"


class Release(_Command):
    """Undo a hold: the segment ends at its end, or now if that is past."""

    type: Literal["release"] = "release"


class HoldToggle(_Command):
    """Hold if not held, else release (one Stream Deck key); journaled as what it did."""

    type: Literal["hold_toggle"] = "hold_toggle"


class _Amount(_Command):
    """A length of time: ``minutes`` or ``seconds`` (exactly one, a strict integer)."""

    minutes: _Minutes | None = None
    seconds: _Seconds | None = None

    @model_validator(mode="after")
    def _one_amount(self) -> _Amount:
        if (self.minutes is None) == (self.seconds is None):
            raise ValueError("give minutes or seconds (one of them)")
        return self

    @property
    def delta(self) -> dt.timedelta:
        """The amount as a signed duration."""
        if self.seconds is not None:
            return dt.timedelta(seconds=self.seconds)
        return dt.timedelta(minutes=self.minutes or 0)


class Extend(_Amount):
    """Lengthen (or, negative, shorten) the segment on air by N minutes or seconds."""

    type: Literal["extend"] = "extend"


class Shorten(_Amount):
    """Shorten the segment on air by N (positive) minutes or seconds: ``extend`` by -N."""

    type: Literal["shorten"] = "shorten"
    minutes: _PositiveMinutes | None = None
    seconds: _PositiveSeconds | None = None


class Delay(_Amount):
    """Delay the rest of the channel (soft starts, up to the next hard start) by N
    minutes or seconds (negative: bring them forward)."""

    type: Literal["delay"] = "delay"


class Slate(_Command):
    """Put up a full-screen technical slate with a text."""

    type: Literal["slate"] = "slate"
    text: _Text


class SlateClear(_Command):
    type: Literal["slate_clear"] = "slate_clear"


class SlateToggle(_Command):
    """Put up the slate with ``text`` if none is up, else clear it; journaled as what it
    did (``slate`` or ``slate_clear``)."""

    type: Literal["slate_toggle"] = "slate_toggle"
    text: _Text


class LowerThird(_Command):
    """Call the name strap in or out on the channel now (``toggle``: journaled as the one
    it did)."""

    type: Literal["lower_third"] = "lower_third"
    action: Literal["in", "out", "toggle"]


class Flash(_Command):
    """Make the moderators' timer flash for N seconds (default 10)."""

    type: Literal["flash"] = "flash"
    seconds: Annotated[StrictInt, Field(ge=1, le=600)] = 10


class Blackout(_Command):
    """Black out the moderators' timer (``on: true``), bring it back (``false``), or
    toggle (no ``on``: journaled as what it did)."""

    type: Literal["blackout"] = "blackout"
    on: StrictBool | None = None


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


class Undo(BaseModel):
    """Void the journal entry ``seq``: from now on, the show runs as if it had not been
    given (what already aired stays as it aired). An undo of an undo gives the command
    back (a redo). See docs/timeline.md."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    type: Literal["undo"] = "undo"
    seq: Annotated[StrictInt, Field(ge=1)]

    @property
    def channel(self) -> None:
        """An undo names an entry, not a channel (only an unscoped operator may give it)."""
        return None


Command = Annotated[
    Take
    | Back
    | Hold
    | Release
    | HoldToggle
    | Extend
    | Shorten
    | Delay
    | Slate
    | SlateClear
    | SlateToggle
    | SiteOverride
    | SiteClear
    | Message
    | MessageClear
    | LowerThird
    | Flash
    | Blackout
    | Reset
    | Undo,
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
            msg = msg.removeprefix("Value error, ")
            parts.append(f"{loc}: {msg}")
        raise CommandInvalid("; ".join(parts)) from None


def command_json(command: Command) -> dict[str, Any]:
    """The command as a JSON-ready dict (what the journal stores)."""
    return command.model_dump(mode="json", exclude_none=True)


def _amount(command: _Amount) -> str:
    if command.seconds is not None:
        sign = "-" if isinstance(command, Shorten) else "+" if command.seconds >= 0 else "-"
        return f"{sign}{abs(command.seconds)} s"
    minutes = command.minutes or 0
    sign = "-" if isinstance(command, Shorten) else "+" if minutes >= 0 else "-"
    return f"{sign}{abs(minutes)} min"


def describe(command: Command, *, target: Command | None = None) -> str:
    """One human line for the audit log: ``extend parcours-1 +5 min``.

    Args:
        target: for an undo, the command of the entry it voids (named in the line:
            ``undo #12 (extend main +5 min)``).
    """
    match command:
        case Take(segment=seg, confirm=confirm):
            text = f"take {command.channel}" + (f" {seg}" if seg else " next")
            return text + (" (confirmed)" if confirm else "")
        case Back() | Hold() | Release() | SlateClear() | SiteClear() | HoldToggle():
            return f"{command.type} {command.channel}"
        case Extend() | Shorten() | Delay():
            return f"{command.type} {command.channel} {_amount(command)}"
        case SlateToggle(text=text):
            return f"slate_toggle {command.channel} «{text}»"
        case LowerThird(action=action):
            return f"lower_third {command.channel} {action}"
        case Flash(seconds=seconds):
            return f"flash {command.channel} {seconds} s"
        case Blackout(on=on):
            what = "toggle" if on is None else "on" if on else "off"
            return f"blackout {command.channel} {what}"
        case Undo(seq=seq):
            return f"undo #{seq}" + (f" ({describe(target)})" if target is not None else "")
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
