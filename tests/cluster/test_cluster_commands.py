"""Three instances, one show: commands through each, the same state everywhere."""

from __future__ import annotations

import asyncio
import subprocess
from pathlib import Path
from typing import Any

from cluster_harness import SCHEDULE, Cluster, RedisServer

from tests.support.server import eventually, run_server, start_server
from tests.support.ws import WsClient


def test_commands_through_every_instance_reach_every_instance(cluster: Cluster) -> None:
    cluster.start(3)
    leader = cluster.wait_leader()
    health = cluster.health(leader)
    assert health is not None
    assert health["epoch"] >= 1 and health["redis"] == "ok" and health["leader"] == health["node"]
    followers = [i for i in cluster.alive() if i != leader]
    for i in followers:
        h = eventually(lambda i=i: cluster.health(i), what="follower health")
        assert h["role"] == "follower"
    acked = []
    for round_ in range(2):
        for i in cluster.alive():
            status, body = cluster.command(
                i, {"type": "slate", "channel": "main", "text": f"r{round_}-n{i}"}, who=f"n{i}"
            )
            assert status == 200, body
            # Acknowledged once committed; the instance answers with the state after it.
            assert body["state"]["channels"][0]["slate"]["text"] == f"r{round_}-n{i}"
            acked.append((body["seq"], f"n{i}"))
    assert [seq for seq, _ in acked] == list(range(1, 7))
    assert cluster.wait_converged() == 6
    journals = [cluster.journal(i) for i in cluster.alive()]
    assert all(j == journals[0] for j in journals)
    assert [(e["seq"], e["who"]) for e in journals[0]] == acked
    states = [cluster.state_at(i) for i in cluster.alive()]
    assert all(s == states[0] for s in states)
    for i in followers:
        h = cluster.health(i)
        assert h is not None and h["lag_entries"] == 0 and h["lag_ms"] is not None


def test_a_websocket_command_through_a_follower_is_pushed_by_every_instance(
    cluster: Cluster,
) -> None:
    cluster.start(3)
    leader = cluster.wait_leader()
    follower = next(i for i in cluster.alive() if i != leader)

    async def scenario() -> None:
        node = cluster.node(follower)
        hello = {"role": "regie", "token": cluster.token, "name": "Ana"}
        overlays = [
            WsClient.connect(cluster.node(i).ws_url, hello={"role": "overlay"})
            for i in cluster.alive()
        ]
        async with WsClient.connect(node.ws_url, hello=hello) as regie:
            clients = [await stack.__aenter__() for stack in overlays]
            try:
                for client in clients:
                    await client.wait_for(lambda m: m["type"] == "state", what="snapshot")
                result = await regie.command({"type": "slate", "channel": "main", "text": "WS"})
                assert result["ok"] is True and result["seq"] == 1, result
                for client in clients:
                    pushed = await client.wait_for(
                        lambda m: m["type"] == "state" and m["cause"].get("seq") == 1,
                        what="the command pushed by every instance",
                    )
                    main = next(c for c in pushed["state"]["channels"] if c["id"] == "main")
                    assert main["slate"]["text"] == "WS"
            finally:
                for stack in overlays:
                    await stack.__aexit__(None, None, None)

    asyncio.run(scenario())
    assert cluster.wait_converged() == 1


