"""The OSC adapter in the real server: a real OSC client on loopback sends commands,
reads the replies, and the show (``/api/state``, ``/api/journal``) shows the effect."""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from pythonosc.osc_message import OscMessage
from pythonosc.udp_client import SimpleUDPClient

from tests.support.server import RunningServer, run_server

LONG_DAY = Path(__file__).resolve().parents[1] / "e2e" / "long-day.yaml"
REPLY = "/control-room/reply"


def free_udp_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Desk:
    """A lighting desk: an OSC client whose own socket also hears the replies."""

    def __init__(self, port: int) -> None:
        self.client = SimpleUDPClient("127.0.0.1", port)
        self.port = port

    def send(self, address: str, *args: Any) -> list[Any]:
        """Send one message and return the reply's arguments (within a deadline)."""
        self.client.send_message(address, list(args) if args else None)
        return self.reply()

    def reply(self, timeout: float = 10.0) -> list[Any]:
        raw = self.client.receive(timeout)
        assert raw, f"no reply within {timeout:g} s"
        message = OscMessage(raw)
        assert message.address == REPLY
        return list(message.params)

    def sender(self) -> str:
        return f"osc:127.0.0.1:{self.client._sock.getsockname()[1]}"

    def close(self) -> None:
        self.client.close()


def main_channel(server: RunningServer) -> dict[str, Any]:
    channels = server.get_json("/api/state")["channels"]
    return next(c for c in channels if c["id"] == "main")


def journal(server: RunningServer) -> list[dict[str, Any]]:
    status, body = server.request("GET", "/api/journal", token=server.token)
    assert status == 200
    return list(body["entries"])


@pytest.fixture(scope="module")
def osc_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[RunningServer, int]]:
    """A server at 10:30 in the long day (nothing changes by itself), OSC on loopback."""
    port = free_udp_port()
    data = tmp_path_factory.mktemp("osc") / "data"
    with run_server(
        LONG_DAY,
        data_dir=data,
        at="2026-07-07T10:30",
        speed=1,
        extra_args=["--osc-port", str(port)],
    ) as server:
        yield server, port


@pytest.fixture
def desk(osc_server: tuple[RunningServer, int]) -> Iterator[Desk]:
    d = Desk(osc_server[1])
    yield d
    d.close()


def test_osc_commands_are_applied_journaled_and_answered_with_their_seq(
    osc_server: tuple[RunningServer, int], desk: Desk
) -> None:
    server, _ = osc_server
    before = len(journal(server))
    assert desk.send("/control-room/main/extend", 5) == [
        "ok",
        before + 1,
        "applied",
        "/control-room/main/extend",
    ]
    assert main_channel(server)["now"]["offset_seconds"] == 300
    assert desk.send("/control-room/main/slate", "Coupure")[:2] == ["ok", before + 2]
    assert main_channel(server)["slate"]["text"] == "Coupure"
    assert desk.send("/control-room/main/take/confirm")[:2] == ["ok", before + 3]
    assert main_channel(server)["now"]["id"] == "midi"
    assert desk.send("/control-room/main/message", "moderators", "Concluez")[0] == "ok"
    assert main_channel(server)["messages"]["moderators"]["text"] == "Concluez"
    entries = journal(server)[before:]
    assert [e["command"] for e in entries] == [
        {"type": "extend", "channel": "main", "minutes": 5},
        {"type": "slate", "channel": "main", "text": "Coupure"},
        {"type": "take", "channel": "main", "confirm": True},
        {"type": "message", "channel": "main", "audience": "moderators", "text": "Concluez"},
    ]
    assert {e["who"] for e in entries} == {desk.sender()}
    assert desk.send("/control-room/reset")[0] == "ok"
    assert main_channel(server)["slate"] is None


def test_a_token_given_first_on_loopback_is_not_taken_for_the_text(
    osc_server: tuple[RunningServer, int], desk: Desk
) -> None:
    server, _ = osc_server
    assert desk.send("/control-room/main/slate", server.token, "Coupure")[0] == "ok"
    assert main_channel(server)["slate"]["text"] == "Coupure"
    assert desk.send("/control-room/main/slate_clear")[0] == "ok"


