"""A client that never reads does not delay the others; one that overflows is closed and
counted. Proved by events, not by timing: the others get every change while the frozen
client is still connected with a send timeout far longer than the show (the in-process twin
is tests/test_hub.py::test_a_stalled_client_does_not_delay_the_others; the lateness figures
are bench/bench_push.py's)."""

from __future__ import annotations

import asyncio
import datetime as dt
from pathlib import Path

from conftest import SHORT_DAY
from test_e2e_rehearsal import START, expected_cues, follow, lateness, summary, view_changes

from tests.support.rawws import RawClient
from tests.support.server import eventually, run_server


async def test_a_client_that_never_reads_does_not_delay_the_others(tmp_path: Path) -> None:
    cues = expected_cues()
    with run_server(
        SHORT_DAY,
        data_dir=tmp_path / "data",
        at=START.isoformat(),
        speed=120,
        extra_args=["--send-timeout", "600", "--queue-limit", "16", "--heartbeat", "600"],
    ) as s:
        # A frozen screen: connected, never reads a byte.
        frozen = RawClient(s.port, query="role=overlay", rcvbuf=4096)
        # A stuck screen with a lot coming: it asks for snapshot after snapshot (each hello
        # changes its role: a hello that changes nothing is not answered), never reads.
        stuck = RawClient(s.port, query="role=viewer", rcvbuf=4096)
        for n in range(300):
            stuck.send({"type": "hello", "role": "overlay" if n % 2 == 0 else "viewer"})
        try:
            followers = [
                follow(s.ws_url, {"role": "viewer"}, len(view_changes(cues, None)))
                for _ in range(3)
            ]
            drain = asyncio.create_task(keep_writing(stuck))
            received = await asyncio.gather(*followers)
            # Every follower has had the whole day: the frozen client is still connected, so
            # no push waited for it (its send could only have given up after 600 s).
            still_connected = s.get_json("/-/health")["clients"]
            health = eventually(
                lambda: (h := s.get_json("/-/health"))["slow_closed"] >= 1 and h,
                timeout=10,
                what="the stuck client closed as too slow (its queue overflowed)",
            )
            drain.cancel()
        finally:
            frozen.close()
            stuck.close()

    server_late: list[float] = []
    client_late: list[float] = []
    for states in received:
        pushes = states[1:]
        got = [dt.datetime.fromisoformat(m["cause"]["cue"]) for m in pushes]
        assert got == view_changes(cues, None)
        late_server, late_client = lateness(pushes)
        server_late += late_server
        client_late += late_client
    print()
    print(f"with a frozen and a stuck client: slow_closed={health['slow_closed']}")
    print(summary("server stamp - cue instant", server_late))
    print(summary("client receipt - cue instant", client_late))
    assert still_connected >= 1  # the frozen one (the followers have closed)
    assert health["slow_closed"] == 1  # the stuck one only: the frozen one was never timed out


async def keep_writing(client: RawClient) -> None:
    """Keep asking for snapshots, never reading, until the server drops the connection:
    its frames fill the kernel's buffers, then the transport's, then the queue."""
    for _ in range(20_000):
        try:
            if client.drain():
                for n in range(10):
                    client.send({"type": "hello", "role": "overlay" if n % 2 == 0 else "viewer"})
        except OSError:
            return  # dropped by the server
        await asyncio.sleep(0.002)
