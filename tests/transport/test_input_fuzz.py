"""Input never crashes on the wire: random websocket messages and HTTP bodies get an error
reply (or their normal answer), the websocket stays open and HTTP never answers 500.

Against the real server, over one websocket and one kept-alive HTTP connection. Every
reply must be JSON a browser can parse (no ``NaN``/``Infinity``). 600 + 600 examples,
derandomized under ``CI``."""

from __future__ import annotations

import http.client
import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from websockets.sync.client import ClientConnection, connect

from control_room.wire import ProtocolError, parse_client_message
from tests.support.server import RunningServer, run_server

SHORT_DAY = Path(__file__).resolve().parents[1] / "e2e" / "short-day.yaml"
EXAMPLES = 600
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=bool(os.environ.get("CI")),
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
TYPES = ["hello", "ping", "command", "ack", "switcher", "variables", "take", "extend", None]

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=20,
)
messages = st.fixed_dictionaries(
    {"type": st.sampled_from(TYPES)},
    optional={
        "id": json_values,
        "t0": json_values,
        "channel": json_values,
        "message_id": json_values,
        "role": json_values,
        "channels": json_values,
        "command": st.fixed_dictionaries(
            {"type": st.sampled_from(["extend", "delay", "take", "slate", "hold"])},
            optional={"channel": st.sampled_from(["main", "nope", 5]), "minutes": json_values},
        ),
    },
)
deep = st.integers(min_value=30, max_value=100_000).map(
    lambda n: "[" * n + "]" * n if n % 2 else '{"a":' * n + "1" + "}" * n
)
bodies = st.one_of(
    messages.map(lambda m: json.dumps(m)),  # NaN / Infinity tokens included
    json_values.map(lambda v: json.dumps(v)),
    deep,
    st.sampled_from(['{"type":"ping","id":1,"t0":NaN}', '{"type":"ping","id":1,"t0":1e999}']),
    st.text(max_size=200),
)


def browser_json(text: str) -> Any:
    def refuse(name: str) -> Any:
        raise AssertionError(f"a browser cannot parse {name}: {text[:200]}")

    return json.loads(text, parse_constant=refuse)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    with run_server(SHORT_DAY, data_dir=tmp_path_factory.mktemp("fuzz") / "data") as s:
        yield s


@pytest.fixture(scope="module")
def ws(server: RunningServer) -> Iterator[ClientConnection]:
    with connect(f"{server.ws_url}?role=regie&token={server.token}", max_size=None) as conn:
        yield conn


@pytest.fixture(scope="module")
def http_conn(server: RunningServer) -> Iterator[http.client.HTTPConnection]:
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    yield conn
    conn.close()


PROBES = iter(range(10**9))


@FUZZ
@given(body=bodies)
def test_a_random_websocket_message_gets_a_reply_and_the_link_stays(
    ws: ClientConnection, body: str
) -> None:
    try:
        parse_client_message(body)
        valid = True
    except ProtocolError:
        valid = False
    ws.send(body)
    probe = f"probe-{next(PROBES)}"
    ws.send(json.dumps({"type": "ping", "id": probe, "t0": 1}))
    errors = 0
    while True:
        reply = browser_json(str(ws.recv(timeout=10)))
        if reply["type"] == "pong" and reply["id"] == probe:
            break
        errors += reply["type"] == "error"
    assert valid or errors >= 1, body[:200]


@FUZZ
@given(body=bodies)
def test_a_random_http_command_body_is_refused_without_a_500(
    server: RunningServer, http_conn: http.client.HTTPConnection, body: str
) -> None:
    headers = {"Authorization": f"Bearer {server.token}", "Content-Type": "application/json"}
    try:
        http_conn.request("POST", "/api/commands", body=body.encode(), headers=headers)
        response = http_conn.getresponse()
    except (http.client.HTTPException, OSError):  # the server closed a kept-alive one
        http_conn.close()
        http_conn.request("POST", "/api/commands", body=body.encode(), headers=headers)
        response = http_conn.getresponse()
    raw = response.read()
    assert response.status < 500, (response.status, raw[:300], body[:200])
    browser_json(raw.decode())


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        ("[" * 20_000 + "]" * 20_000, "nested deeper"),
        ('{"type":"ping","id":1,"t0":NaN}', "NaN is not a JSON number"),
        ('{"type":"ping","id":1,"t0":Infinity}', "Infinity is not a JSON number"),
        ('{"type":"ping","id":1,"t0":1e999}', "out of range"),
        ('{"type":"ping","id":1,"t0":"5"}', "t0"),
        ('{"type":"ping","id":true,"t0":5}', "id"),
        ('{"type":"ack","channel":"main","message_id":"3"}', "message_id"),
    ],
)
def test_hostile_messages_are_refused_with_a_reason(body: str, reason: str) -> None:
    with pytest.raises(ProtocolError, match=reason):
        parse_client_message(body)


@pytest.mark.parametrize("minutes", ['"5"', "true", "5.0", "NaN"])
def test_minutes_must_be_a_json_integer(server: RunningServer, minutes: str) -> None:
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    body = '{"type":"extend","channel":"main","minutes":' + minutes + "}"
    conn.request(
        "POST", "/api/commands", body=body, headers={"Authorization": f"Bearer {server.token}"}
    )
    response = conn.getresponse()
    assert response.status == 400, (response.status, response.read())
    conn.close()


def test_deep_nesting_over_http_is_a_400(server: RunningServer) -> None:
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    body = "[" * 50_000 + "]" * 50_000
    conn.request(
        "POST", "/api/commands", body=body, headers={"Authorization": f"Bearer {server.token}"}
    )
    response = conn.getresponse()
    assert response.status == 400 and b"nested deeper" in response.read()
    conn.close()
