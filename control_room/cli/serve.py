"""``control-room serve``: the show on the network.

control-room serve FILE [--host H] [--port P] [--data-dir DIR] [--at INSTANT --speed N]
    [--certfile PEM [--keyfile PEM]] [--forwarded-allow-ips IPS] [--public-url URL] ...

``serve`` loads and validates the schedule (refusing a broken one with the same
``file:line`` messages as ``validate``), holds and checks the data directory
(:mod:`.data_dir`: the lock, the journal against its seal and the schedule, the clock,
the operator token), builds the show and the app that serves it, prints the URL of
every screen and runs the app on uvicorn. Its options are :mod:`.serve_options`.

The journal is judged against its seal before anything is served
(docs/durability.md): a journal that lost or changed acknowledged commands is
refused, saying which, until it is restored (``control-room restore``) or the loss
is accepted with ``--accept-journal-loss``. ``--journal-mirror DIR`` keeps a second
copy, written on each commit.

On another site's network (docs/deploy.md): ``--certfile``/``--keyfile`` serve HTTPS and
WSS directly; behind a reverse proxy, ``--forwarded-allow-ips`` says which proxy's
``X-Forwarded-*`` headers to trust and ``--public-url`` which URL to print.

Who may connect (docs/security.md): every request's ``Host`` must be a served name (the
bind address, localhost, the ``--public-url`` host, each ``--allow-host``), against DNS
rebinding. The operator token is printed in full only by the run that creates it; later
runs print a masked form (``abcd…wxyz``), where it is kept and the login URL.
"""

from __future__ import annotations

import argparse
import logging
import os
import socket
import ssl
from contextlib import ExitStack
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple, TextIO
from urllib.parse import urlsplit

from control_room import __version__
from control_room.cli.common import load_or_report
from control_room.cli.data_dir import (
    OperatorToken,
    check_event,
    check_journal,
    hold_data_dir,
    resolve_clock,
    resolve_token,
)
from control_room.cli.serve_options import add_serve_arguments
from control_room.clock import Clock, ClockError
from control_room.core.schedule import Schedule
from control_room.hub import tune_collector
from control_room.journal import Journal, JournalError
from control_room.versions import store as store_version

if TYPE_CHECKING:
    from starlette.types import ASGIApp

    from control_room.app import Integration
    from control_room.cluster.join import Joined

__all__ = [
    "add_commands",
    "add_serve_arguments",
    "OperatorToken",
    "check_journal",
    "public_base",
    "resolve_clock",
    "resolve_token",
    "screen_urls",
    "serve_main",
]

logger = logging.getLogger("control_room")


