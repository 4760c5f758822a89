"""The crash and damage harness: the real server, SIGKILLed and damaged, restarted.

    from tests.support.crash import crash_trials, damage_cases

    totals = crash_trials(10, seed=7, workdir=tmp_path)     # tests/e2e/test_e2e_crash.py
    totals = damage_cases(12, seed=7, workdir=tmp_path)     # bench/crash.py, bench/damage.py

A crash trial drives one server with random operator commands over HTTP (two workers) and
a websocket (one régie), then kills it with SIGKILL: at a random instant while commands are
in flight ("busy"), or once every command is answered, after a snapshot of the state
("quiet"). The next server starts on the same data directory; every acknowledged command
must be in its journal, at its sequence number, once, and after a quiet kill the state
(``GET /api/state`` now and at later instants, apart from ``at`` and ``server_time``) must be
the snapshot's.

A damage case serves a day, kills it (its WAL then holds the commands), truncates, flips,
zeroes or deletes its WAL or its database at a random offset, and starts the server again:
it must either refuse (exit 1, one ``control-room serve:`` message, no traceback) or come up
with every acknowledged command. Random instants and damages come from a seeded RNG.
"""

from __future__ import annotations

import asyncio
import json
import random
import re
import shutil
import threading
from dataclasses import dataclass, field
from http.client import HTTPException
from pathlib import Path
from typing import Any

from tests.support.server import RunningServer, ServerFailed, start_server
from tests.support.ws import WsClient

__all__ = ["Ack", "Totals", "crash_trials", "damage_cases", "snapshot"]

DAY = Path(__file__).resolve().parents[1] / "e2e" / "long-day.yaml"
AT = "2026-07-07T10:30"
LATER = ["2026-07-07T11:00", "2026-07-07T12:30", "2026-07-07T23:00"]
CHANNELS = ["main", "lille"]


@dataclass(frozen=True)
class Ack:
    """A command the server acknowledged: its journal seq, and what identifies it."""

    seq: int
    key: str


@dataclass
class Totals:
    """What a run of trials or cases found."""

    trials: int = 0
    acknowledged: int = 0
    lost: int = 0
    duplicates: int = 0
    mismatches: int = 0
    refused: int = 0
    recovered: int = 0
    failures: list[str] = field(default_factory=list)
    refusals: list[str] = field(default_factory=list)

    def line(self) -> str:
        return (
            f"trials {self.trials}, acknowledged {self.acknowledged}, lost {self.lost}, "
            f"duplicates {self.duplicates}, mismatches {self.mismatches}, "
            f"refused {self.refused}, recovered {self.recovered}"
        )


def _key(who: str, command: dict[str, Any]) -> str:
    return json.dumps([who, command], sort_keys=True, ensure_ascii=False)


def _command(rng: random.Random, nonce: str, *, unique_text: bool) -> dict[str, Any]:
    """A random operator command; with ``unique_text``, one that carries ``nonce``."""
    channel = rng.choice(CHANNELS)
    kinds = ["message", "slate"] if unique_text else ["message", "delay", "extend", "hold"]
    kind = rng.choice(kinds + ["release", "message"] if not unique_text else kinds)
    if kind == "message":
        audience = rng.choice(["moderators", "viewers"])
        return {"type": "message", "channel": channel, "audience": audience, "text": nonce}
    if kind == "slate":
        return {"type": "slate", "channel": channel, "text": nonce}
    if kind in ("delay", "extend"):
        return {"type": kind, "channel": channel, "minutes": rng.randint(1, 3)}
    return {"type": kind, "channel": channel}


def snapshot(server: RunningServer) -> dict[str, Any]:
    """The state now and at later instants, without the moving ``at`` and ``server_time``."""
    now = server.get_json("/api/state")
    return {
        "now": now["channels"],
        **{t: server.get_json(f"/api/state?at={t}")["channels"] for t in LATER},
    }


def journal_keys(server: RunningServer) -> dict[int, str]:
    """The server's journal: seq -> key of the command."""
    status, body = server.request("GET", "/api/journal", token=server.token)
    assert status == 200, (status, body)
    keys: dict[int, str] = {}
    for entry in body["entries"]:
        keys[entry["seq"]] = _key(entry["who"], entry["command"])
    return keys


async def _drive(
    server: RunningServer, rng: random.Random, tag: str, *, count: int | None, kill_after: float
) -> list[Ack]:
    """Send commands (HTTP and websocket) until ``count`` are answered or the server dies;
    with ``count`` None, SIGKILL it after ``kill_after`` seconds."""
    acks: list[Ack] = []
    lock = threading.Lock()
    budget = [count if count is not None else 10**9]
    seeds = [rng.random() for _ in range(3)]

    def take() -> bool:
        with lock:
            budget[0] -= 1
            return budget[0] >= 0

    def http_worker(n: int) -> None:
        local = random.Random(seeds[n])
        i = 0
        while take():
            i += 1
            who = f"{tag}-h{n}-{i}"
            command = _command(local, who, unique_text=False)
            try:
                status, body = server.command(command, who=who)
            except (OSError, HTTPException):
                return  # killed
            if status == 200:
                with lock:
                    acks.append(Ack(body["seq"], _key(who, command)))

    async def ws_worker() -> None:
        local = random.Random(seeds[2])
        name = f"{tag}-ws"
        try:
            async with WsClient.connect(
                server.ws_url, hello={"role": "regie", "token": server.token, "name": name}
            ) as regie:
                i = 0
                while take():
                    i += 1
                    command = _command(local, f"{name}-{i}", unique_text=True)
                    result = await regie.command(command, timeout=5)
                    if result.get("ok"):
                        with lock:
                            acks.append(Ack(result["seq"], _key(name, command)))
        except Exception:  # noqa: BLE001 - the server was killed under it
            return

    async def killer() -> None:
        await asyncio.sleep(kill_after)
        await asyncio.to_thread(server.kill)

    jobs = [asyncio.to_thread(http_worker, 0), asyncio.to_thread(http_worker, 1), ws_worker()]
    if count is None:
        jobs.append(killer())
    await asyncio.gather(*jobs)
    return acks


