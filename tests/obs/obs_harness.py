"""Run a real OBS Studio under Xvfb for the tests and the switcher benchmark.

- :class:`Xvfb` starts a virtual X server on a display it picks itself
  (``-displayfd``), so parallel runs never fight over ``:99``.
- :class:`ObsProcess` starts ``obs`` with its own ``HOME`` and
  ``XDG_CONFIG_HOME`` (a ``global.ini`` enabling obs-websocket on a free port,
  with a password), waits until the websocket server completes a real
  Identify handshake (deadline, no guessed sleeps), and kills its whole process
  group on stop. It can be killed and restarted on the same port and config.

Facts checked with Debian's obs-studio 29.0.2 (obs-websocket 5.1.0): the port
answers about 0.5 s after launch on an idle machine, several seconds on a busy
2-core CI runner; scenes created over the protocol are not saved to the scene
collection until OBS exits cleanly, so a killed OBS comes back with only its
default "Scene" (the harness re-creates scenes on request).
"""

from __future__ import annotations

import asyncio
import os
import select
import shutil
import signal
import socket
import subprocess
import time
from collections.abc import Awaitable, Callable, Iterable
from pathlib import Path
from typing import TypeVar

from control_room.obs import ObsClient, ObsError, ObsUnavailable

__all__ = [
    "ObsFactory",
    "ObsProcess",
    "Xvfb",
    "eventually",
    "free_port",
    "missing_binaries",
    "program_scene",
    "until",
]

T = TypeVar("T")

ObsFactory = Callable[..., "ObsProcess"]
"""The ``obs_factory`` fixture: ``obs_factory(studio_mode=False) -> ObsProcess`` (not started)."""

OBS_START_TIMEOUT = float(os.environ.get("CONTROL_ROOM_OBS_START_TIMEOUT", "90"))


def missing_binaries() -> list[str]:
    """The executables these tests need and cannot find on PATH."""
    return [name for name in ("obs", "Xvfb") if shutil.which(name) is None]


