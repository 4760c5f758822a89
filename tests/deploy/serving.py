"""The real server with any options, on any scheme, for the deployment tests.

``tests.support.server`` starts a plain-HTTP server; these tests also need HTTPS and a
server behind a reverse proxy (and an installed one), so ``start`` runs
``python -m control_room serve`` with the options given, and ``wait_served`` waits (with a
deadline) for its "serving on" line and its health check over the scheme it prints.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import socket
import ssl
import subprocess
import sys
import urllib.error
import urllib.request
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tests.support.server import REPO, ServerFailed, eventually

SCHEDULE = REPO / "schedules" / "rnct-2026-07-07.yaml"
AT = "2026-07-07T11:00:00+02:00"  # main is in the middle of a segment: a hold is accepted
_SERVING = re.compile(r"serving on (https?://\S+)")


def free_port() -> int:
    """A loopback port free right now (for programs that cannot be told to pick one)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def fetch(
    url: str,
    *,
    method: str = "GET",
    body: Any = None,
    headers: dict[str, str] | None = None,
    context: ssl.SSLContext | None = None,
    timeout: float = 10.0,
) -> tuple[int, dict[str, str], str]:
    """One HTTP(S) request: status, headers (lower-case names) and the body as text."""
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(url, data=data, method=method, headers=headers or {})
    if data is not None:
        req.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(req, timeout=timeout, context=context) as response:
            status, head, raw = response.status, response.headers, response.read()
    except urllib.error.HTTPError as exc:
        status, head, raw = exc.code, exc.headers, exc.read()
    return status, {k.lower(): v for k, v in head.items()}, raw.decode("utf-8", "replace")


@dataclass
class Served:
    """A running ``control-room serve``, and what it printed."""

    process: subprocess.Popen[bytes]
    base_url: str
    token: str
    log_path: Path

    def output(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")

    def urls(self) -> list[str]:
        """Every URL the server printed under its "serving on" line."""
        return re.findall(r"^\s+.+?\s{2,}(\S+://\S+)$", self.output(), flags=re.MULTILINE)


Launch = Callable[..., Served]
"""The ``launch`` fixture: ``launch(*options, context=None)`` -> a running server."""


def wait_served(
    process: subprocess.Popen[bytes],
    log_path: Path,
    token: str,
    *,
    context: ssl.SSLContext | None = None,
    timeout: float = 30.0,
) -> Served:
    """Wait for the "serving on" line, then for ``/-/health`` over the printed scheme.

    Raises:
        ServerFailed: it exited, or did not answer in time (its output is in the message).
    """
    box: list[Served] = []

    def up() -> bool:
        if process.poll() is not None:
            raise ServerFailed(f"exited with {process.returncode}:\n{log_path.read_text()}")
        if not box:
            found = _SERVING.search(log_path.read_text(errors="replace"))
            if not found:
                return False
            box.append(Served(process, found.group(1), token, log_path))
        status, _, body = fetch(box[0].base_url + "/-/health", context=context, timeout=2)
        return status == 200 and bool(json.loads(body).get("ok"))

    try:
        eventually(up, timeout=timeout, what="server health")
    except TimeoutError as exc:
        raise ServerFailed(f"{exc}\n{log_path.read_text(errors='replace')}") from None
    return box[0]


def stop(process: subprocess.Popen[bytes]) -> None:
    """SIGTERM, then SIGKILL if it lingers."""
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


def start(
    tmp_path: Path, index: int, *options: str, context: ssl.SSLContext | None = None
) -> Served:
    """Start ``python -m control_room serve`` (this checkout) on the shipped day, with options.

    Args:
        index: numbers its log and data dir in ``tmp_path``.
        context: the TLS context its health check uses.
    """
    token = secrets.token_urlsafe(12)
    log_path = tmp_path / f"server-{index}.log"
    args: Sequence[str] = [
        sys.executable,
        "-m",
        "control_room",
        "serve",
        str(SCHEDULE),
        "--host",
        "127.0.0.1",
        "--port",
        "0",
        "--data-dir",
        str(tmp_path / f"data-{index}"),
        "--at",
        AT,
        "--speed",
        "1",
        *options,
    ]
    env = {**os.environ, "CONTROL_ROOM_TOKEN": token, "PYTHONUNBUFFERED": "1"}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH")]))
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            args, stdout=log, stderr=subprocess.STDOUT, env=env, cwd=str(REPO)
        )
    try:
        return wait_served(process, log_path, token, context=context)
    except BaseException:
        stop(process)
        raise
