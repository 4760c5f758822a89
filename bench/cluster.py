"""Cluster: one leader and two followers on this box, screens spread over the three.

    python bench/cluster.py [--sizes 300 1000 3000] [--changes 20] [--failovers 5]

A real redis-server (appendonly yes, appendfsync always) on a free loopback port and three
``control-room serve --redis`` instances of the shipped day (tests/cluster/cluster_harness.py).
For each size N, N websocket screens connect to *each* instance (bench/fanout.py's raw
asyncio clients, one process per instance) and wait for their snapshot; then ``--changes``
slates are sent round-robin through the three instances (a follower forwards to the leader),
each after the previous one reached every screen (or 5 s). It prints:

- change → every screen: p50/p95/p99/max from the command being sent to each screen's
  receipt (CLOCK_MONOTONIC is system-wide), all screens, then the leader's screens and the
  followers' apart; delivered/expected receipts;
- replication lag: each follower's ``lag_ms`` (its copy's apply time minus the leader's
  journal time of the entry) after each change: median and max;
- failover: ``--failovers`` times, the leader SIGKILLed (default 3 s lease) and the time
  until another instance reports it leads, median and max (then it is restarted).

The figures go in docs/cluster.md. Figures only, no assertion.
"""

from __future__ import annotations

import argparse
import http.client
import json
import multiprocessing as mp
import secrets
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "tests" / "cluster"))
sys.path.insert(0, str(REPO / "bench"))

from cluster_harness import SCHEDULE, Cluster, RedisServer  # noqa: E402
from fanout import worker  # noqa: E402


def _pick(values: list[float], q: float) -> float:
    return values[min(len(values) - 1, int(q * len(values)))] if values else float("nan")


def measure(cluster: Cluster, size: int, changes: int) -> dict[str, Any]:
    ctx = mp.get_context("fork")
    nodes = cluster.alive()
    leader = cluster.wait_leader()
    counters = [(ctx.Value("i", 0, lock=False), ctx.Value("i", 0, lock=False)) for _ in nodes]
    pipes, workers = [], []
    started = time.monotonic()
    for n, i in enumerate(nodes):
        ours, theirs = ctx.Pipe()
        port = cluster.node(i).port
        proc = ctx.Process(
            target=worker, args=(port, "?role=viewer", size, *counters[n], theirs), daemon=True
        )
        proc.start()
        pipes.append(ours)
        workers.append(proc)
    total = size * len(nodes)

    def admitted() -> int:
        return sum(pair[0].value for pair in counters)

    def got() -> int:
        return sum(pair[1].value for pair in counters)

    while admitted() < total and time.monotonic() < started + 180:
        time.sleep(0.01)
    admission = time.monotonic() - started
    conns = {i: http.client.HTTPConnection("127.0.0.1", cluster.node(i).port, timeout=30)
             for i in nodes}  # fmt: skip
    sent: dict[int, float] = {}
    lags: list[float] = []
    refused: list[str] = []
    for k in range(changes):
        i = nodes[k % len(nodes)]
        body = json.dumps({"type": "slate", "channel": "main", "text": f"bench-{k}"})
        headers = {"Authorization": f"Bearer {cluster.token}", "Content-Type": "application/json"}
        sent[k] = time.monotonic()
        conns[i].request("POST", "/api/commands", body=body, headers=headers)
        response = conns[i].getresponse()
        answer = response.read()
        if response.status != 200:
            refused.append(f"change {k} via node {i}: {response.status} {answer[:200]!r}")
            continue
        until = time.monotonic() + 5
        while got() < total * (k + 1) and time.monotonic() < until:
            time.sleep(0.001)
        for j in nodes:
            health = cluster.health(j)
            if j != leader and health is not None and health["lag_ms"] is not None:
                lags.append(float(health["lag_ms"]))
        time.sleep(0.02)
    by_node: dict[int, list[float]] = {}
    for n, pipe in enumerate(pipes):
        pipe.send("done")
        by_node[nodes[n]] = sorted((at - sent[k]) * 1000 for k, at in pipe.recv() if k in sent)
    for proc in workers:
        proc.join(timeout=30)
    for conn in conns.values():
        conn.close()
    for line in refused:
        print(f"  {line}", file=sys.stderr)
    elections = sum((cluster.health(i) or {}).get("elections_won", 0) for i in nodes)
    every = sorted(v for values in by_node.values() for v in values)
    followers = sorted(v for i, values in by_node.items() if i != leader for v in values)
    return {
        "screens": f"{len(nodes)} × {size}",
        "admission_s": admission,
        "p50": _pick(every, 0.5),
        "p95": _pick(every, 0.95),
        "p99": _pick(every, 0.99),
        "max": every[-1] if every else float("nan"),
        "leader_p99": _pick(by_node[leader], 0.99),
        "followers_p99": _pick(followers, 0.99),
        "delivered": len(every),
        "expected": total * changes,
        "lag_median_ms": statistics.median(lags) if lags else float("nan"),
        "lag_max_ms": max(lags) if lags else float("nan"),
        "refused": len(refused),
        "elections": elections,
    }


def failovers(cluster: Cluster, count: int) -> list[float]:
    times = []
    for _ in range(count):
        leader = cluster.wait_leader()
        time.sleep(0.5)
        killed = time.monotonic()
        cluster.kill(leader)
        cluster.wait_leader(among=cluster.alive(), timeout=30)
        times.append(time.monotonic() - killed)
        cluster.start_node(leader)
        cluster.wait_converged()
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[300, 1000, 3000])
    parser.add_argument("--changes", type=int, default=20)
    parser.add_argument("--failovers", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="cr-cluster-bench-") as tmp:
        redis = RedisServer(Path(tmp) / "redis")
        redis.start()
        # 12:10: no cue for minutes, so a screen receives each change once (bench/fanout.py).
        cluster = Cluster(
            SCHEDULE, redis, Path(tmp), token=secrets.token_urlsafe(12), at="2026-07-07T12:10"
        )
        try:
            cluster.start(3)
            cluster.wait_leader()
            print("screens     admit_s   p50    p95    p99    max  leader_p99 foll_p99  "
                  "delivered      lag_med lag_max (ms)")  # fmt: skip
            for size in args.sizes:
                row = measure(cluster, size, args.changes)
                print(
                    f"{row['screens']:<10} {row['admission_s']:7.1f} {row['p50']:6.1f} "
                    f"{row['p95']:6.1f} {row['p99']:6.1f} {row['max']:6.1f} "
                    f"{row['leader_p99']:10.1f} {row['followers_p99']:8.1f}  "
                    f"{row['delivered']}/{row['expected']:<8} {row['lag_median_ms']:7.1f} "
                    f"{row['lag_max_ms']:7.1f}  refused {row['refused']}, "
                    f"elections so far {row['elections']}",
                    flush=True,
                )
            if args.failovers:
                times = failovers(cluster, args.failovers)
                print(
                    f"failover (lease {cluster.lease_ms} ms, {len(times)} SIGKILLs): median "
                    f"{statistics.median(times):.2f} s, max {max(times):.2f} s "
                    f"({', '.join(f'{t:.2f}' for t in times)})"
                )
        finally:
            cluster.stop()
            redis.stop()


if __name__ == "__main__":
    main()