def free_port() -> int:
    """A TCP port free on loopback right now (bound then released)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _kill_group(proc: subprocess.Popen[bytes], sig: int = signal.SIGKILL) -> None:
    if proc.poll() is None:
        try:
            os.killpg(proc.pid, sig)
        except ProcessLookupError:
            pass
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)


class Xvfb:
    """A virtual X display. ``Xvfb.start()`` returns once it accepts clients."""

    def __init__(self, proc: subprocess.Popen[bytes], display: str) -> None:
        self.proc = proc
        self.display = display

    @classmethod
    def start(cls, *, timeout: float = 30.0) -> Xvfb:
        read_fd, write_fd = os.pipe()
        try:
            proc = subprocess.Popen(
                [
                    "Xvfb",
                    "-displayfd",
                    str(write_fd),
                    "-screen",
                    "0",
                    "1280x720x24",
                    "-nolisten",
                    "tcp",
                ],
                pass_fds=(write_fd,),
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                start_new_session=True,
            )
        finally:
            os.close(write_fd)
        try:
            # Xvfb writes the display number once it is ready for clients.
            data = b""
            deadline = time.monotonic() + timeout
            while not data.endswith(b"\n"):
                left = deadline - time.monotonic()
                ready, _, _ = select.select([read_fd], [], [], max(left, 0))
                if not ready:
                    _kill_group(proc)
                    raise RuntimeError(f"Xvfb did not start within {timeout} s")
                chunk = os.read(read_fd, 64)
                if not chunk:
                    code = proc.wait(timeout=5)
                    raise RuntimeError(f"Xvfb exited with {code} before announcing a display")
                data += chunk
        finally:
            os.close(read_fd)
        return cls(proc, ":" + data.decode().strip())

    def stop(self) -> None:
        _kill_group(self.proc, signal.SIGTERM)


class ObsProcess:
    """One OBS Studio with obs-websocket on ``url``, protected by ``password``.

    Args:
        display: the X display to run on (e.g. from :class:`Xvfb`).
        root: an empty directory that becomes OBS's ``HOME`` and config folder.
        password: the websocket password.
        port: the websocket port (default: a free one).
        studio_mode: start OBS in studio mode (preview + program).
    """

    def __init__(
        self,
        *,
        display: str,
        root: Path,
        password: str = "obs-test-password",
        port: int | None = None,
        studio_mode: bool = False,
    ) -> None:
        self.display = display
        self.root = root
        self.password = password
        self.port = port or free_port()
        self.studio_mode = studio_mode
        self.proc: subprocess.Popen[bytes] | None = None
        self.log_path = root / "obs-output.log"
        self.starts = 0

    @property
    def url(self) -> str:
        return f"ws://127.0.0.1:{self.port}"

    def client(self, *, password: str | None = None) -> ObsClient:
        """A new (unconnected) client with the right password unless told otherwise."""
        return ObsClient(self.url, password=self.password if password is None else password)

    # -- process ---------------------------------------------------------

    def _write_config(self) -> None:
        config = self.root / "config" / "obs-studio"
        config.mkdir(parents=True, exist_ok=True)
        (self.root / "home").mkdir(exist_ok=True)
        (config / "global.ini").write_text(
            "[General]\n"
            "FirstRun=true\n"
            "[OBSWebSocket]\n"
            "FirstLoad=false\n"
            "ServerEnabled=true\n"
            f"ServerPort={self.port}\n"
            "AuthRequired=true\n"
            f"ServerPassword={self.password}\n"
            "AlertsEnabled=false\n"
        )

    def launch(self) -> None:
        """Spawn OBS and return at once (see :meth:`wait_ready`)."""
        if self.proc is not None and self.proc.poll() is None:
            raise RuntimeError("OBS is already running")
        self._write_config()
        env = dict(os.environ)
        env.update(
            HOME=str(self.root / "home"),
            XDG_CONFIG_HOME=str(self.root / "config"),
            DISPLAY=self.display,
            LIBGL_ALWAYS_SOFTWARE="1",
        )
        for name in ("WAYLAND_DISPLAY", "DBUS_SESSION_BUS_ADDRESS", "SESSION_MANAGER"):
            env.pop(name, None)
        args = ["obs", "--multi", "--disable-shutdown-check", "--disable-missing-files-check"]
        if self.studio_mode:
            args.append("--studio-mode")
        with open(self.log_path, "ab") as log:
            self.proc = subprocess.Popen(
                args,
                cwd=self.root,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        self.starts += 1

    def start(self, *, timeout: float = OBS_START_TIMEOUT) -> None:
        """Launch OBS and return once its websocket server completes a handshake.

        For synchronous code (fixtures); async tests use :meth:`astart`.
        """
        self.launch()
        asyncio.run(self.wait_ready(timeout=timeout))

    async def astart(self, *, timeout: float = OBS_START_TIMEOUT) -> None:
        """:meth:`start` for async code: the event loop keeps running meanwhile."""
        self.launch()
        await self.wait_ready(timeout=timeout)

    async def wait_ready(self, *, timeout: float = OBS_START_TIMEOUT) -> None:
        """Wait until a client completes Identify, or fail with OBS's log tail."""
        deadline = time.monotonic() + timeout
        last: Exception | None = None
        while time.monotonic() < deadline:
            assert self.proc is not None
            if self.proc.poll() is not None:
                raise RuntimeError(
                    f"OBS exited with {self.proc.returncode} before its websocket answered\n"
                    + self.log_tail()
                )
            try:
                await self._probe()
                return
            except ObsUnavailable as exc:
                last = exc
            await asyncio.sleep(0.1)  # polling interval of a condition, not a guess
        self.kill()
        raise RuntimeError(
            f"OBS websocket on port {self.port} did not answer within {timeout} s ({last})\n"
            + self.log_tail()
        )

    async def _probe(self) -> None:
        async with self.client() as obs:
            await obs.get_version()

    def kill(self) -> None:
        """SIGKILL OBS's whole process group (a crash, as far as OBS knows)."""
        if self.proc is not None:
            _kill_group(self.proc)

    def stop(self) -> None:
        """Stop OBS for good (teardown)."""
        self.kill()

    async def arestart(self, *, timeout: float = OBS_START_TIMEOUT) -> None:
        """Kill OBS and start it again on the same port and config folder."""
        self.kill()
        await self.astart(timeout=timeout)

    @property
    def running(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def log_tail(self, lines: int = 40) -> str:
        try:
            text = self.log_path.read_text(errors="replace")
        except OSError:
            return "(no OBS log)"
        return "\n".join(text.splitlines()[-lines:])

    # -- scenes ----------------------------------------------------------

    async def setup_scenes(self, scenes: Iterable[str], *, program: str | None = None) -> None:
        """Create ``scenes`` (existing ones are kept), use the Cut transition.

        The Cut transition makes OBS switch (and emit CurrentProgramSceneChanged)
        on the next frame; OBS's default Fade only reports the change when its
        300 ms transition ends.
        """
        async with self.client() as obs:
            for scene in scenes:
                await obs.create_scene(scene, exist_ok=True)
            await obs.request("SetCurrentSceneTransition", {"transitionName": "Cut"})
            if program is not None:
                await obs.set_program_scene(program)

    def setup_scenes_sync(self, scenes: Iterable[str], *, program: str | None = None) -> None:
        """:meth:`setup_scenes` from synchronous code (no running event loop)."""
        asyncio.run(self.setup_scenes(list(scenes), program=program))


async def program_scene(obs: ObsProcess) -> str | None:
    """OBS's program scene right now, or ``None`` if OBS does not answer."""
    try:
        async with obs.client() as client:
            return await client.get_program_scene()
    except ObsError:
        return None


async def eventually(
    probe: Callable[[], Awaitable[T]],
    predicate: Callable[[T], bool],
    *,
    timeout: float = 10.0,
    what: str = "condition",
) -> T:
    """Poll ``await probe()`` until ``predicate(value)``; fail after ``timeout`` s."""
    deadline = time.monotonic() + timeout
    value = await probe()
    while not predicate(value):
        if time.monotonic() > deadline:
            raise AssertionError(f"{what}: still {value!r} after {timeout} s")
        await asyncio.sleep(0.02)
        value = await probe()
    return value


async def until(condition: Callable[[], bool], *, timeout: float = 10.0, what: str = "") -> None:
    """Wait (polling) until ``condition()`` is true; fail after ``timeout`` s."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what or condition}")
        await asyncio.sleep(0.01)
