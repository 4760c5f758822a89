"""The options of ``control-room serve``, one function per job.

Each group adds the options of one job: the show (the file, its clock, live edits, the
log), the network (where to listen, who may connect), TLS and the reverse proxy, the
limits (per websocket client, per connection), the data directory's journal, and the
integrations (the video switcher, OSC). docs/protocol.md documents every option (a test
checks it); ``--help`` lists them group by group.
"""

from __future__ import annotations

import argparse

from control_room.cli.common import AT_HELP

__all__ = ["add_serve_arguments"]


def add_serve_arguments(parser: argparse.ArgumentParser) -> None:
    """The options of ``control-room serve``."""
    _add_show_arguments(parser)
    _add_network_arguments(parser)
    _add_tls_arguments(parser)
    _add_client_limit_arguments(parser)
    _add_connection_arguments(parser)
    _add_journal_arguments(parser)
    _add_switcher_arguments(parser)
    _add_osc_arguments(parser)
    _add_cluster_arguments(parser)


def _add_show_arguments(parser: argparse.ArgumentParser) -> None:
    """The show: the schedule file, the clock of a rehearsal, live edits, the log."""
    parser.add_argument("file", help="schedule YAML file")
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
        "--no-watch",
        dest="watch",
        action="store_false",
        help="do not watch the schedule file for live edits (POST /api/schedule still works)",
    )
    parser.add_argument(
        "--log-level",
        default="info",
        choices=["debug", "info", "warning", "error"],
        help="log level (info)",
    )


def _add_network_arguments(parser: argparse.ArgumentParser) -> None:
    """The network: where to listen, and which origins and host names are served
    (docs/security.md)."""
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on")
    parser.add_argument(
        "--port", type=int, default=8000, help="port to listen on (0: any free port)"
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


def _add_tls_arguments(parser: argparse.ArgumentParser) -> None:
    """TLS served directly, or a reverse proxy in front (docs/deploy.md)."""
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


def _add_client_limit_arguments(parser: argparse.ArgumentParser) -> None:
    """The limits of each websocket client: silence, a slow send, a backlog."""
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


def _add_journal_arguments(parser: argparse.ArgumentParser) -> None:
    """The data directory, its journal's mirror, and accepting a loss (docs/durability.md)."""
    parser.add_argument(
        "--data-dir",
        default="data",
        help="directory of the journal and the operator token (default: ./data)",
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


def _add_switcher_arguments(parser: argparse.ArgumentParser) -> None:
    """The video switcher: channels bound to OBS instances (docs/switcher.md)."""
    parser.add_argument(
        "--switcher",
        metavar="SWITCHER.toml",
        help="drive OBS from the show: channels bound to OBS instances (docs/switcher.md)",
    )


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
    """``--osc-feedback HOST:PORT``, read by the OSC adapter's own parser."""
    from control_room.osc import parse_target

    try:
        return parse_target(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _add_cluster_arguments(parser: argparse.ArgumentParser) -> None:
    """Several servers, one show, through Redis (docs/cluster.md); off without ``--redis``."""
    parser.add_argument(
        "--redis",
        metavar="URL",
        help="join the show's cluster on this Redis (redis://host:port/db): every instance "
        "with the same schedule and Redis serves the same show; one leads (docs/cluster.md)",
    )
    parser.add_argument(
        "--lease-ms",
        type=_lease_ms,
        default=3000,
        metavar="MS",
        help="with --redis: the leader's lease; a follower takes over within it (3000)",
    )


def _lease_ms(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number of milliseconds: {text!r}") from None
    if not 300 <= value <= 60_000:
        raise argparse.ArgumentTypeError(f"{value} ms: the lease must be 300 to 60000 ms")
    return value