@pytest.mark.parametrize(
    ("address", "args", "error"),
    [
        ("/control-room/main/shout", [], "unknown command 'shout'"),
        ("/control-room/main/extend", [], "extend: takes minutes, got 0"),
        ("/control-room/main/extend", [2.5], "extend: minutes must be a whole number"),
        ("/control-room/main/extend", ["5"], "extend: minutes must be a whole number"),
        ("/control-room/main/slate", [12], "slate: text must be a string"),
        ("/control-room/nowhere/hold", [], "unknown channel 'nowhere'"),
        ("/control-room/main/extend", [999], "minutes: Input should be less than or equal"),
        ("/control-room/main/release", [], "release: main is not held"),  # the engine says why
        ("/qlab/go", [], "not a control-room address"),
    ],
)
def test_a_bad_message_gets_an_error_reply_and_changes_nothing(
    osc_server: tuple[RunningServer, int], desk: Desk, address: str, args: list[Any], error: str
) -> None:
    server, _ = osc_server
    before = journal(server)
    status, seq, text, echoed = desk.send(address, *args)
    assert (status, seq, echoed) == ("error", 0, address)
    assert error in text
    assert journal(server) == before


def test_a_datagram_that_is_not_osc_is_ignored_and_the_server_keeps_serving(
    osc_server: tuple[RunningServer, int], desk: Desk
) -> None:
    server, port = osc_server
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as raw:
        raw.sendto(b"GO\n", ("127.0.0.1", port))
    desk.client._sock.sendto(b"\x00\x01garbage", ("127.0.0.1", port))
    # Datagrams are read in order: the first reply the desk hears is the ping's.
    assert desk.send("/control-room/ping") == ["ok", 0, "pong", "/control-room/ping"]
    deadline = time.monotonic() + 10
    while "is not OSC" not in server.output():
        assert time.monotonic() < deadline, server.output()
        time.sleep(0.02)
    assert "Traceback" not in server.output()


def test_beyond_loopback_each_message_needs_the_token(tmp_path: Path) -> None:
    port = free_udp_port()
    args = ["--osc-host", "0.0.0.0", "--osc-port", str(port)]
    with run_server(
        LONG_DAY, data_dir=tmp_path / "data", at="2026-07-07T10:30", extra_args=args
    ) as s:
        desk = Desk(port)
        try:
            assert desk.send("/control-room/main/hold")[:3] == [
                "error",
                0,
                "unauthorized: operator token required",
            ]
            assert desk.send("/control-room/main/hold", "wrong")[0] == "error"
            assert main_channel(s)["held"] is False
            assert desk.send("/control-room/main/hold", s.token) == [
                "ok",
                1,
                "applied",
                "/control-room/main/hold",
            ]
            assert main_channel(s)["held"] is True
            assert desk.send("/control-room/main/slate", s.token, "Coupure")[0] == "ok"
            assert [e["who"] for e in journal(s)] == [desk.sender()] * 2
        finally:
            desk.close()


def test_an_osc_port_in_use_refuses_to_serve(tmp_path: Path) -> None:
    from tests.support.server import ServerFailed

    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as taken:
        taken.bind(("127.0.0.1", 0))
        port = taken.getsockname()[1]
        with pytest.raises(ServerFailed, match=r"cannot listen for OSC on 127.0.0.1:\d+"):
            with run_server(
                LONG_DAY, data_dir=tmp_path / "data", extra_args=["--osc-port", str(port)]
            ):
                pass


def test_feedback_sends_the_show_variables_and_the_remaining_time(tmp_path: Path) -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as listener:
        listener.bind(("127.0.0.1", 0))
        listener.settimeout(10)
        target = f"127.0.0.1:{listener.getsockname()[1]}"
        port = free_udp_port()
        args = ["--osc-port", str(port), "--osc-feedback", target]
        with run_server(
            LONG_DAY, data_dir=tmp_path / "data", at="2026-07-07T10:30", extra_args=args
        ):
            heard: dict[str, list[Any]] = {}

            def hear_until(address: str, value: Any = None) -> list[Any]:
                deadline = time.monotonic() + 10
                while True:
                    assert time.monotonic() < deadline, (address, heard)
                    message = OscMessage(listener.recv(4096))
                    heard[message.address] = list(message.params)
                    if message.address == address and value in (None, *message.params):
                        return list(message.params)

            assert hear_until("/control-room/main/now") == ["Matinée"]
            assert hear_until("/control-room/main/status") == ["on_air"]
            (remaining,) = hear_until("/control-room/main/remaining")
            assert isinstance(remaining, int) and 0 < remaining <= 90 * 60
            # Once a second, the remaining time again: it counts down.
            (later,) = hear_until("/control-room/main/remaining")
            assert later <= remaining
            desk = Desk(port)
            try:
                assert desk.send("/control-room/lille/slate", "Coupure")[0] == "ok"
            finally:
                desk.close()
            assert hear_until("/control-room/lille/slate", "Coupure") == ["Coupure"]
            assert heard["/control-room/main/next"] == ["Déjeuner"]
            assert heard["/control-room/main/held"] == [0]
            assert heard["/control-room/main/slate"] == [""]
