"""``control-room token``: the scoped tokens of a data directory (:mod:`control_room.tokens`).

control-room token create --data-dir D --role site --channel parcours-1 --name "Technicien Morlaix"
control-room token list --data-dir D
control-room token revoke --data-dir D NAME|ID

``create`` prints the new token once (only its salted hash is kept); ``list`` shows names,
roles, scopes and dates, never a secret; ``revoke`` removes a token, and a running server
refuses it within about a second. The operator token itself (``$CONTROL_ROOM_TOKEN`` or the
data dir's ``token`` file) is not in the store: change it by replacing that file.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TextIO

from control_room.journal import Journal, JournalError
from control_room.tokens import TokenError, TokenRole, TokenStore

__all__ = ["add_commands", "token_main"]


def add_commands(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``token create|list|revoke`` to the ``control-room`` subcommands."""
    p = sub.add_parser("token", help="scoped tokens: a site technician's, a moderator's")
    actions = p.add_subparsers(dest="action", required=True, metavar="ACTION")

    create = actions.add_parser("create", help="make a token and print it (once)")
    _data_dir(create)
    create.add_argument("--name", required=True, help="who holds it: «Technicien Morlaix»")
    create.add_argument(
        "--role",
        required=True,
        choices=[role.value for role in TokenRole],
        help="operator: everything; site: slate, site override and messages of its "
        "channels; moderator: acknowledge the régie's messages on its channels",
    )
    create.add_argument(
        "--channel",
        action="append",
        default=[],
        metavar="ID",
        help="a channel it acts on (repeatable; required for site and moderator)",
    )
    create.add_argument(
        "--site",
        action="append",
        default=[],
        metavar="ID",
        help="site token: the only sites it may put on air with site_override (repeatable)",
    )

    listing = actions.add_parser("list", help="the tokens: names, roles, scopes, never secrets")
    _data_dir(listing)

    revoke = actions.add_parser("revoke", help="remove a token (a running server refuses it)")
    _data_dir(revoke)
    revoke.add_argument("which", metavar="NAME|ID", help="the token's name or id")
    p.set_defaults(handler=token_main)


def _data_dir(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--data-dir", default="data", help="the show's data directory (default: ./data)"
    )


def _known_channels(data_dir: Path) -> list[str] | None:
    """The channels of the show the data dir's journal was written for, if it has one."""
    try:
        journal = Journal.open(data_dir, create=False, readonly=True)
    except (JournalError, OSError):
        return None
    try:
        event = journal.get_meta("event")
    finally:
        journal.close()
    channels = event.get("channels") if isinstance(event, dict) else None
    return [str(c) for c in channels] if isinstance(channels, list) else None


def token_main(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    """Run ``control-room token ACTION``. Returns the exit status."""
    data_dir = Path(args.data_dir)
    try:
        if args.action == "create":
            if not data_dir.is_dir():
                raise TokenError(f"{data_dir}: no such data directory")
            store = TokenStore(data_dir)
            entry, token = store.create(
                args.name,
                TokenRole(args.role),
                channels=args.channel,
                sites=args.site,
                known_channels=_known_channels(data_dir),
            )
            print(token, file=out)
            print(
                f"token {entry.id} «{entry.name}» ({entry.role.value}, {entry.scope()}) made; "
                "it is shown this once: give it to its holder now",
                file=err,
            )
        elif args.action == "list":
            store = TokenStore(data_dir)
            entries = store.tokens()
            if not entries:
                print(f"no tokens in {store.path}", file=err)
            for entry in entries:
                print(
                    f"{entry.id}  {entry.role.value:<9}  {entry.name}  [{entry.scope()}]  "
                    f"created {entry.created}",
                    file=out,
                )
        else:
            store = TokenStore(data_dir)
            entry = store.revoke(args.which)
            print(f"token {entry.id} «{entry.name}» revoked", file=out)
    except (TokenError, OSError) as exc:
        print(f"control-room token: {exc}", file=err)
        return 1
    return 0