def _compare(server: RunningServer, acks: list[Ack], totals: Totals, what: str) -> None:
    keys = journal_keys(server)
    seqs = sorted(keys)
    if seqs != list(range(1, len(seqs) + 1)):
        totals.mismatches += 1
        totals.failures.append(f"{what}: journal seqs not 1..n: {seqs[:5]}…")
    counts: dict[str, int] = {}
    for key in keys.values():
        counts[key] = counts.get(key, 0) + 1
    totals.duplicates += sum(n - 1 for n in counts.values())
    for ack in acks:
        if ack.seq not in keys:
            totals.lost += 1
            totals.failures.append(f"{what}: acknowledged #{ack.seq} lost")
        elif keys[ack.seq] != ack.key:
            totals.mismatches += 1
            totals.failures.append(f"{what}: #{ack.seq} is not the command acknowledged")


def crash_trials(n: int, *, seed: int, workdir: Path) -> Totals:
    """Run ``n`` SIGKILL trials on one data directory (see the module docstring)."""
    rng = random.Random(seed)
    data = workdir / "data"
    totals = Totals()
    acks: list[Ack] = []
    server = start_server(DAY, data_dir=data, at=AT, speed=1)
    token = server.token
    try:
        for trial in range(n):
            quiet = rng.random() < 0.4
            if quiet:
                new = asyncio.run(
                    _drive(server, rng, f"t{trial}", count=rng.randint(1, 12), kill_after=0)
                )
                before = snapshot(server)
                server.kill()
            else:
                new = asyncio.run(
                    _drive(server, rng, f"t{trial}", count=None, kill_after=rng.uniform(0.02, 0.5))
                )
                before = None
            acks += new
            totals.trials += 1
            totals.acknowledged += len(new)
            killed, server = server, start_server(DAY, data_dir=data, at=AT, speed=1, token=token)
            _forget(killed)
            _compare(server, acks, totals, f"trial {trial}")
            if before is not None and snapshot(server) != before:
                totals.mismatches += 1
                totals.failures.append(f"trial {trial}: the state after restart differs")
    finally:
        server.kill()
        _forget(server)
    return totals


def _forget(server: RunningServer) -> None:
    """Remove a stopped server's log directory."""
    shutil.rmtree(server.log_path.parent, ignore_errors=True)


_EXIT = re.compile(r"server exited with (-?\d+):\n(.*)", re.DOTALL)


def _damage(data: Path, rng: random.Random) -> str:
    """Damage the WAL or the database of ``data`` at random; say how."""
    name = rng.choice(["journal.sqlite3-wal", "journal.sqlite3-wal", "journal.sqlite3"])
    path = data / name
    how = rng.choice(["truncate", "flip", "zero", "delete"])
    if not path.exists():
        return f"{name} absent"
    raw = bytearray(path.read_bytes())
    size = len(raw)
    at = rng.randrange(size) if raw else 0
    if how == "delete":
        path.unlink()
        return f"{name} deleted"
    if how == "truncate":
        del raw[at:]
    elif how == "flip":
        raw[at] ^= 1 << rng.randrange(8)
    else:
        end = min(len(raw), at + rng.randint(1, 4096))
        raw[at:end] = bytes(end - at)
    path.write_bytes(bytes(raw))
    return f"{name} {how} at {at} of {size}"


def damage_cases(n: int, *, seed: int, workdir: Path, commands: int = 40) -> Totals:
    """Run ``n`` damage cases (see the module docstring) on copies of one killed day."""
    rng = random.Random(seed)
    source = workdir / "source"
    server = start_server(DAY, data_dir=source, at=AT, speed=1)
    token = server.token
    acks = asyncio.run(_drive(server, rng, "d", count=commands, kill_after=0))
    server.kill()
    _forget(server)
    totals = Totals()
    for case in range(n):
        data = workdir / f"case-{case}"
        shutil.copytree(source, data)
        what = _damage(data, rng)
        totals.trials += 1
        totals.acknowledged += len(acks)
        try:
            restarted = start_server(DAY, data_dir=data, at=AT, speed=1, token=token)
        except ServerFailed as exc:
            found = _EXIT.search(str(exc))
            output = found.group(2) if found else str(exc)
            if found and found.group(1) == "1" and "Traceback" not in output:
                totals.refused += 1
                totals.refusals.append(f"{what}: {output.strip().splitlines()[-1]}")
            else:
                totals.failures.append(f"case {case} ({what}): not a clean refusal:\n{output}")
            continue
        try:
            before = (totals.lost, totals.mismatches, totals.duplicates)
            _compare(restarted, acks, totals, f"case {case} ({what})")
            if (totals.lost, totals.mismatches, totals.duplicates) == before:
                totals.recovered += 1
        finally:
            restarted.kill()
            _forget(restarted)
        shutil.rmtree(data, ignore_errors=True)
    return totals
