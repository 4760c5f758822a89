"""``control-room serve``: the show on the network.

control-room serve FILE [--host H] [--port P] [--data-dir DIR] [--at INSTANT --speed N]
    [--certfile PEM [--keyfile PEM]] [--forwarded-allow-ips IPS] [--public-url URL] ...

``serve`` loads and validates the schedule (refusing a broken one with the same
``file:line`` messages as ``validate``), opens the data directory's journal
(refusing a corrupt or foreign one) and holds it against a second server, replays
it, sets the clock (real time, or a rehearsal with ``--at``/``--speed``), prints the
URL of every screen and runs the app on uvicorn.

The clock of a rehearsal is stored in the data directory when it starts, before
any command: restarting the same rehearsal (same ``--at`` and ``--speed``) on the
same data directory resumes it where it is now, so a server killed mid-rehearsal
(even before its first command) comes back in exactly the state it was in, its
show time never earlier. Starting a different rehearsal, or the real show, on a data
directory that already holds commands is refused: their show times would not
mean anything on the new clock.

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
import fcntl
import getpass
import logging
import os
import secrets
import socket
import ssl
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, NamedTuple, TextIO
from urllib.parse import urlsplit

from control_room import __version__
from control_room.cli.common import AT_HELP, at_instant, describe_clock, load_or_report
from control_room.clock import Clock, ClockError, real_clock, rehearsal_clock
from control_room.core.schedule import Schedule
from control_room.journal import Journal, JournalError, JournalLoss
from control_room.tokens import mask
from control_room.versions import store as store_version

if TYPE_CHECKING:
    from starlette.types import ASGIApp

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

TOKEN_ENV = "CONTROL_ROOM_TOKEN"
TOKEN_FILE = "token"


# -- arguments -------------------------------------------------------------------


def add_commands(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``serve`` to the ``control-room`` subcommands."""
    p = sub.add_parser("serve", help="serve the show: screens, websocket, operator API")
    add_serve_arguments(p)
    p.set_defaults(handler=serve_main)


def add_serve_arguments(parser: argparse.ArgumentParser) -> None:
    """The options of ``control-room serve``."""
    parser.add_argument("file", help="schedule YAML file")
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on")
    parser.add_argument(
        "--port", type=int, default=8000, help="port to listen on (0: any free port)"
    )
    parser.add_argument(
        "--data-dir",
        default="data",
        help="directory of the journal and the operator token (default: ./data)",
    )
    parser.add_argument(
        "--at",
        help=f"rehearsal: the show instant to start from, an {AT_HELP}",
    )
    parser.add_argument(
        "--speed",
        type=float,
        help="rehearsal: how many times faster than real time the show runs (e.g. 10)",
    )
    parser.add_argument(
        "--journal-mirror",
        metavar="DIR",
        help="also write the journal to DIR, on another disk, on each commit "
        "(docs/durability.md; restore with control-room restore --from DIR)",
    )
    parser.add_argument(
        "--accept-journal-loss",
        action="store_true",
        help="serve a journal that lost acknowledged commands as it now is; the loss is "
        "journaled (what, by whom, when). Only when no mirror or backup holds them",
    )
    parser.add_argument(
        "--allow-origin",
        action="append",
        default=[],
        metavar="ORIGIN",
        help="also accept websocket connections from pages of this origin "
        "(scheme://host[:port]; '*' for any). Default: same origin only",
    )
    parser.add_argument(
        "--allow-host",
        action="append",
        default=[],
        metavar="NAME",
        help="also answer requests for this host name (repeatable; '*' for any). Default: "
        "the --host address (any IP address if it is 0.0.0.0 or ::), localhost, 127.0.0.1, "
        "::1 and the --public-url host; any other Host is refused (DNS rebinding)",
    )
    parser.add_argument(
        "--heartbeat",
        type=float,
        default=10.0,
        metavar="SECONDS",
        help="websocket ping interval; a client silent for as long again is dropped (10)",
    )
    parser.add_argument(
        "--send-timeout",
        type=float,
        default=5.0,
        metavar="SECONDS",
        help="a client whose send takes longer is closed as too slow (5)",
    )
    parser.add_argument(
        "--queue-limit",
        type=int,
        default=64,
        metavar="N",
        help="a client with more messages waiting is closed as too slow (64)",
    )
    parser.add_argument(
        "--log-level",
        default="info",
        choices=["debug", "info", "warning", "error"],
        help="log level (info)",
    )
    parser.add_argument(
        "--switcher",
        metavar="SWITCHER.toml",
        help="drive OBS from the show: channels bound to OBS instances (docs/switcher.md)",
    )
    parser.add_argument(
        "--no-watch",
        dest="watch",
        action="store_false",
        help="do not watch the schedule file for live edits (POST /api/schedule still works)",
    )
    parser.add_argument(
        "--certfile",
        metavar="PEM",
        help="serve HTTPS and WSS with this certificate (chain) file (docs/deploy.md)",
    )
    parser.add_argument(
        "--keyfile",
        metavar="PEM",
        help="the private key of --certfile (if it is not in the certificate file)",
    )
    parser.add_argument(
        "--forwarded-allow-ips",
        metavar="IPS",
        help="behind a reverse proxy: trust X-Forwarded-For/-Proto from these addresses "
        "(comma-separated IPs or networks, '*' for any; default: $FORWARDED_ALLOW_IPS, "
        "else 127.0.0.1,::1)",
    )
    parser.add_argument(
        "--public-url",
        metavar="URL",
        help="the URL people use (through a reverse proxy: https://regie.example.org); "
        "the printed screen URLs start with it, and its origin may open websockets",
    )
    _add_osc_arguments(parser)
    _add_connection_arguments(parser)


