"""``serve --certfile/--keyfile``: HTTPS and WSS for real, with a certificate made here.

The certificate is self-signed by Debian's ``openssl`` for 127.0.0.1 and pinned as the
only trusted CA of the client: a fetch that succeeds proves the server presented it.
"""

from __future__ import annotations

import http.client
import json
import shutil
import ssl
import subprocess
from pathlib import Path

import pytest
from websockets.asyncio.client import connect

from tests.deploy.serving import Launch, fetch


@pytest.fixture(scope="module")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1 and localhost, and its key."""
    openssl = shutil.which("openssl")
    assert openssl, "openssl is missing: apt-get install openssl (make system-deps does)"
    where = tmp_path_factory.mktemp("tls")
    cert, key = where / "cert.pem", where / "key.pem"
    subprocess.run(
        [openssl, "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1"]
        + ["-nodes", "-days", "2", "-subj", "/CN=127.0.0.1", "-keyout", str(key)]
        + ["-out", str(cert), "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost"],
        check=True,
        capture_output=True,
    )
    return cert, key


def pinned(cert: Path) -> ssl.SSLContext:
    """A client context that trusts this one certificate and nothing else."""
    return ssl.create_default_context(cafile=str(cert))


async def test_the_server_speaks_https_and_wss_with_the_certificate_given(
    launch: Launch, certificate: tuple[Path, Path]
) -> None:
    cert, key = certificate
    context = pinned(cert)
    served = launch("--certfile", str(cert), "--keyfile", str(key), context=context)
    assert served.base_url.startswith("https://127.0.0.1:")

    status, _, body = fetch(served.base_url + "/-/health", context=context)
    assert status == 200 and json.loads(body)["ok"] is True

    port = served.base_url.rsplit(":", 1)[1]
    wss = f"wss://127.0.0.1:{port}/ws?role=overlay&channels=main"
    async with connect(wss, ssl=context, origin=served.base_url, open_timeout=10) as ws:  # type: ignore[arg-type]
        welcome = json.loads(await ws.recv())
        state = json.loads(await ws.recv())
    assert welcome["type"] == "welcome"
    assert state["type"] == "state" and [c["id"] for c in state["state"]["channels"]] == ["main"]


def test_every_printed_url_is_https_with_a_certificate(
    launch: Launch, certificate: tuple[Path, Path]
) -> None:
    cert, key = certificate
    served = launch("--certfile", str(cert), "--keyfile", str(key), context=pinned(cert))
    urls = served.urls()
    assert len(urls) > 5
    assert all(url.startswith(served.base_url + "/") for url in urls), urls
    assert f"{served.base_url}/regie" in urls and f"{served.base_url}/login" in urls


def test_plain_http_gets_no_answer_on_the_tls_port(
    launch: Launch, certificate: tuple[Path, Path]
) -> None:
    cert, key = certificate
    served = launch("--certfile", str(cert), "--keyfile", str(key), context=pinned(cert))
    with pytest.raises((OSError, http.client.HTTPException)):
        fetch("http" + served.base_url[5:] + "/api/state", timeout=5)


def test_a_client_that_does_not_trust_the_certificate_cannot_connect(
    launch: Launch, certificate: tuple[Path, Path]
) -> None:
    cert, key = certificate
    served = launch("--certfile", str(cert), "--keyfile", str(key), context=pinned(cert))
    with pytest.raises(OSError, match="CERTIFICATE_VERIFY_FAILED"):
        fetch(served.base_url + "/-/health", context=ssl.create_default_context())
