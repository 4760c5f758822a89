"""What the régie sees of one channel's switcher: :class:`SwitcherStatus`.

The driver makes a new one on every change; the host pushes its :meth:`~SwitcherStatus.to_json`
to the régie (the ``switcher`` message, docs/protocol.md; fields in docs/switcher.md).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from control_room.journal import SwitchRecord

__all__ = ["SwitcherStatus"]


@dataclass(frozen=True, slots=True)
class SwitcherStatus:
    """What the régie shows of one channel's switcher.

    Attributes:
        channel: the channel id.
        url: the OBS address (never a password).
        connected: identified with OBS right now.
        manual: manual mode: the switcher leaves OBS alone.
        studio_mode: OBS is in studio mode (preview + program).
        desired_scene: what the show asks for now (``None``: nothing).
        program_scene: OBS's program scene, as OBS last reported it.
        preview_scene: OBS's preview scene (studio mode), as OBS last reported it.
        error: the problem now, if any (``None`` once it is fixed).
        last_error: the most recent problem, even if fixed since.
        last_error_at: wall time (epoch seconds) of ``last_error``.
        last_switch: the last program attempt (as the journal stores it).
    """

    channel: str
    url: str
    connected: bool = False
    manual: bool = False
    studio_mode: bool = False
    desired_scene: str | None = None
    program_scene: str | None = None
    preview_scene: str | None = None
    error: str | None = None
    last_error: str | None = None
    last_error_at: float | None = None
    last_switch: SwitchRecord | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "channel": self.channel,
            "url": self.url,
            "connected": self.connected,
            "manual": self.manual,
            "studio_mode": self.studio_mode,
            "desired_scene": self.desired_scene,
            "program_scene": self.program_scene,
            "preview_scene": self.preview_scene,
            "error": self.error,
            "last_error": self.last_error,
            "last_error_at": self.last_error_at,
            "last_switch": None if self.last_switch is None else self.last_switch.to_json(),
        }
