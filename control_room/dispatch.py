"""The one command path: every adapter (HTTP, websocket, later OSC and the switcher's own
reactions) hands an untrusted command to :meth:`Dispatcher.submit` and translates the
:class:`Result` back into its own terms (a status code, a ``result`` message, an OSC
reply). The token was checked by :class:`~control_room.auth.Auth` at the adapter's door,
which hands over whose it is (a :class:`~control_room.auth.Identity`, or None); here, and
only here, is decided what that identity may do (:func:`~control_room.auth.refusal`): a
command outside its role or channels is refused (:attr:`Outcome.FORBIDDEN`: HTTP 403, a
websocket ``result`` error, an OSC error reply). Acknowledgements take the same path
(:meth:`Dispatcher.acknowledge`): a moderator link of the channel at least, then the desk's
limits.

One path means one vocabulary of outcomes (:class:`Outcome`), one validation of the
command (:func:`~control_room.core.commands.parse_command`), one replay of the journal
(:meth:`~control_room.show.Show.submit`), and one place where a new journal entry reaches
the régie.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable, Hashable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from control_room.auth import Identity, ack_refusal, refusal
from control_room.core.commands import CommandInvalid, parse_command
from control_room.core.timeline import CommandRejected
from control_room.desk import AckRefused, Desk
from control_room.show import Show

__all__ = ["Caller", "Dispatcher", "Forward", "Outcome", "Result", "ResultHook", "Unavailable"]

logger = logging.getLogger(__name__)

MAX_WHO = 80
"""The longest operator label kept in the journal."""


class Outcome(StrEnum):
    """How a submitted command ended; each adapter maps it to its own terms."""

    APPLIED = "applied"  # journaled and on air
    UNAUTHORIZED = "unauthorized"  # no valid token: nothing read
    FORBIDDEN = "forbidden"  # a valid token, but not for this command or channel
    LIMITED = "limited"  # too many (acknowledgements): nothing written
    INVALID = "invalid"  # not a command: the error names the field
    REJECTED = "rejected"  # a command the engine refuses now: the error says why
    FAILED = "failed"  # the journal could not be written: nothing applied
    UNAVAILABLE = "unavailable"  # a cluster without a leader or Redis: nothing applied


class Unavailable(Exception):
    """A command that cannot be committed now, nothing applied (a cluster without a leader
    or without Redis: :mod:`control_room.cluster`); the message says why."""


@dataclass(frozen=True, slots=True)
class Caller:
    """Who submits: the label journaled as ``who``, and whose token came with it.

    Attributes:
        who: the operator's label (``X-Operator``, the régie's name, an OSC sender).
        identity: whose token the adapter checked (None: no valid token).
    """

    who: str
    identity: Identity | None = None

    @property
    def authenticated(self) -> bool:
        return self.identity is not None

    def label(self) -> str:
        """The journal's ``who``: the operator's own label, else the token's name."""
        if self.identity is not None and not self.identity.is_operator:
            given = self.who[:MAX_WHO]
            name = self.identity.name
            return name if not given or given == name else f"{name} ({given})"[:MAX_WHO]
        return self.who[:MAX_WHO] or "operator"


@dataclass(frozen=True, slots=True)
class Result:
    """The outcome of one submission: the journal ``seq`` when applied, else an error."""

    outcome: Outcome
    seq: int | None = None
    error: str | None = None
    detail: dict[str, Any] | None = None  # what a screen needs to react (the safe take's)

    @property
    def ok(self) -> bool:
        return self.outcome is Outcome.APPLIED


Forward = Callable[[Any, str], Awaitable["Result | None"]]
"""A cluster member's path to the leader: (command data, who) → its result, or None when
this server is the leader and commits the command itself."""

ResultHook = Callable[[Result, float], None]
"""Called with each submission's result and how long it took (seconds, journal included)."""


class Dispatcher:
    """The one door for operator commands.

    Args:
        show: where commands are checked, journaled and applied.
        desk: told of each new journal entry (the régie's journal list).
    """

    def __init__(self, show: Show, desk: Desk) -> None:
        self.show = show
        self.desk = desk
        self._hooks: list[ResultHook] = []
        self.forward: Forward | None = None
        """Set by a cluster member (:mod:`control_room.cluster`): called with each checked
        command and its label; returns the leader's result, or None to commit it here."""

    def on_result(self, hook: ResultHook) -> None:
        """Call ``hook(result, seconds)`` after every submission (the metrics)."""
        self._hooks.append(hook)

    async def submit(self, data: Any, caller: Caller) -> Result:
        """Read, check, journal and apply one command; never raises.

        Args:
            data: the command as decoded JSON (``{"type": "extend", "channel": ..., ...}``).
            caller: who sends it.
        """
        started = time.perf_counter()
        result = await self._submit(data, caller)
        elapsed = time.perf_counter() - started
        for hook in list(self._hooks):
            hook(result, elapsed)
        return result

    async def _submit(self, data: Any, caller: Caller) -> Result:
        if caller.identity is None:
            return Result(Outcome.UNAUTHORIZED, error="unauthorized: operator token required")
        try:
            command = parse_command(data)
        except CommandInvalid as exc:
            return Result(Outcome.INVALID, error=str(exc))
        why = refusal(caller.identity, command)
        if why is not None:
            logger.info("refused %s from %s: %s", command.type, caller.label(), why)
            return Result(Outcome.FORBIDDEN, error=why)
        if self.forward is not None:  # a cluster member: the leader commits
            forwarded = await self.forward(data, caller.label())
            if forwarded is not None:
                return forwarded
        try:
            record = await self.show.submit(command, who=caller.label())
        except CommandRejected as exc:
            return Result(Outcome.REJECTED, error=str(exc), detail=exc.detail)
        except Unavailable as exc:  # a cluster member that cannot commit now
            logger.warning("command refused: %s", exc)
            return Result(Outcome.UNAVAILABLE, error=str(exc))
        except Exception as exc:  # the journal could not be written: nothing applied
            logger.exception("command failed")
            return Result(Outcome.FAILED, error=f"not applied: {exc}")
        self.desk.journal_appended(record.seq)
        return Result(Outcome.APPLIED, seq=record.seq)

    async def acknowledge(
        self, channel: str, message_id: int, name: str | None, caller: Caller, *, link: Hashable
    ) -> Result:
        """A moderator's acknowledgement: checked (a moderator link of ``channel`` or the
        operator), limited (:class:`~control_room.desk.AckLimits`), journaled; never raises.

        Args:
            name: the moderator's name as given (default: the caller's label).
            link: the connection it came by (its own token bucket).
        """
        why = ack_refusal(caller.identity, channel)
        if why is not None:
            outcome = Outcome.UNAUTHORIZED if caller.identity is None else Outcome.FORBIDDEN
            return Result(outcome, error=why)
        label = (name or caller.who or caller.label())[:MAX_WHO]
        try:
            await self.desk.ack(channel, message_id, label, connection=link)
        except AckRefused as exc:
            return Result(Outcome.LIMITED, error=str(exc))
        except CommandRejected as exc:
            return Result(Outcome.REJECTED, error=str(exc))
        except Exception as exc:  # the journal could not be written
            logger.exception("ack failed")
            return Result(Outcome.FAILED, error=f"not recorded: {exc}")
        return Result(Outcome.APPLIED)