def _add_osc_arguments(parser: argparse.ArgumentParser) -> None:
    """The OSC adapter's options (docs/osc.md); off without ``--osc-port``."""
    parser.add_argument(
        "--osc-port", type=int, metavar="PORT", help="take OSC commands on this UDP port"
    )
    parser.add_argument(
        "--osc-host",
        default="127.0.0.1",
        help="address OSC listens on (127.0.0.1); beyond loopback, each message needs the token",
    )
    parser.add_argument(
        "--osc-feedback",
        action="append",
        default=[],
        type=_osc_target,
        metavar="HOST:PORT",
        help="send the show's variables (now, next, remaining...) by OSC there (repeatable)",
    )


def _osc_target(text: str) -> tuple[str, int]:
    from control_room.osc import parse_target

    try:
        return parse_target(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _add_connection_arguments(parser: argparse.ArgumentParser) -> None:
    """The connection limits (control_room/transport.py, docs/performance.md)."""
    parser.add_argument(
        "--max-connections",
        type=int,
        metavar="N",
        help="open connections at most (default: the file-descriptor limit minus "
        "--fd-reserve); past it the oldest idle connection is closed",
    )
    parser.add_argument(
        "--max-connections-per-client",
        type=int,
        default=256,
        metavar="N",
        help="open connections per client address (loopback exempt; 0: no cap) (256)",
    )
    parser.add_argument(
        "--fd-reserve",
        type=int,
        default=128,
        metavar="N",
        help="file descriptors kept free for the journal, OBS and the operator (128)",
    )
    parser.add_argument(
        "--header-timeout",
        type=float,
        default=10.0,
        metavar="SECONDS",
        help="a connection that has not sent a complete request head by then is closed (10)",
    )
    parser.add_argument(
        "--keep-alive-timeout",
        type=int,
        default=5,
        metavar="SECONDS",
        help="an idle kept-alive HTTP connection is closed after this (5)",
    )


# -- pieces ----------------------------------------------------------------------


def resolve_clock(
    journal: Journal, schedule: Schedule, *, at: str | None, speed: float | None
) -> tuple[Clock, str]:
    """The clock to run on, consistent with what the data directory already holds.

    Returns:
        The clock, and a sentence saying what was decided (for the console).

    Raises:
        ClockError: bad ``--at``/``--speed``.
        JournalError: the data dir holds commands of another clock.
    """
    stored: dict[str, Any] | None = journal.get_meta("clock")
    entries = len(journal)
    tz = schedule.event.timezone
    if at is not None or speed is not None:
        start = at_instant(at, schedule) if at is not None else None
        rate = 1.0 if speed is None else speed
        if (
            stored is not None
            and stored.get("rehearsal")
            and start is not None
            and datetime.fromisoformat(stored["origin_show"]) == start
            and float(stored["speed"]) == rate
        ):
            clock = rehearsal_clock(start, rate, origin_wall=float(stored["origin_wall"]))
            note = (
                f"resuming the rehearsal started at {start.astimezone(tz).isoformat()} "
                f"({entries} journal entries); use a new --data-dir to start it over"
            )
        elif entries > 0 and stored is not None:
            raise JournalError(
                f"{journal.path.parent}: holds {entries} commands of {describe_clock(stored)}; "
                "a different rehearsal needs its own --data-dir (or pass the same --at and "
                "--speed to resume it)"
            )
        else:
            if start is None:
                start = datetime.now(UTC).astimezone(tz)
            clock = rehearsal_clock(start.astimezone(tz), rate)
            note = f"rehearsal from {start.astimezone(tz).isoformat()} at speed {rate:g}"
    else:
        if stored is not None and stored.get("rehearsal") and entries > 0:
            raise JournalError(
                f"{journal.path.parent}: holds {entries} commands of {describe_clock(stored)}; "
                "the real show needs its own --data-dir"
            )
        clock = real_clock(tz=tz)
        note = "real time"
    if not journal.readonly:
        journal.set_meta("clock", clock.settings())
    return clock, note


def check_journal(
    journal: Journal, *, accept_loss: bool = False, mirror: str | None = None
) -> list[str]:
    """Judge the journal against its seal, accept its loss if asked, attach its mirror.

    Damaged rows are named first (their own message). A journal that lost or changed
    acknowledged commands is refused, with what to do; with ``--journal-mirror``, the
    refusal says whether the mirror holds them.

    Returns:
        Sentences for the console (a loss accepted, the mirror's state).

    Raises:
        JournalError: the journal (or its mirror) cannot be served as it is.
    """
    journal.records()  # a damaged row is named as such, before any verdict
    notes = []
    who = f"{_user()}@{socket.gethostname()} (pid {os.getpid()})"
    try:
        integrity = journal.verify(accept_loss_by=who if accept_loss else None)
    except JournalLoss as exc:
        if mirror is not None:
            raise JournalError(f"{exc} {_mirror_hint(journal, Path(mirror), exc)}") from None
        raise
    if not integrity.ok:
        notes.append(f"journal loss ACCEPTED by {who}: {integrity.problem}")
    elif accept_loss:
        notes.append("--accept-journal-loss: nothing to accept, the journal is whole")
    if mirror is not None:
        from control_room.mirror import attach

        notes.append(attach(journal, mirror)[1])
    return notes


def _user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no name for this uid (a container)
        return f"uid {os.getuid()}"


def _mirror_hint(journal: Journal, mirror: Path, loss: JournalLoss) -> str:
    """Whether the mirror holds what the journal lost, and the command line to restore it."""
    sealed = loss.integrity.sealed
    try:
        with Journal.open(mirror, readonly=True) as copy:
            held = copy.whole if copy.integrity.ok else -1
            complete = (
                sealed is not None
                and copy.journal_id == sealed.journal_id
                and copy.head_at(sealed.seq) == sealed.head
            )
    except JournalError:
        held, complete = -1, False
    data_dir = journal.path.parent
    if complete:
        return (
            f"The mirror {mirror} holds all of them ({held} commands): restore it with "
            f"`control-room restore --from {mirror} --data-dir {data_dir}`, then serve again."
        )
    return f"The mirror {mirror} does not hold them either."


class OperatorToken(NamedTuple):
    """The operator token, where it lives, and whether this run made it."""

    token: str
    source: str
    created: bool

    def shown(self) -> str:
        """The token in full if this run made it (its one showing), else masked."""
        return self.token if self.created else mask(self.token)


def resolve_token(data_dir: Path) -> OperatorToken:
    """The operator token: $CONTROL_ROOM_TOKEN, or the one stored in the data dir (made once,
    mode 0600)."""
    env = os.environ.get(TOKEN_ENV, "").strip()
    if env:
        return OperatorToken(env, f"${TOKEN_ENV}", created=False)
    path = data_dir / TOKEN_FILE
    if path.is_file():
        token = path.read_text(encoding="utf-8").strip()
        if token:
            return OperatorToken(token, str(path), created=False)
    token = secrets.token_urlsafe(18)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(token + "\n")
    return OperatorToken(token, str(path), created=True)


def _check_event(journal: Journal, schedule: Schedule) -> None:
    """Refuse a journal written for another day or another schedule."""
    event = {
        "title": schedule.event.title,
        "date": schedule.event.date.isoformat(),
        "timezone": schedule.event.timezone.key,
        "channels": [channel.id for channel in schedule.channels],
    }
    stored = journal.get_meta("event")
    if stored is not None and len(journal) > 0:
        if stored.get("date") != event["date"] or stored.get("title") != event["title"]:
            raise JournalError(
                f"{journal.path.parent}: holds the journal of another show ({stored.get('date')}, "
                f"«{stored.get('title')}»); pass a new --data-dir for {event['date']}, "
                f"«{event['title']}»"
            )
        _check_entries(journal, schedule)
    journal.set_meta("event", event)


def _check_entries(journal: Journal, schedule: Schedule) -> None:
    """Every journal command must name channels, segments and sites the schedule has
    (the schedule may be edited during the day, but not under the journal's feet)."""
    from control_room.core.compat import orphans
    from control_room.show import entries_from_records

    lost = orphans(schedule, entries_from_records(journal.records()))
    if lost:
        raise JournalError(
            f"{journal.path.parent}: {lost[0]}, which {schedule.source} does not have; serve "
            "the schedule this journal was written for, or pass a new --data-dir"
        )


@contextmanager
def _hold(data_dir: Path) -> Iterator[Journal]:
    """The data directory's journal, held for this process; closed before it is let go.

    Raises:
        JournalError: not a healthy control-room data directory, or another server holds it.
        OSError: the lock file cannot be written.
    """
    journal = Journal.open(data_dir)
    try:
        lock = _lock_data_dir(data_dir)
    except BaseException:
        journal.close()
        raise
    try:
        yield journal
    finally:
        journal.close()
        lock.close()


def _lock_data_dir(data_dir: Path) -> IO[str]:
    """Hold the data directory for this process: a second server on it is refused.

    Raises:
        JournalError: another server holds it.
    """
    path = data_dir / "serve.lock"
    handle = path.open("a+", encoding="utf-8")
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        handle.seek(0)
        holder = handle.read().strip() or "another process"
        handle.close()
        raise JournalError(
            f"{data_dir}: already in use by a running control-room serve ({holder}); stop it "
            "first (two servers must never write one journal), or pass another --data-dir"
        ) from None
    handle.seek(0)
    handle.truncate()
    handle.write(f"pid {os.getpid()}\n")
    handle.flush()
    return handle


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
            journal = held.enter_context(_hold(data_dir))
            notes = check_journal(
                journal, accept_loss=args.accept_journal_loss, mirror=args.journal_mirror
            )
            _check_event(journal, schedule)
            # The schedule kept beside its journal, for `report` and `export` (versions.py).
            text = Path(args.file).read_text(encoding="utf-8")
            version = store_version(data_dir, text, source=args.file, journal=journal)
            clock, clock_note = resolve_clock(journal, schedule, at=args.at, speed=args.speed)
            operator = resolve_token(data_dir)
            edits = _Edits(data_dir, Path(args.file), text, version.number, watch=args.watch)
            built = _build(
                args, schedule, clock, journal, operator.token, public=public, edits=edits
            )
            sock = held.enter_context(_listen(args.host, args.port))
        except (JournalError, ClockError, OSError, _Refused) as exc:
            print(f"control-room serve: {exc}", file=err)
            return 1
        scheme = "https" if args.certfile else "http"
        base = f"{scheme}://{_url_host(args.host)}:{sock.getsockname()[1]}"
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
        _run(built.app, sock, args)
    return 0


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
) -> _Built:
    """The show and the app that serves it: the one place that knows how they are made.

    The public URL's origin is one the websockets accept (the pages people load come from
    it, whatever ``Host`` a reverse proxy forwards).

    Raises:
        _Refused: the switcher configuration is refused, or the OSC port cannot be bound.
    """
    from control_room.app import Integration, create_app
    from control_room.room import SwitcherLink, build_room

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
    integrations: list[Integration] = []
    if edits is not None:
        from control_room.editor import editor_integration

        watched = edits.path if edits.watch else None
        integrations.append(
            editor_integration(data_dir=edits.data_dir, path=watched, text=edits.text)
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
        integrations.append(lambda room: link(SwitcherLink(room)))
    if args.osc_port is not None:
        from control_room.osc import bind, osc_integration

        try:
            sock = bind(args.osc_host, args.osc_port)
        except OSError as exc:
            raise _Refused(
                f"cannot listen for OSC on {args.osc_host}:{args.osc_port}: {exc}"
            ) from None
        integrations.append(osc_integration(sock, feedback=args.osc_feedback))
    from control_room.hosts import served_hosts

    hosts = served_hosts(args.host, public=public, extra=args.allow_host)
    app = create_app(room, integrations=integrations, allowed_hosts=hosts)
    return _Built(app, room.show.clock.now(), len(room.show.entries))


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
    transport.Server(config).run(sockets=[sock])
