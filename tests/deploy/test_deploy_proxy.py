"""Behind a reverse proxy for real: Debian's Caddy in front of the server, on loopback.

The Caddyfile is written here (plain HTTP on 127.0.0.1, ``auto_https off``: the TLS side of
Caddy is its own business, and tests talk only to 127.0.0.1). Through the proxy: the state,
an operator command with the token, the websocket push that follows it, and the origin rule
(Caddy forwards the browser's ``Host``, so the same-origin check still holds).
"""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from websockets.exceptions import InvalidStatus

from tests.deploy.serving import Launch, Served, fetch, free_port, stop
from tests.support.server import REPO, ServerFailed, eventually
from tests.support.ws import WsClient


def caddy() -> str:
    found = shutil.which("caddy")
    assert found, "caddy is missing: apt-get install caddy (make system-deps does)"
    return found


@dataclass
class Proxied:
    """The server, and the Caddy in front of it."""

    server: Served
    url: str  # http://127.0.0.1:PORT, Caddy's side

    @property
    def ws_url(self) -> str:
        return "ws" + self.url[4:] + "/ws"

    def command(self, command: dict[str, object], *, token: str | None) -> tuple[int, str]:
        headers = {"X-Operator": "Morlaix"}
        if token is not None:
            headers["Authorization"] = f"Bearer {token}"
        status, _, body = fetch(
            self.url + "/api/commands", method="POST", body=command, headers=headers
        )
        return status, body


@pytest.fixture
def proxied(launch: Launch, tmp_path: Path) -> Iterator[Proxied]:
    server = launch("--forwarded-allow-ips", "127.0.0.1")
    upstream = server.base_url.removeprefix("http://")
    port = free_port()
    home = tmp_path / "caddy-home"
    home.mkdir()
    config = tmp_path / "Caddyfile"
    config.write_text(
        "{\n\tadmin off\n\tauto_https off\n}\n\n"
        f"http://127.0.0.1:{port} {{\n\treverse_proxy {upstream}\n}}\n",
        encoding="utf-8",
    )
    log = (tmp_path / "caddy.log").open("wb")
    env = {"HOME": str(home), "XDG_DATA_HOME": str(home), "XDG_CONFIG_HOME": str(home)}
    process = subprocess.Popen(
        [caddy(), "run", "--config", str(config), "--adapter", "caddyfile"],
        stdout=log,
        stderr=subprocess.STDOUT,
        env={"PATH": "/usr/bin:/bin", **env},
        cwd=tmp_path,
    )
    url = f"http://127.0.0.1:{port}"

    def up() -> bool:
        if process.poll() is not None:
            raise ServerFailed(f"caddy exited:\n{(tmp_path / 'caddy.log').read_text()}")
        return fetch(url + "/-/health", timeout=2)[0] == 200

    try:
        eventually(up, timeout=20, what="the server through caddy")
        yield Proxied(server, url)
    finally:
        stop(process)
        log.close()


def test_the_state_and_the_screens_come_through_the_proxy(proxied: Proxied) -> None:
    status, _, body = fetch(proxied.url + "/api/state")
    assert status == 200 and "channels" in json.loads(body)
    status, headers, body = fetch(proxied.url + "/regie")
    assert status == 200 and 'data-page="regie"' in body
    assert headers["content-security-policy"].startswith("default-src 'self'")


async def test_a_command_through_the_proxy_is_pushed_to_a_websocket_through_it(
    proxied: Proxied,
) -> None:
    hello = {"role": "regie", "token": proxied.server.token, "name": "Paris"}
    async with WsClient.connect(proxied.ws_url, origin=proxied.url, hello=hello) as regie:
        await regie.wait_for(lambda m: len(regie.states()) >= 2, what="snapshot")
        assert proxied.command({"type": "hold", "channel": "main"}, token=None)[0] == 401
        status, body = proxied.command(
            {"type": "hold", "channel": "main"}, token=proxied.server.token
        )
        assert status == 200 and json.loads(body)["seq"] == 1, body
        pushed = await regie.wait_for(
            lambda m: m["type"] == "state" and m["cause"] == {"kind": "command", "seq": 1},
            what="the hold pushed through the proxy",
        )
    main = next(c for c in pushed["state"]["channels"] if c["id"] == "main")
    assert main["held"] is True
    entries = json.loads(
        fetch(
            proxied.url + "/api/journal",
            headers={"Authorization": f"Bearer {proxied.server.token}"},
        )[2]
    )["entries"]
    assert [(e["who"], e["command"]["type"]) for e in entries] == [("Morlaix", "hold")]


async def test_the_origin_rule_holds_through_the_proxy(proxied: Proxied) -> None:
    # Caddy forwards the browser's Host: a page of the proxy's own origin is same-origin...
    async with WsClient.connect(proxied.ws_url, origin=proxied.url) as client:
        await client.wait_for(lambda m: m["type"] == "state", what="snapshot")
    # ...and a page of another site is still refused, by the server behind the proxy.
    with pytest.raises(InvalidStatus) as refused:
        async with WsClient.connect(proxied.ws_url, origin="https://evil.example.com"):
            pass
    assert refused.value.response.status_code == 403
    assert "websocket refused: origin https://evil.example.com" in eventually(
        lambda: "evil" in proxied.server.output() and proxied.server.output(), what="the log"
    )


def test_the_shipped_caddyfile_proxies_the_websocket_to_the_local_server() -> None:
    adapted = subprocess.run(
        [caddy(), "adapt", "--config", str(REPO / "deploy" / "Caddyfile")],
        capture_output=True,
        text=True,
        check=True,
        timeout=30,
    )
    config = json.loads(adapted.stdout)
    server = next(iter(config["apps"]["http"]["servers"].values()))
    text = json.dumps(server)
    assert "regie.example.org" in text
    assert '"dial": "127.0.0.1:8000"' in text
    assert ":443" in server["listen"]