def add_commands(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``serve`` to the ``control-room`` subcommands."""
    p = sub.add_parser("serve", help="serve the show: screens, websocket, operator API")
    add_serve_arguments(p)
    p.set_defaults(handler=serve_main)


# -- pieces ----------------------------------------------------------------------


def _bind(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError:
        sock.close()
        raise
    sock.listen(2048)
    sock.set_inheritable(True)
    return sock


def public_base(url: str) -> str:
    """The ``--public-url``, checked: ``http(s)://host[:port]``, without a trailing slash.

    Raises:
        ValueError: not an http(s) URL of a host, or one with a path, query or fragment
            (the screens are served at the root of the site).
    """
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"--public-url {url!r}: expected http(s)://host[:port]")
    if parts.path not in ("", "/") or parts.query or parts.fragment:
        raise ValueError(
            f"--public-url {url!r}: the screens are served at the root of the site; "
            "give the URL without a path"
        )
    return f"{parts.scheme}://{parts.netloc}"


def _check_tls(certfile: str | None, keyfile: str | None) -> None:
    """Load the certificate and key once before serving, to refuse a bad pair in one line.

    Raises:
        _Refused: a key without a certificate, or files that do not load.
    """
    if certfile is None:
        if keyfile is not None:
            raise _Refused("--keyfile needs --certfile")
        return
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    try:
        context.load_cert_chain(certfile, keyfile)
    except (OSError, ssl.SSLError) as exc:
        raise _Refused(f"cannot use the TLS certificate {certfile}: {exc}") from None


def _url_host(host: str) -> str:
    if host in ("0.0.0.0", ""):
        return "127.0.0.1"
    if host == "::":
        return "[::1]"
    return f"[{host}]" if ":" in host else host


def screen_urls(base: str, schedule: Schedule, token: str | None) -> list[tuple[str, str]]:
    """Every screen's URL, labelled.

    Args:
        token: the operator token, to print in the régie's URL (only by the run that made
            it: the URL logs in once and leaves the address bar); None: the login URL.
    """
    regie = f"{base}/regie?token={token}" if token else f"{base}/regie"
    urls = [("régie", regie), ("login", f"{base}/login"), ("programme", f"{base}/")]
    for channel in schedule.channels:
        urls.append((f"overlay {channel.id}", f"{base}/overlay/{channel.id}"))
    for channel in schedule.channels:
        urls.append((f"timer {channel.id}", f"{base}/timer/{channel.id}"))
    for channel in schedule.channels:  # behind a régie or moderator session
        urls.append((f"backstage {channel.id}", f"{base}/backstage/{channel.id}"))
    urls.append(("studio clock", f"{base}/clock"))
    urls.append(("state API", f"{base}/api/state"))
    return urls


# -- serve -----------------------------------------------------------------------


class _Refused(Exception):
    """A reason not to serve, printed as ``control-room serve: …`` (exit status 1)."""


class _Built(NamedTuple):
    """The app to run, and what the console says of the show it serves."""

    app: ASGIApp
    show_now: datetime
    replayed: int


def serve_main(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    """Run ``control-room serve`` until interrupted. Returns the exit status.

    Every refusal (broken schedule, foreign or busy data directory, another clock's
    journal, bad switcher configuration, port in use) is one message and status 1.
    """
    logging.basicConfig(
        level=args.log_level.upper(),
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        stream=err,
    )
    schedule = load_or_report(args.file, err)
    if schedule is None:
        return 1
    data_dir = Path(args.data_dir)
    with ExitStack() as held:
        try:
            public = public_base(args.public_url) if args.public_url else None
            _check_tls(args.certfile, args.keyfile)
        except (ValueError, _Refused) as exc:
            print(f"control-room serve: {exc}", file=err)
            return 1
        try:
            journal = held.enter_context(hold_data_dir(data_dir))
            text = Path(args.file).read_text(encoding="utf-8")
            joined = _join(args, schedule, text, journal) if args.redis else None
            if joined is not None and joined.journal is not journal:  # a diverged one set aside
                journal = joined.journal
                held.callback(journal.close)
            notes = check_journal(
                journal, accept_loss=args.accept_journal_loss, mirror=args.journal_mirror
            )
            check_event(journal, schedule)
            # The schedule kept beside its journal, for `report` and `export` (versions.py).
            version = store_version(data_dir, text, source=args.file, journal=journal)
            clock, clock_note = resolve_clock(journal, schedule, at=args.at, speed=args.speed)
            if joined is not None:
                clock, clock_note = _cluster_clock(joined, clock)
                notes += joined.notes()
            operator = resolve_token(data_dir)
            edits = _Edits(data_dir, Path(args.file), text, version.number, watch=args.watch)
            built = _build(
                args,
                schedule,
                clock,
                journal,
                operator.token,
                public=public,
                edits=edits,
                joined=joined,
            )
            sock = held.enter_context(_listen(args.host, args.port))
        except (JournalError, ClockError, OSError, _Refused) as exc:
            print(f"control-room serve: {exc}", file=err)
            return 1
        scheme = "https" if args.certfile else "http"
        base = f"{scheme}://{_url_host(args.host)}:{sock.getsockname()[1]}"
        _announce(
            schedule,
            built,
            out,
            clock_note=clock_note,
            data_dir=data_dir,
            notes=notes,
            operator=operator,
            base=base,
            public=public,
        )
        _run(built.app, sock, args)
    return 0


def _join(args: argparse.Namespace, schedule: Schedule, text: str, journal: Journal) -> Joined:
    """Join the show's cluster on ``--redis`` (docs/cluster.md); the operator token must be
    the same on every instance, so it comes from ``$CONTROL_ROOM_TOKEN``.

    Raises:
        _Refused: no shared token, Redis does not answer, another schedule or clock.
    """
    from control_room.cli.data_dir import TOKEN_ENV
    from control_room.cluster import event_id
    from control_room.cluster.join import ClusterError, join

    if not os.environ.get(TOKEN_ENV, "").strip():
        raise _Refused(
            f"--redis: every instance must accept the same operator token; set ${TOKEN_ENV} "
            "to the same value on each (docs/cluster.md)"
        )
    try:
        return join(args.redis, text, event_id(schedule), journal)
    except ClusterError as exc:
        raise _Refused(str(exc)) from None


def _cluster_clock(joined: Joined, clock: Clock) -> tuple[Clock, str]:
    from control_room.cluster.join import ClusterError

    try:
        adopted, note = joined.clock(clock)
    except ClusterError as exc:
        raise _Refused(str(exc)) from None
    return adopted, note


def _announce(
    schedule: Schedule,
    built: _Built,
    out: TextIO,
    *,
    clock_note: str,
    data_dir: Path,
    notes: list[str],
    operator: OperatorToken,
    base: str,
    public: str | None,
) -> None:
    """What the console says once the show is built: the show, its clock and data, the
    operator token (in full only by the run that made it), and every screen's URL."""
    ev = schedule.event
    print(f"control-room {__version__} — «{ev.title}», {ev.date} ({ev.timezone.key})", file=out)
    now = built.show_now.astimezone(ev.timezone).isoformat(timespec="seconds")
    print(f"clock: {clock_note}; show time now {now}", file=out)
    print(f"data: {data_dir} ({built.replayed} journal entries replayed)", file=out)
    for note in notes:
        print(f"journal: {note}", file=out)
    if operator.created:
        print(f"operator token (new, kept in {operator.source}): {operator.token}", file=out)
        print("  it is printed this once; later runs show it masked", file=out)
    else:
        print(f"operator token {operator.shown()} from {operator.source}", file=out)
    print(f"serving on {base}", file=out)
    if public is not None:
        print(f"public URL {public}", file=out)
    print(file=out)
    shown = operator.token if operator.created else None
    _print_urls(screen_urls(public or base, schedule, shown), out)


