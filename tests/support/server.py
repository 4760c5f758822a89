"""Start the real control-room server in a subprocess, for end-to-end tests.

    from tests.support.server import run_server

    with run_server(SCHEDULE, at="2026-07-07T11:44:50", speed=60) as server:
        server.base_url   # http://127.0.0.1:PORT
        server.ws_url     # ws://127.0.0.1:PORT/ws
        server.token      # the operator token
        server.get_json("/api/state")

The server is ``python -m control_room serve FILE --port 0`` on 127.0.0.1, with
a temporary data directory (or the one given, to restart on the same journal),
a known operator token (``CONTROL_ROOM_TOKEN``) and, when ``at`` is given, a
rehearsal clock. The helper waits (with a deadline, never a guessed sleep) for
the "serving on" line and for ``/-/health`` to answer, and kills the process
afterwards. ``server.kill()`` sends SIGKILL (a crash); ``start_server`` gives a
server without the context manager, for restart scenarios.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

__all__ = [
    "REPO",
    "RunningServer",
    "ServerFailed",
    "eventually",
    "settled",
    "run_server",
    "start_server",
]

REPO = Path(__file__).resolve().parents[2]
_SERVING = re.compile(r"serving on (http://\S+)")

T = TypeVar("T")


class ServerFailed(RuntimeError):
    """The server did not come up; the message includes its output."""


def eventually(
    probe: Callable[[], T | None], *, timeout: float = 10.0, interval: float = 0.02, what: str = ""
) -> T:
    """Call ``probe`` until it returns something truthy, or fail after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    last_error: BaseException | None = None
    while True:
        try:
            value = probe()
            if value:
                return value
        except ServerFailed:
            raise
        except Exception as exc:  # noqa: BLE001 - retried until the deadline
            last_error = exc
        if time.monotonic() > deadline:
            raise TimeoutError(f"not true after {timeout:g} s: {what} (last error: {last_error!r})")
        time.sleep(interval)


def settled(probe: Callable[[], T], expected: T, *, timeout: float = 10.0, what: str = "") -> T:
    """Call ``probe`` until it returns ``expected`` (or ``timeout`` passes); its last value,
    for the caller's assertion to show what differs (a record written a moment late)."""
    with suppress(TimeoutError):
        eventually(lambda: probe() == expected, timeout=timeout, what=what)
    return probe()


@dataclass
class RunningServer:
    """A server subprocess that answered its health check."""

    process: subprocess.Popen[bytes]
    base_url: str
    token: str
    data_dir: Path
    log_path: Path
    schedule: Path
    args: list[str] = field(default_factory=list)

    @property
    def port(self) -> int:
        return int(self.base_url.rsplit(":", 1)[1])

    @property
    def ws_url(self) -> str:
        return "ws" + self.base_url[4:] + "/ws"

    def output(self) -> str:
        """Everything the server printed so far (stdout and stderr)."""
        return self.log_path.read_text(encoding="utf-8", errors="replace")

    def request(
        self,
        method: str,
        path: str,
        *,
        body: Any = None,
        token: str | None = None,
        headers: dict[str, str] | None = None,
        timeout: float = 10.0,
    ) -> tuple[int, Any]:
        """An HTTP request; returns (status, decoded JSON body or text)."""
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(self.base_url + path, data=data, method=method)
        if data is not None:
            req.add_header("Content-Type", "application/json")
        if token is not None:
            req.add_header("Authorization", f"Bearer {token}")
        for name, value in (headers or {}).items():
            req.add_header(name, value)
        try:
            with urllib.request.urlopen(req, timeout=timeout) as response:
                status, raw = response.status, response.read()
        except urllib.error.HTTPError as exc:
            status, raw = exc.code, exc.read()
        text = raw.decode("utf-8", errors="replace")
        try:
            return status, json.loads(text)
        except ValueError:
            return status, text

    def get_json(self, path: str) -> Any:
        status, body = self.request("GET", path)
        assert status == 200, (status, body)
        return body

    def command(self, command: dict[str, Any], *, who: str = "test") -> tuple[int, Any]:
        """POST an operator command with the token."""
        return self.request(
            "POST", "/api/commands", body=command, token=self.token, headers={"X-Operator": who}
        )

    def kill(self) -> None:
        """SIGKILL: the server dies at once, as in a crash."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self) -> None:
        """SIGTERM, then SIGKILL if it lingers."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.kill()


