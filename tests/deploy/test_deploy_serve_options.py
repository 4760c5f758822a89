"""The ``serve`` options of a remote site: what is refused, what is printed, what is allowed."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from websockets.exceptions import InvalidStatus

from control_room.cli.serve import public_base
from tests.deploy.serving import AT, SCHEDULE, Launch
from tests.support.server import REPO
from tests.support.ws import WsClient


def serve_refused(tmp_path: Path, *options: str) -> str:
    """Run ``serve`` with options it must refuse; return its one-line complaint."""
    done = subprocess.run(
        [sys.executable, "-m", "control_room", "serve", str(SCHEDULE), "--port", "0"]
        + ["--data-dir", str(tmp_path / "data"), "--at", AT, *options],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 1, done
    assert done.stdout == ""
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("control-room serve: "), done.stderr
    return lines[0]


def test_a_key_without_a_certificate_is_refused(tmp_path: Path) -> None:
    key = tmp_path / "key.pem"
    key.write_text("not a key\n")
    assert "--keyfile needs --certfile" in serve_refused(tmp_path, "--keyfile", str(key))


def test_a_certificate_that_does_not_load_is_refused_in_one_line(tmp_path: Path) -> None:
    cert = tmp_path / "cert.pem"
    cert.write_text("-----BEGIN CERTIFICATE-----\nnope\n-----END CERTIFICATE-----\n")
    message = serve_refused(tmp_path, "--certfile", str(cert))
    assert f"cannot use the TLS certificate {cert}" in message
    missing = serve_refused(tmp_path, "--certfile", str(tmp_path / "missing.pem"))
    assert "No such file" in missing


@pytest.mark.parametrize(
    "url", ["regie.example.org", "ftp://regie.example.org", "https://regie.example.org/show"]
)
def test_a_public_url_that_is_not_the_root_of_a_site_is_refused(tmp_path: Path, url: str) -> None:
    assert "--public-url" in serve_refused(tmp_path, "--public-url", url)


def test_the_public_url_is_the_origin_of_the_site() -> None:
    assert public_base("https://Regie.example.org/") == "https://Regie.example.org"
    assert public_base("http://10.0.0.5:8000") == "http://10.0.0.5:8000"


async def test_the_screens_are_printed_at_the_public_url_and_its_pages_may_connect(
    launch: Launch,
) -> None:
    public = "https://regie.example.org"
    served = launch("--public-url", public + "/")
    assert f"public URL {public}" in served.output()
    urls = served.urls()
    assert f"{public}/regie" in urls and f"{public}/login" in urls  # the token: never printed
    assert f"{public}/overlay/main" in urls and f"{public}/timer/main" in urls
    assert all(url.startswith(public + "/") for url in urls), urls
    # A proxy that forwards another Host (nginx's default) still lets the public pages in,
    # and only them.
    ws_url = "ws" + served.base_url[4:] + "/ws"
    async with WsClient.connect(ws_url, origin=public) as client:
        await client.wait_for(lambda m: m["type"] == "state", what="snapshot")
    with pytest.raises(InvalidStatus) as refused:
        async with WsClient.connect(ws_url, origin="https://evil.example.com"):
            pass
    assert refused.value.response.status_code == 403
