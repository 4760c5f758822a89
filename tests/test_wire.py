from __future__ import annotations

import json

import pytest

from control_room.wire import (
    Ack,
    CommandRequest,
    ErrorMessage,
    Hello,
    Ping,
    PongMessage,
    ProtocolError,
    ResultMessage,
    Role,
    StateMessage,
    SwitcherAction,
    SwitcherMessage,
    SwitcherRequest,
    encode,
    parse_client_message,
)

CLOCK = {
    "origin_show": "2026-07-07T09:55:00+02:00",
    "origin_wall": "2026-07-07T07:55:00Z",
    "origin_wall_ms": 1.0,
    "speed": 1.0,
    "rehearsal": True,
}
EVENT = {
    "title": "t",
    "subtitle": None,
    "date": "2026-07-07",
    "timezone": "Europe/Paris",
    "starts_at": None,
    "ends_at": None,
    "url": None,
}


def test_hello_reads_role_channels_and_token() -> None:
    message = parse_client_message(
        '{"type":"hello","role":"regie","channels":["main"],"token":"t","lang":"en"}'
    )
    assert message == Hello(type="hello", role=Role.REGIE, channels=["main"], token="t", lang="en")


def test_hello_defaults_to_a_viewer_of_every_channel() -> None:
    message = parse_client_message('{"type":"hello"}')
    assert isinstance(message, Hello)
    assert message.role is Role.VIEWER and message.channels is None


def test_each_client_message_type_is_read() -> None:
    assert isinstance(parse_client_message('{"type":"ping","id":1,"t0":12.5}'), Ping)
    command = parse_client_message('{"type":"command","id":"a","command":{"type":"hold"}}')
    assert isinstance(command, CommandRequest) and command.command == {"type": "hold"}
    ack = parse_client_message('{"type":"ack","channel":"main","message_id":4}')
    assert isinstance(ack, Ack) and ack.name is None
    switcher = parse_client_message('{"type":"switcher","channel":"main","action":"resend","id":3}')
    assert isinstance(switcher, SwitcherRequest) and switcher.action is SwitcherAction.RESEND


def test_unknown_fields_are_ignored() -> None:
    assert isinstance(parse_client_message('{"type":"ping","id":1,"t0":1,"x":2}'), Ping)


@pytest.mark.parametrize(
    ("text", "match"),
    [
        ("not json", "not JSON"),
        ("[1, 2]", "JSON object"),
        ('{"id": 1}', "missing 'type'"),
        ('{"type": "shout"}', "unknown message type 'shout'"),
        ('{"type": "hello", "role": "god"}', "invalid 'hello' message: role"),
        ('{"type": "ping", "id": 1}', "t0: Field required"),
        ('{"type": "command", "id": 9}', "command: Field required"),
        ('{"type": "ack", "channel": "main", "message_id": "x"}', "message_id"),
    ],
)
def test_malformed_messages_raise_a_readable_error(text: str, match: str) -> None:
    with pytest.raises(ProtocolError, match=match):
        parse_client_message(text)


def test_a_malformed_message_keeps_its_id_for_the_reply() -> None:
    with pytest.raises(ProtocolError) as caught:
        parse_client_message('{"type": "command", "id": 9}')
    assert caught.value.ref == 9


def test_oversized_messages_are_refused() -> None:
    with pytest.raises(ProtocolError, match="too large"):
        parse_client_message('{"type":"ping","id":1,"t0":1,"pad":"' + "x" * 70_000 + '"}')


def test_server_messages_carry_their_type_and_server_time() -> None:
    for message in (
        ErrorMessage(error="nope", id=3),
        PongMessage.at(1, 10.0, 11.0),
        StateMessage.of(
            seq=1,
            clock=CLOCK,  # type: ignore[arg-type]
            state={"at": "x", "event": EVENT, "channels": []},  # type: ignore[typeddict-item]
            cause={"kind": "snapshot"},
        ),
    ):
        decoded = json.loads(encode(message))
        assert decoded["type"] and isinstance(decoded["server_time"], float | int)


def test_pong_echoes_the_client_time_and_gives_receive_and_send_times() -> None:
    pong = json.loads(encode(PongMessage.at("p1", 100.0, 200.0, 201.5)))
    assert pong == {
        "type": "pong",
        "id": "p1",
        "t0": 100.0,
        "t1": 200.0,
        "t2": 201.5,
        "server_time": 201.5,
    }


def test_results_and_errors_leave_out_what_they_do_not_say() -> None:
    ok = json.loads(encode(ResultMessage(id=4, ok=True, seq=12, server_time=1.0)))
    assert ok == {"type": "result", "id": 4, "ok": True, "seq": 12, "server_time": 1.0}
    refused = json.loads(encode(ErrorMessage(error="no", server_time=1.0)))
    assert refused == {"type": "error", "error": "no", "server_time": 1.0}


def test_other_messages_keep_their_null_fields() -> None:
    status = json.loads(encode(SwitcherMessage(channel="main", status={"error": None})))
    assert status["status"] == {"error": None}


def test_encode_keeps_non_ascii_text_readable() -> None:
    text = encode(ErrorMessage(error="Montée en débit", server_time=1.0))
    assert '"Montée en débit"' in text


def test_every_message_type_is_documented() -> None:
    import re
    import typing
    from pathlib import Path

    from control_room import wire

    doc = (Path(__file__).resolve().parents[1] / "docs" / "protocol.md").read_text()
    headings = set(re.findall(r"^#### `(\w+)`", doc, flags=re.MULTILINE))
    client_types = {
        typing.get_args(model.model_fields["type"].annotation)[0]
        for model in typing.get_args(typing.get_args(wire.ClientMessage)[0])
    }
    server_types = {
        typing.get_args(model.model_fields["type"].annotation)[0] for model in wire.SERVER_MESSAGES
    }
    assert set(typing.get_args(wire.ServerMessage)) == set(wire.SERVER_MESSAGES)
    assert server_types == {
        "welcome", "state", "live", "delta", "pong", "result", "error", "journal", "presence",
        "acks", "switcher",
        "variables",
        "feeds", "schedule", "feed_health",
    }  # fmt: skip
    assert client_types == {"hello", "ping", "command", "ack", "switcher", "variables"}
    assert client_types | server_types <= headings


def test_every_serve_option_is_documented() -> None:
    import argparse
    from pathlib import Path

    from control_room.cli.serve import add_serve_arguments

    doc = (Path(__file__).resolve().parents[1] / "docs" / "protocol.md").read_text()
    parser = argparse.ArgumentParser()
    add_serve_arguments(parser)
    for action in parser._actions:
        for option in action.option_strings:
            if option.startswith("--") and option != "--help":
                assert f"`{option}`" in doc, option
