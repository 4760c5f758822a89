"""A site's contribution feed for the tests: Debian's ffmpeg sends a test pattern (x264 +
AAC in MPEG-TS) over UDP on loopback, and OBS reads it in a media source.

- :class:`Feed`: start / kill the ffmpeg sender (a dropped link, as OBS sees it).
- :func:`add_feed_input`: an ``ffmpeg_source`` reading ``udp://127.0.0.1:PORT`` in a scene.
- :func:`free_udp_port`.

Plain UDP is what OBS 29's media source reads most reliably here: it plays a few hundred
milliseconds after the first keyframe, and when the sender comes back it just goes on
reading from the same socket (no reconnect delay). See docs/switcher.md, "What OBS
reports".
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess

from control_room.obs import ObsClient

__all__ = ["Feed", "add_feed_input", "free_udp_port", "missing_ffmpeg"]


def missing_ffmpeg() -> bool:
    return shutil.which("ffmpeg") is None


def free_udp_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Feed:
    """An ffmpeg process sending a live test pattern to ``udp://127.0.0.1:port``."""

    def __init__(self, port: int | None = None) -> None:
        self.port = port or free_udp_port()
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def obs_url(self) -> str:
        """What OBS's media source reads."""
        return f"udp://127.0.0.1:{self.port}"

    def start(self) -> None:
        if self.running:
            return
        self.proc = subprocess.Popen(
            [
                "ffmpeg",
                "-nostdin",
                "-loglevel",
                "error",
                "-re",
                "-f",
                "lavfi",
                "-i",
                "testsrc=size=320x240:rate=25",
                "-f",
                "lavfi",
                "-i",
                "sine",
                "-c:v",
                "libx264",
                "-preset",
                "ultrafast",
                "-tune",
                "zerolatency",
                "-g",
                "25",
                "-c:a",
                "aac",
                "-f",
                "mpegts",
                f"udp://127.0.0.1:{self.port}?pkt_size=1316",
            ],  # fmt: skip
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )

    def kill(self) -> None:
        """SIGKILL the sender: the link drops without a goodbye."""
        if self.proc is not None and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=10)
        self.proc = None

    @property
    def running(self) -> bool:
        return self.proc is not None and self.proc.poll() is None


async def add_feed_input(client: ObsClient, scene: str, input_name: str, url: str) -> None:
    """Put a media source reading ``url`` (a network stream) in ``scene``."""
    await client.create_scene(scene, exist_ok=True)
    await client.request(
        "CreateInput",
        {
            "sceneName": scene,
            "inputName": input_name,
            "inputKind": "ffmpeg_source",
            "inputSettings": {
                "is_local_file": False,
                "input": url,
                "restart_on_activate": False,
                "close_when_inactive": False,
                "reconnect_delay_sec": 1,
                "buffering_mb": 1,
            },
        },
    )
