"""The OSC translation, pure: an address and its arguments in, a command dict (or the
reason why not) out. The rules of the show are the dispatcher's; here only the shape."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from control_room.core.commands import parse_command
from control_room.osc import (
    OscInvalid,
    build_message,
    is_loopback,
    parse_target,
    translate,
)

DOC = Path(__file__).resolve().parents[2] / "docs" / "osc.md"


def test_a_take_without_argument_takes_the_next_segment() -> None:
    assert translate("/control-room/main/take", []) == {"type": "take", "channel": "main"}


def test_a_take_may_name_the_segment() -> None:
    command = translate("/control-room/main/take", ["midi"])
    assert command == {"type": "take", "channel": "main", "segment": "midi"}


def test_extend_reads_an_osc_int_as_minutes() -> None:
    assert translate("/control-room/main/extend", [5]) == {
        "type": "extend",
        "channel": "main",
        "minutes": 5,
    }


def test_a_float_of_integral_value_is_minutes_too() -> None:
    assert translate("/control-room/main/delay", [-3.0])["minutes"] == -3


@pytest.mark.parametrize("value", [2.5, "5", True, None, b"\x05", float("nan")])
def test_minutes_of_another_type_are_refused_with_the_type(value: object) -> None:
    with pytest.raises(OscInvalid, match=r"extend: minutes must be a whole number"):
        translate("/control-room/main/extend", [value])


def test_texts_must_be_osc_strings() -> None:
    with pytest.raises(OscInvalid, match=r"slate: text must be a string, got int 12"):
        translate("/control-room/parcours-1/slate", [12])


def test_a_message_takes_its_audience_then_its_text() -> None:
    command = translate("/control-room/main/message", ["moderators", "Concluez"])
    assert command == {
        "type": "message",
        "channel": "main",
        "audience": "moderators",
        "text": "Concluez",
    }


def test_reset_of_all_channels_has_two_addresses() -> None:
    everything = {"type": "reset", "channel": None}
    assert translate("/control-room/reset", []) == everything
    assert translate("/control-room/all/reset", []) == everything
    assert translate("/control-room/main/reset", []) == {"type": "reset", "channel": "main"}


@pytest.mark.parametrize(
    ("address", "args", "error"),
    [
        ("/control-room/main/extend", [], r"extend: takes minutes, got 0"),
        ("/control-room/main/extend", [1, 2], r"extend: takes minutes, got 2"),
        ("/control-room/main/hold", [1], r"hold: takes no argument, got 1"),
        ("/control-room/main/take", ["a", "b"], r"take: takes \[segment\], got 2"),
        ("/control-room/main/message", ["viewers"], r"message: takes audience text, got 1"),
        ("/control-room/main/shout", [], r"unknown command 'shout'"),
        ("/control-room/main", [], r"expected /control-room/CHANNEL/COMMAND"),
        ("/control-room/main/extend/5", [], r"expected /control-room/CHANNEL/COMMAND"),
        ("/control-room//take", [], r"expected /control-room/CHANNEL/COMMAND"),
        ("/qlab/go", [], r"not a control-room address"),
        ("/control-roomy/main/take", [], r"not a control-room address"),
        ("/control-room/*/hold", [], r"address patterns .* are not supported"),
    ],
)
def test_a_message_outside_the_scheme_says_what_is_wrong(
    address: str, args: list[object], error: str
) -> None:
    with pytest.raises(OscInvalid, match=error):
        translate(address, args)


EXAMPLES: dict[str, list[object]] = {
    "take": [],
    "back": [],
    "hold": [],
    "release": [],
    "extend": [5],
    "delay": [-2],
    "slate": ["Coupure"],
    "slate_clear": [],
    "site_override": ["lille"],
    "site_clear": [],
    "message": ["moderators", "Concluez"],
    "message_clear": ["viewers"],
    "reset": [],
    "hold_toggle": [],
    "shorten": [1],
    "slate_toggle": ["Coupure"],
    "lower_third": ["toggle"],
    "flash": [5],
    "blackout": [],
    "undo": [3],
}


def test_a_confirmed_take_has_its_own_address() -> None:
    assert translate("/control-room/main/take/confirm", ["accueil"]) == {
        "type": "take",
        "channel": "main",
        "segment": "accueil",
        "confirm": True,
    }
    assert "confirm" not in translate("/control-room/main/take", [])


def test_undo_names_an_entry_of_the_whole_show() -> None:
    assert translate("/control-room/undo", [12]) == {"type": "undo", "seq": 12}
    assert translate("/control-room/main/undo", [12]) == {"type": "undo", "seq": 12}


def test_every_command_of_the_model_has_an_address_that_reads_as_that_command() -> None:
    from typing import get_args

    from control_room.core.commands import Command

    union = get_args(Command)[0]
    names = {model.model_fields["type"].default for model in get_args(union)}
    assert names == set(EXAMPLES)
    for name, args in EXAMPLES.items():
        command = parse_command(translate(f"/control-room/main/{name}", args))
        assert command.type == name


def test_every_command_is_documented() -> None:
    doc = DOC.read_text(encoding="utf-8")
    for name in EXAMPLES:
        assert re.search(rf"`/control-room/\{{channel\}}/{name}\b", doc), name


def test_loopback_is_only_this_machine() -> None:
    assert is_loopback("127.0.0.1") and is_loopback("127.0.0.2") and is_loopback("::1")
    assert is_loopback("localhost")
    assert not is_loopback("0.0.0.0") and not is_loopback("192.168.1.20")
    assert not is_loopback("regie.local")


def test_a_feedback_target_is_host_and_port() -> None:
    assert parse_target("192.168.1.20:53000") == ("192.168.1.20", 53000)
    assert parse_target("[::1]:9000") == ("::1", 9000)
    for bad in ("192.168.1.20", ":9000", "host:0", "host:http", "host:70000"):
        with pytest.raises(ValueError, match="expected HOST:PORT"):
            parse_target(bad)


def test_a_built_message_reads_back() -> None:
    from pythonosc.osc_message import OscMessage

    message = OscMessage(build_message("/control-room/reply", ["ok", 3, "applied", "/x"]))
    assert message.address == "/control-room/reply"
    assert message.params == ["ok", 3, "applied", "/x"]