def start_server(
    schedule: str | Path,
    *,
    data_dir: str | Path | None = None,
    at: str | None = None,
    speed: float | None = None,
    token: str | None = None,
    generate_token: bool = False,
    extra_args: Sequence[str] = (),
    env: dict[str, str] | None = None,
    timeout: float = 30.0,
) -> RunningServer:
    """Start a server and wait for its health check. The caller must stop it.

    Args:
        generate_token: do not pass $CONTROL_ROOM_TOKEN: the server generates (or reuses)
            the token of its data dir; ``server.token`` is read from there.

    Raises:
        ServerFailed: it exited or did not answer in time (its output is in the message).
    """
    schedule = Path(schedule)
    data = Path(data_dir) if data_dir is not None else Path(tempfile.mkdtemp(prefix="cr-data-"))
    token = token or secrets.token_urlsafe(12)
    log_dir = Path(tempfile.mkdtemp(prefix="cr-log-"))
    log_path = log_dir / "server.log"
    args = [
        sys.executable,
        "-m",
        "control_room",
        "serve",
        str(schedule),
        "--host",
        "127.0.0.1",
        "--port",
        "0",
        "--data-dir",
        str(data),
    ]
    if at is not None:
        args += ["--at", at]
    if speed is not None:
        args += ["--speed", str(speed)]
    args += list(extra_args)
    child_env = dict(os.environ)
    if generate_token:  # let the server make its own and store it in the data dir
        child_env.pop("CONTROL_ROOM_TOKEN", None)
    else:
        child_env["CONTROL_ROOM_TOKEN"] = token
    child_env["PYTHONUNBUFFERED"] = "1"
    child_env["PYTHONPATH"] = os.pathsep.join(
        [str(REPO), *filter(None, [os.environ.get("PYTHONPATH")])]
    )
    child_env.update(env or {})
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            args, stdout=log, stderr=subprocess.STDOUT, env=child_env, cwd=str(REPO)
        )
    server_box: list[RunningServer] = []

    def up() -> bool:
        if process.poll() is not None:
            raise ServerFailed(
                f"server exited with {process.returncode}:\n{log_path.read_text(errors='replace')}"
            )
        if not server_box:
            found = _SERVING.search(log_path.read_text(errors="replace"))
            if not found:
                return False
            server_box.append(
                RunningServer(process, found.group(1), token, data, log_path, schedule, args)
            )
        status, body = server_box[0].request("GET", "/-/health", timeout=2)
        return status == 200 and bool(body.get("ok"))

    try:
        eventually(up, timeout=timeout, what="server health")
        if generate_token:
            server_box[0].token = (data / "token").read_text(encoding="utf-8").strip()
    except ServerFailed:
        raise
    except TimeoutError as exc:
        process.kill()
        process.wait()
        raise ServerFailed(f"{exc}\n{log_path.read_text(errors='replace')}") from None
    return server_box[0]


@contextmanager
def run_server(schedule: str | Path, **options: Any) -> Iterator[RunningServer]:
    """Start a server (see :func:`start_server`), yield it, stop it, and remove the
    temporary directories it made (its log, and its data dir unless one was given)."""
    server = start_server(schedule, **options)
    try:
        yield server
    finally:
        server.stop()
        shutil.rmtree(server.log_path.parent, ignore_errors=True)
        if options.get("data_dir") is None:
            shutil.rmtree(server.data_dir, ignore_errors=True)
