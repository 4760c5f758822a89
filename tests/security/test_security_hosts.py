"""The Host check: a foreign Host (DNS rebinding) is refused over HTTP and websocket; the
served names, and ``--allow-host``, get through."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from starlette.types import Receive, Scope, Send

from control_room.hosts import IP_LITERALS, HostCheck, host_name, served_hosts
from tests.security.helpers import LONG_DAY, raw_handshake
from tests.support.server import RunningServer, run_server


def test_a_host_header_is_read_without_its_port() -> None:
    assert host_name("Regie.Example.org:8443") == "regie.example.org"
    assert host_name("[::1]:8000") == "::1"
    assert host_name("127.0.0.1") == "127.0.0.1"


def test_the_served_names_by_default() -> None:
    assert served_hosts("127.0.0.1") == ["localhost", "127.0.0.1", "::1"]
    public = served_hosts("127.0.0.1", public="https://regie.example.org", extra=["cr.lan"])
    assert public[-2:] == ["regie.example.org", "cr.lan"]
    assert IP_LITERALS in served_hosts("0.0.0.0")


async def _nothing(scope: Scope, receive: Receive, send: Send) -> None:
    return None


def test_a_wildcard_bind_serves_ip_addresses_but_no_other_name() -> None:
    check = HostCheck(_nothing, allowed=served_hosts("0.0.0.0"))
    assert check.allows("192.168.1.20:8000") and check.allows("[fe80::1]:8000")
    assert check.allows("localhost:8000")
    assert not check.allows("evil.example:8000") and not check.allows(None)
    assert not check.allows(IP_LITERALS)


@pytest.fixture
def named_server(tmp_path: Path) -> Iterator[RunningServer]:
    with run_server(
        LONG_DAY,
        data_dir=tmp_path / "data",
        at="2026-07-07T10:30",
        speed=1,
        extra_args=["--allow-host", "regie.lan"],
    ) as s:
        yield s


def test_a_foreign_host_is_refused_over_http(named_server: RunningServer) -> None:
    s = named_server
    status, body = s.request("GET", "/api/state", headers={"Host": "evil.example"})
    assert status == 421 and "--allow-host" in body
    assert s.request("GET", "/regie", headers={"Host": f"evil.example:{s.port}"})[0] == 421
    assert s.request("GET", "/-/health", headers={"Host": f"localhost:{s.port}"})[0] == 200
    assert s.request("GET", "/-/health", headers={"Host": f"regie.lan:{s.port}"})[0] == 200


def test_a_foreign_host_is_refused_on_the_websocket(named_server: RunningServer) -> None:
    s = named_server
    assert " 101 " in raw_handshake(s.port, f"127.0.0.1:{s.port}") + " "
    assert " 403 " in raw_handshake(s.port, f"evil.example:{s.port}") + " "
    assert " 101 " in raw_handshake(s.port, f"regie.lan:{s.port}") + " "