class _Edits(NamedTuple):
    """What live edits need: where versions are kept, the file to watch, the text on air."""

    data_dir: Path
    path: Path
    text: str
    version: int
    watch: bool


def _build(
    args: argparse.Namespace,
    schedule: Schedule,
    clock: Clock,
    journal: Journal,
    token: str,
    *,
    public: str | None = None,
    edits: _Edits | None = None,
    joined: Joined | None = None,
) -> _Built:
    """The show and the app that serves it: the one place that knows how they are made.

    The public URL's origin is one the websockets accept (the pages people load come from
    it, whatever ``Host`` a reverse proxy forwards).

    Raises:
        _Refused: the switcher configuration is refused, or the OSC port cannot be bound.
    """
    from control_room.app import create_app
    from control_room.room import build_room

    room = build_room(
        schedule,
        clock,
        journal,
        token=token,
        allow_origins=[*args.allow_origin, *([public] if public else [])],
        queue_limit=args.queue_limit,
        send_timeout=args.send_timeout,
        heartbeat_seconds=args.heartbeat or None,
        schedule_version=edits.version if edits is not None else 1,
    )
    integrations = _integrations(args, schedule, edits, joined)
    from control_room.hosts import served_hosts

    hosts = served_hosts(args.host, public=public, extra=args.allow_host)
    app = create_app(room, integrations=integrations, allowed_hosts=hosts)
    return _Built(app, room.show.clock.now(), len(room.show.entries))


