"""Real parts for the cluster tests: Debian's redis-server on a free loopback port, and
several real control-room servers (tests/support/server.py) joined to it.

    redis = RedisServer(tmp_path / "redis")       # --appendonly yes --appendfsync always
    redis.start()
    cluster = Cluster(SCHEDULE, redis, tmp_path, token="...")
    cluster.start(3)
    leader = cluster.wait_leader()

Nothing is mocked: Redis is the real server (never fakeredis), each instance a real
``control-room serve --redis`` process with its own data dir and port. Every wait has a
deadline (``eventually``), never a guessed sleep.
"""

from __future__ import annotations

import http.client
import shutil
import signal
import socket
import subprocess
import time
import urllib.parse
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from tests.support.server import RunningServer, ServerFailed, eventually, start_server

__all__ = ["Cluster", "RedisServer", "free_port"]

REDIS_SERVER = "/usr/bin/redis-server"
SCHEDULE = Path(__file__).resolve().parents[2] / "schedules" / "rnct-2026-07-07.yaml"
FIXED_AT = "2026-07-07T12:30:00+02:00"
"""The instant states are compared at (after every command: ``/api/state?at=``)."""


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class RedisServer:
    """redis-server with the persistence the cluster needs (docs/cluster.md)."""

    def __init__(self, root: Path, port: int | None = None) -> None:
        if shutil.which(REDIS_SERVER) is None:  # never a skip: .ci/run installs it
            raise RuntimeError(f"{REDIS_SERVER} is not installed (make system-deps)")
        self.root = root
        self.port = port or free_port()
        self.process: subprocess.Popen[bytes] | None = None
        root.mkdir(parents=True, exist_ok=True)

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        log = (self.root / "redis.log").open("ab")
        self.process = subprocess.Popen(
            [
                REDIS_SERVER,
                "--port", str(self.port),
                "--bind", "127.0.0.1",
                "--appendonly", "yes",
                "--appendfsync", "always",
                "--dir", str(self.root),
                "--save", "",
                "--daemonize", "no",
            ],
            stdout=log,
            stderr=subprocess.STDOUT,
        )  # fmt: skip
        log.close()
        eventually(self.ping, timeout=10, what="redis-server answers PING")

    def ping(self) -> bool:
        with socket.create_connection(("127.0.0.1", self.port), timeout=1) as sock:
            sock.sendall(b"PING\r\n")
            return sock.recv(64).startswith(b"+PONG")

    def client(self) -> Any:
        import redis

        return redis.Redis(host="127.0.0.1", port=self.port, decode_responses=True)

    def kill(self) -> None:
        """SIGKILL: Redis dies at once (what was fsynced to the AOF is what it has)."""
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(timeout=10)
        self.process = None

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.kill()
        self.process = None


class Cluster:
    """Several instances of one show on one Redis."""

    def __init__(
        self,
        schedule: Path,
        redis: RedisServer,
        root: Path,
        *,
        token: str,
        at: str = "2026-07-07T10:30",
        speed: float = 1,
        lease_ms: int = 3000,
        extra_args: tuple[str, ...] = (),
    ) -> None:
        self.schedule = schedule
        self.redis = redis
        self.root = root
        self.token = token
        self.at = at
        self.speed = speed
        self.lease_ms = lease_ms
        self.extra_args = extra_args
        self.nodes: list[RunningServer | None] = []

    def data_dir(self, i: int) -> Path:
        return self.root / f"node{i}"

    def start(self, count: int) -> None:
        """Start ``count`` more instances, side by side (a loaded box starts them slowly)."""
        first = len(self.nodes)
        self.nodes.extend([None] * count)
        with ThreadPoolExecutor(max_workers=count) as pool:
            for started in [pool.submit(self.start_node, i) for i in range(first, first + count)]:
                started.result()

    def start_node(self, i: int, **options: Any) -> RunningServer:
        server = start_server(
            self.schedule,
            data_dir=self.data_dir(i),
            at=self.at,
            speed=self.speed,
            token=self.token,
            extra_args=[
                "--redis", self.redis.url, "--lease-ms", str(self.lease_ms), *self.extra_args,
            ],
            **options,
        )  # fmt: skip
        self.nodes[i] = server
        return server

    def alive(self) -> list[int]:
        return [i for i, s in enumerate(self.nodes) if s is not None]

    def node(self, i: int) -> RunningServer:
        server = self.nodes[i]
        assert server is not None, f"node {i} is not running"
        return server

    def kill(self, i: int) -> None:
        self.node(i).kill()
        self.nodes[i] = None

    def stop(self) -> None:
        for i in self.alive():
            self.node(i).stop()
            self.nodes[i] = None

    def health(self, i: int, *, timeout: float = 2.0) -> dict[str, Any] | None:
        """The node's ``cluster`` health, or None when it does not answer."""
        try:
            status, body = self.node(i).request("GET", "/-/health", timeout=timeout)
        except (OSError, http.client.HTTPException, ServerFailed):  # killed mid-answer
            return None
        if status != 200 or not isinstance(body, dict):
            return None
        cluster: dict[str, Any] = body["cluster"]
        return cluster

    def leaders(self) -> list[tuple[int, dict[str, Any]]]:
        found = [(i, self.health(i)) for i in self.alive()]
        return [(i, h) for i, h in found if h is not None and h["role"] == "leader"]

    def wait_leader(self, *, timeout: float = 15.0, among: list[int] | None = None) -> int:
        def one() -> int | None:
            leaders = [i for i, _ in self.leaders() if among is None or i in among]
            return leaders[0] + 1 if len(leaders) == 1 else None

        return eventually(one, timeout=timeout, interval=0.01, what="one leader") - 1

    def command(self, i: int, command: dict[str, Any], *, who: str) -> tuple[int, Any]:
        return self.node(i).request(
            "POST",
            "/api/commands",
            body=command,
            token=self.token,
            headers={"X-Operator": who},
            timeout=20,
        )

    def journal(self, i: int) -> list[dict[str, Any]]:
        status, body = self.node(i).request("GET", "/api/journal", token=self.token)
        assert status == 200, (status, body)
        return [
            {key: entry[key] for key in ("seq", "wall", "show", "who", "command", "voided_by")}
            for entry in body["entries"]
        ]

    def state_at(self, i: int, at: str = FIXED_AT) -> Any:
        query = urllib.parse.urlencode({"at": at})
        status, body = self.node(i).request("GET", f"/api/state?{query}")
        assert status == 200, (status, body)
        body.pop("server_time", None)
        return body

    def wait_converged(self, *, timeout: float = 20.0) -> int:
        """Until every running node's journal and stream agree; returns the seq."""

        def same() -> int | None:
            seen = [self.health(i) for i in self.alive()]
            if any(h is None for h in seen):
                return None
            seqs = {h["seq"] for h in seen if h is not None}
            streams = {h["stream_seq"] for h in seen if h is not None}
            if len(seqs) == 1 and seqs == streams:
                return seqs.pop() + 1
            return None

        return eventually(same, timeout=timeout, interval=0.02, what="journals converged") - 1


def monotonic_ms() -> float:
    return time.monotonic() * 1000