def test_a_follower_checks_the_token_and_the_command_itself(cluster: Cluster) -> None:
    cluster.start(2)
    leader = cluster.wait_leader()
    follower = next(i for i in cluster.alive() if i != leader)
    node = cluster.node(follower)
    status, body = node.request(
        "POST", "/api/commands", body={"type": "slate", "channel": "main", "text": "x"}
    )
    assert status == 401, body
    # Not a command: refused by the follower itself, naming the field.
    status, body = node.request(
        "POST", "/api/commands", body={"type": "slate", "channel": "main"}, token=cluster.token
    )
    assert status == 400 and body["error"] == "slate.text: Field required", body
    # A command the engine refuses: the leader's refusal, forwarded back as it is.
    status, body = cluster.command(
        follower, {"type": "extend", "channel": "nowhere", "minutes": 1}, who="x"
    )
    assert status == 409 and "nowhere" in body["error"], body
    # Live schedule edits: refused in a cluster, clearly (docs/cluster.md).
    text = SCHEDULE.read_text(encoding="utf-8").replace("Coopération", "Cooperation", 1)
    status, body = node.request("POST", "/api/schedule", body={"text": text}, token=cluster.token)
    assert status == 409 and "refused in a cluster" in body["error"], body
    assert cluster.wait_converged() == 0


def test_an_instance_with_another_clock_is_refused(cluster: Cluster, tmp_path: Path) -> None:
    cluster.start(1)
    cluster.wait_leader()
    args = [
        *["--redis", cluster.redis.url, "--speed", "10", "--at", cluster.at],
        *["--data-dir", str(tmp_path / "other"), "--port", "0"],
    ]
    done = subprocess.run(
        ["/work/main/.venv/bin/python", "-m", "control_room", "serve", str(SCHEDULE), *args],
        capture_output=True,
        text=True,
        timeout=60,
        env=_env(cluster.token),
    )
    assert done.returncode == 1
    assert "the cluster runs a rehearsal from" in done.stderr, done.stderr
    assert "speed 1," in done.stderr and "same --at and --speed" in done.stderr
    assert "Traceback" not in done.stderr


def test_a_cluster_instance_needs_the_shared_operator_token(
    redis_server: RedisServer, tmp_path: Path
) -> None:
    env = _env("")
    done = subprocess.run(
        ["/work/main/.venv/bin/python", "-m", "control_room", "serve", str(SCHEDULE),
         "--redis", redis_server.url, "--data-dir", str(tmp_path / "d"), "--port", "0"],
        capture_output=True, text=True, timeout=60, env=env,
    )  # fmt: skip
    assert done.returncode == 1
    assert "CONTROL_ROOM_TOKEN" in done.stderr and "Traceback" not in done.stderr


def test_an_unreachable_redis_is_refused_at_start(tmp_path: Path) -> None:
    from cluster_harness import free_port

    try:
        start_server(SCHEDULE, extra_args=["--redis", f"redis://127.0.0.1:{free_port()}/0"])
    except Exception as exc:  # noqa: BLE001 - the server's own refusal is in the message
        assert "Redis does not answer" in str(exc), exc
        assert "Traceback" not in str(exc)
    else:
        raise AssertionError("served without its Redis")


def test_a_single_server_has_no_cluster_in_its_health() -> None:
    with run_server(SCHEDULE, at="2026-07-07T10:30", speed=1) as server:
        health = server.get_json("/-/health")
        assert "cluster" not in health
        assert "redis" not in server.output().lower()


def _env(token: str) -> dict[str, str]:
    import os

    from tests.support.server import REPO

    env = {k: v for k, v in os.environ.items() if k != "CONTROL_ROOM_TOKEN"}
    if token:
        env["CONTROL_ROOM_TOKEN"] = token
    env["PYTHONPATH"] = str(REPO)
    return env


def test_the_lease_option_names_its_bounds(capsys: Any) -> None:
    import argparse

    import pytest

    from control_room.cli.serve_options import add_serve_arguments

    parser = argparse.ArgumentParser(prog="control-room serve")
    add_serve_arguments(parser)
    assert parser.parse_args(["day.yaml"]).lease_ms == 3000
    assert parser.parse_args(["day.yaml"]).redis is None
    for bad, why in (("10", "300 to 60000 ms"), ("1s", "not a whole number of milliseconds")):
        with pytest.raises(SystemExit):
            parser.parse_args(["day.yaml", "--lease-ms", bad])
        assert why in capsys.readouterr().err