def _integrations(
    args: argparse.Namespace, schedule: Schedule, edits: _Edits | None, joined: Joined | None
) -> list[Integration]:
    """What runs beside the show, as asked: the cluster membership, live edits of the
    schedule, the video switcher (in a cluster: only while this instance leads), the OSC
    adapter.

    Raises:
        _Refused: the switcher configuration is refused, or the OSC port cannot be bound.
    """
    from control_room.room import SwitcherLink

    integrations: list[Integration] = []
    leader_only: list[Integration] = []
    if edits is not None:
        from control_room.editor import editor_integration

        watched = edits.path if edits.watch else None
        refuse: str | None = None
        if joined is not None:
            from control_room.cluster.join import EDITS_REFUSED

            refuse = EDITS_REFUSED
        integrations.append(
            editor_integration(
                data_dir=edits.data_dir, path=watched, text=edits.text, refuse=refuse
            )
        )
    if args.switcher:
        from control_room.switcher import (
            SwitcherConfigError,
            load_switcher_config,
            switcher_integration,
        )

        try:
            switcher_config = load_switcher_config(args.switcher, schedule=schedule)
        except SwitcherConfigError as exc:
            raise _Refused(str(exc)) from None
        link = switcher_integration(switcher_config)
        if joined is None:
            integrations.append(lambda room: link(SwitcherLink(room)))
        else:
            from control_room.cluster import LeaderLink

            leader_only.append(lambda room: link(LeaderLink(room)))
    if args.osc_port is not None:
        from control_room.osc import bind, osc_integration

        try:
            sock = bind(args.osc_host, args.osc_port)
        except OSError as exc:
            raise _Refused(
                f"cannot listen for OSC on {args.osc_host}:{args.osc_port}: {exc}"
            ) from None
        integrations.append(osc_integration(sock, feedback=args.osc_feedback))
    if joined is not None:
        from control_room.cluster import cluster_integration, new_node_id

        member = cluster_integration(
            joined.url,
            joined.keys,
            node_id=new_node_id(),
            lease_ms=args.lease_ms,
            start=joined.reconciled.start,
            leader_only=leader_only,
        )
        integrations.insert(0, member)
    return integrations


def _listen(host: str, port: int) -> socket.socket:
    """The listening socket, bound before uvicorn starts so that ``--port 0`` can be printed.

    Raises:
        _Refused: the address cannot be bound (port in use, unknown host).
    """
    try:
        return _bind(host, port)
    except OSError as exc:
        raise _Refused(f"cannot listen on {host}:{port}: {exc}") from None


def _print_urls(urls: list[tuple[str, str]], out: TextIO) -> None:
    width = max(len(label) for label, _ in urls)
    for label, url in urls:
        print(f"  {label:<{width}}  {url}", file=out)
    print(file=out, flush=True)


def _run(app: ASGIApp, sock: socket.socket, args: argparse.Namespace) -> None:
    """Serve ``app`` on ``sock`` with uvicorn, through control-room's own protocol classes
    (connection limits, TCP_NODELAY, frames written once: control_room/transport.py)."""
    import gc

    from control_room import transport

    # What the start built (the schedule, the replayed journal, the app) lives as long as
    # the server: out of the cyclic collector's sight, a full collection during the show
    # scans only what the show made since (at 20,000 journal entries, 20-110 ms pauses of
    # the event loop without it; bench/journal.py).
    gc.freeze()

    limits = transport.Limits(
        max_connections=args.max_connections,
        max_per_client=args.max_connections_per_client,
        fd_reserve=args.fd_reserve,
        header_timeout=args.header_timeout,
        keep_alive_timeout=args.keep_alive_timeout,
    )
    config, _ = transport.config(
        app,
        limits=limits,
        heartbeat=args.heartbeat or None,
        log_level=args.log_level if args.log_level != "info" else "warning",
        access_log=False,
        lifespan="on",
        timeout_graceful_shutdown=3,
        ssl_certfile=args.certfile,
        ssl_keyfile=args.keyfile,
        proxy_headers=True,
        forwarded_allow_ips=args.forwarded_allow_ips,
    )
    tune_collector()  # many long-lived connections (control_room/hub.py)
    transport.Server(config).run(sockets=[sock])
