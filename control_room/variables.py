"""The variables: each channel as a flat mapping a Companion or Stream Deck button can show.

A button shows one text (``12:34``, ``HOLD``, the site's city); it cannot walk the nested
state document. :func:`channel_variables` flattens one channel of the document at a show
instant (pure: the document and ``now`` in, the variables out), :func:`variables_of` does it
for a document; ``GET /api/variables`` answers with it, and the :class:`VariablesFeed` pushes
it to the websocket clients that asked (``{"type": "variables"}``) after every change.
"""

from __future__ import annotations

import math
import weakref
from collections.abc import Callable, Mapping
from datetime import datetime

from control_room.clock import from_epoch
from control_room.core.document import ChannelDoc, StateDocument
from control_room.feed_health import FeedLoss
from control_room.hub import Client, Hub, View
from control_room.wire import ChannelVariables, VariablesMessage, encode, now_ms

__all__ = [
    "SHORT_LENGTH",
    "VariablesFeed",
    "channel_variables",
    "clock_text",
    "short_title",
    "variables_of",
]

SHORT_LENGTH = 18
"""The longest ``*_short`` title: what fits on a 72 px Stream Deck key in two lines."""


def clock_text(seconds: int) -> str:
    """A signed duration as a countdown shows it: ``12:34``, ``-01:05``, ``1:02:03``."""
    sign = "-" if seconds < 0 else ""
    minutes, secs = divmod(abs(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    if hours:
        return f"{sign}{hours}:{minutes:02d}:{secs:02d}"
    return f"{sign}{minutes:02d}:{secs:02d}"


def short_title(title: str, *, length: int = SHORT_LENGTH) -> str:
    """A title cut at a word boundary to ``length`` characters, with an ellipsis if cut."""
    title = " ".join(title.split())
    if len(title) <= length:
        return title
    cut = title[: length - 1]
    if " " in cut[length // 2 :]:
        cut = cut[: cut.rindex(" ")]
    return cut.rstrip(" ,;:-–—") + "…"


def _signed(seconds: int) -> str:
    return ("+" if seconds > 0 else "") + clock_text(seconds) if seconds else "00:00"


def _since(loss: FeedLoss | None) -> str:
    if loss is None or loss.since is None:
        return ""
    return from_epoch(loss.since).isoformat().replace("+00:00", "Z")


def channel_variables(
    channel: ChannelDoc, now: datetime, feed: FeedLoss | None = None
) -> ChannelVariables:
    """One channel of a state document as flat variables, at show instant ``now``.

    Args:
        channel: the channel as the state document gives it.
        now: the show instant the countdown is computed at (aware).
        feed: the channel's lost feed (the site on air first), if any.
    """
    on_air, upcoming = channel["now"], channel["next"]
    site = channel["site"]
    slate = channel["slate"]
    messages = channel["messages"]
    remaining: int | None = None
    if on_air is not None and on_air["ends_at"] is not None:
        delta = (datetime.fromisoformat(on_air["ends_at"]) - now).total_seconds()
        remaining = math.ceil(delta)
    over_under = on_air["offset_seconds"] if on_air is not None else channel["delay_seconds"]
    moderators = messages["moderators"]["text"] if messages["moderators"] else ""
    viewers = messages["viewers"]["text"] if messages["viewers"] else ""
    return ChannelVariables(
        channel=channel["id"],
        title=channel["title"],
        status=channel["status"],
        on_air=channel["status"] == "on_air",
        site=site["id"] if site else "",
        site_name=site["name"] if site else "",
        site_city=site["city"] if site else "",
        now_title=on_air["title"] if on_air else "",
        now_short=short_title(on_air["title"]) if on_air else "",
        now_ends_at=(on_air["ends_at"] or "") if on_air else "",
        next_title=upcoming["title"] if upcoming else "",
        next_short=short_title(upcoming["title"]) if upcoming else "",
        next_starts_at=(upcoming["starts_at"] or "") if upcoming else "",
        remaining="" if remaining is None else clock_text(remaining),
        remaining_seconds=remaining,
        overtime=remaining is not None and remaining < 0,
        over_under=_signed(over_under),
        over_under_seconds=over_under,
        delay_seconds=channel["delay_seconds"],
        held=channel["held"],
        hold="HOLD" if channel["held"] else "",
        slate=slate is not None,
        slate_text=slate["text"] if slate else "",
        message_moderators=moderators,
        message_viewers=viewers,
        message_shown=bool(moderators or viewers),
        feed_lost=feed is not None,
        feed_lost_site=feed.name if feed is not None else "",
        feed_lost_since=_since(feed),
    )


def variables_of(
    doc: StateDocument,
    now: datetime,
    view: View = None,
    feeds: Mapping[str, FeedLoss] | None = None,
) -> dict[str, ChannelVariables]:
    """Every channel of a document (those of ``view``) as flat variables, by channel id
    (with each channel's lost feed of ``feeds``)."""
    feeds = feeds or {}
    return {
        channel["id"]: channel_variables(channel, now, feeds.get(channel["id"]))
        for channel in doc["channels"]
        if view is None or channel["id"] in view
    }


class VariablesFeed:
    """Pushes ``variables`` messages to the websocket clients that asked for them.

    Args:
        hub: the connected screens.
        document: the state document now.
        now: the show instant now.
        feeds: each channel's lost feed now (the desk's).
    """

    def __init__(
        self,
        hub: Hub,
        *,
        document: Callable[[], StateDocument],
        now: Callable[[], datetime],
        feeds: Callable[[], Mapping[str, FeedLoss]] = dict,
    ) -> None:
        self.hub = hub
        self._document = document
        self._now = now
        self._feeds = feeds
        self._clients: weakref.WeakSet[Client] = weakref.WeakSet()

    def message(self, view: View) -> VariablesMessage:
        """The variables of a view now."""
        now = self._now()
        return VariablesMessage(
            server_time=now_ms(),
            show_time=now.isoformat(),
            channels=variables_of(self._document(), now, view, self._feeds()),
        )

    def subscribe(self, client: Client) -> None:
        """Send ``client`` the variables now, and after every change."""
        self._clients.add(client)
        client.enqueue(encode(self.message(client.view)), key="variables")

    def greet(self, client: Client) -> None:
        """A subscriber said hello (maybe following other channels): send it its variables."""
        if client in self._clients:
            client.enqueue(encode(self.message(client.view)), key="variables")

    def published(self, previous: StateDocument, doc: StateDocument) -> None:
        """A new state was published: push the variables to every subscriber (a publish hook)."""
        self.refresh()

    def refresh(self) -> None:
        """Push the variables to every subscriber (a state or a feed's health changed)."""
        if not self._clients:
            return
        self.hub.broadcast_view(
            lambda view: encode(self.message(view)),
            key="variables",
            where=lambda client: client in self._clients,
        )
