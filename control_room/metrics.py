"""The metrics: what the show, the hub, the journal and the switchers did, for Prometheus.

:class:`Metrics` owns one :class:`~prometheus_client.CollectorRegistry` per app (never the
process-global one, so two apps in one process, as in the tests, never share counters). Two
kinds of figures:

- read at scrape time from the room (a collector): screens by role and channel, clients,
  publications, messages sent, slow clients closed, journal entries, readiness;
- observed as they happen, through the room's hooks: each cue's lateness
  (:meth:`~control_room.show.Show.on_cue`), each command's time in the dispatcher by
  outcome (:meth:`~control_room.dispatch.Dispatcher.on_result`), each journal write's time
  on the writer thread, and each switcher attempt the journal records (its ``duration_ms``
  and ``result``; a feed's loss or return, ``target = "feed"``, is no attempt)
  (:meth:`~control_room.writer.JournalWriter.on_write`);
- the sites' feeds, from the desk: ``control_room_feed_lost`` (1 while lost) and
  ``control_room_feed_losses_total``, by channel and site.

``GET /metrics`` serves :meth:`Metrics.exposition` in the text format.
"""

from __future__ import annotations

from collections.abc import Iterable

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from control_room import __version__
from control_room.dispatch import Result
from control_room.feed_health import FEED_TARGET
from control_room.journal import SwitchRecord
from control_room.room import Room

__all__ = ["CONTENT_TYPE", "Metrics"]

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
"""The Prometheus text exposition format."""

_FAST = (0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5)
_SWITCH = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
_SWITCH_OK = "ok"


class _RoomCollector(Collector):
    """The figures read from the room at scrape time."""

    def __init__(self, room: Room) -> None:
        self.room = room

    def collect(self) -> Iterable[Metric]:
        room, stats = self.room, self.room.hub.stats
        screens = GaugeMetricFamily(
            "control_room_screens",
            "Connected screens following each channel, by role (one following all counts "
            "for each channel).",
            labels=["channel", "role"],
        )
        for channel, roles in room.hub.presence().items():
            for role, count in roles.items():
                screens.add_metric([channel, role], count)
        yield screens
        yield GaugeMetricFamily(
            "control_room_clients", "Connected websocket clients.", stats.clients
        )
        yield CounterMetricFamily(
            "control_room_publications", "States published (pushes).", room.show.publications
        )
        yield CounterMetricFamily(
            "control_room_messages_sent", "Websocket messages handed to the network.", stats.sent
        )
        yield CounterMetricFamily(
            "control_room_coalesced",
            "Queued messages replaced by a newer one before being sent.",
            stats.coalesced,
        )
        yield CounterMetricFamily(
            "control_room_slow_clients_closed",
            "Clients closed because they could not keep up.",
            stats.slow_closed,
        )
        yield GaugeMetricFamily(
            "control_room_journal_entries", "Commands in the journal.", len(room.show.entries)
        )
        yield GaugeMetricFamily(
            "control_room_ready", "1 once the show has started and published.", int(room.ready)
        )
        lost = GaugeMetricFamily(
            "control_room_feed_lost",
            "1 while a site's feed watched on a channel is lost (0 once back).",
            labels=["channel", "site"],
        )
        losing = {
            (channel, str(feed.get("site")))
            for channel, status in room.desk.feed_status.items()
            for feed in status.get("feeds") or []
            if feed.get("lost")
        }
        for channel, site in sorted(room.desk.feeds_seen):
            lost.add_metric([channel, site], int((channel, site) in losing))
        yield lost
        losses = CounterMetricFamily(
            "control_room_feed_losses",
            "Losses of a site's feed watched on a channel.",
            labels=["channel", "site"],
        )
        for (channel, site), count in sorted(room.desk.feed_losses_total.items()):
            losses.add_metric([channel, site], count)
        yield losses
        info = GaugeMetricFamily("control_room_info", "The server's version.", labels=["version"])
        info.add_metric([__version__], 1)
        yield info


class Metrics:
    """The metrics of one room, in a registry of their own.

    Args:
        room: the room observed (its hooks are registered now).
    """

    def __init__(self, room: Room) -> None:
        self.registry = CollectorRegistry()
        self.cue_lateness = Histogram(
            "control_room_cue_lateness_seconds",
            "How late the server woke for each cue (early wake-ups count as 0).",
            buckets=_FAST,
            registry=self.registry,
        )
        self.command_seconds = Histogram(
            "control_room_command_seconds",
            "Time a command spent in the dispatcher (checked, journaled, applied), by outcome.",
            ["outcome"],
            buckets=_FAST,
            registry=self.registry,
        )
        self.journal_write_seconds = Histogram(
            "control_room_journal_write_seconds",
            "Time a journal write (commit and fsync) took on the writer thread, by operation.",
            ["op"],
            buckets=_FAST,
            registry=self.registry,
        )
        self.switch_seconds = Histogram(
            "control_room_switch_seconds",
            "Time a video switcher request took, as the journal records it, by channel.",
            ["channel"],
            buckets=_SWITCH,
            registry=self.registry,
        )
        self.switches = Counter(
            "control_room_switches",
            "Video switcher requests recorded in the journal, by channel and result.",
            ["channel", "result"],
            registry=self.registry,
        )
        self.switch_failures = Counter(
            "control_room_switch_failures",
            "Video switcher requests whose result was not ok, by channel.",
            ["channel"],
            registry=self.registry,
        )
        self.registry.register(_RoomCollector(room))
        room.show.on_cue(self._cue)
        room.dispatcher.on_result(self._command)
        room.writer.on_write(self._write)

    def exposition(self) -> bytes:
        """Every metric, in the Prometheus text format."""
        return generate_latest(self.registry)

    def _cue(self, late_ms: float) -> None:
        self.cue_lateness.observe(max(0.0, late_ms / 1000))

    def _command(self, result: Result, seconds: float) -> None:
        self.command_seconds.labels(result.outcome.value).observe(seconds)

    def _write(self, op: str, seconds: float, returned: object) -> None:
        self.journal_write_seconds.labels(op).observe(seconds)
        if isinstance(returned, SwitchRecord) and returned.target != FEED_TARGET:
            self.switches.labels(returned.channel, returned.result).inc()
            if returned.result != _SWITCH_OK:
                self.switch_failures.labels(returned.channel).inc()
            if returned.duration_ms is not None:
                self.switch_seconds.labels(returned.channel).observe(returned.duration_ms / 1000)
