"""control-room: a live-event broadcast control room.

State is a pure function of the schedule, the operator's journal and the clock:
``state(schedule, journal, t)`` (see :mod:`control_room.core.timeline`).
"""

from __future__ import annotations

__version__ = "0.1.0"
__all__ = ["__version__"]
