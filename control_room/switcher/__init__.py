"""The video switcher follows the show: one OBS Studio per bound channel.

From pure to I/O (see docs/switcher.md):

- :mod:`control_room.core.scenes`: which scene a channel needs (pure rules of the
  schedule and the timeline's ``ChannelState``);
- :mod:`~control_room.switcher.config`: which channel drives which OBS (TOML, passwords
  from the environment or a file);
- :mod:`~control_room.switcher.driver`: the :class:`Switcher` task that keeps one OBS on
  one channel's scene, reconnecting, never holding up the show;
- :mod:`~control_room.switcher.status`: what the régie sees of a switcher
  (:class:`SwitcherStatus`);
- :mod:`~control_room.switcher.bank`: every bound channel's switcher
  (:class:`SwitcherBank`), and the server integration (:func:`switcher_integration`)
  with what it needs of the show (:class:`SwitcherHost`);
- :mod:`~control_room.switcher.check`: ``control-room switcher check``.
"""

from __future__ import annotations

from .bank import SwitcherBank, SwitcherHost, switcher_integration
from .check import (
    ChannelCheck,
    add_switcher_arguments,
    check_scenes,
    print_checks,
    switcher_check_main,
    switcher_main,
)
from .config import (
    ObsBinding,
    SwitcherConfig,
    SwitcherConfigError,
    load_switcher_config,
    parse_switcher_config,
)
from .driver import ClientFactory, RecordCallback, StatusCallback, Switcher
from .status import SwitcherStatus

__all__ = [
    "ChannelCheck",
    "ClientFactory",
    "ObsBinding",
    "RecordCallback",
    "StatusCallback",
    "Switcher",
    "SwitcherBank",
    "SwitcherConfig",
    "SwitcherConfigError",
    "SwitcherHost",
    "SwitcherStatus",
    "add_switcher_arguments",
    "check_scenes",
    "load_switcher_config",
    "parse_switcher_config",
    "print_checks",
    "switcher_check_main",
    "switcher_integration",
    "switcher_main",
]
