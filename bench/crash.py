"""SIGKILL trials and the cost of a commit: nothing acknowledged is lost, and what it costs.

    python bench/crash.py [--trials 100] [--seed 1] [--commits 300]

Runs the crash harness of tests/support/crash.py (random commands over HTTP and a
websocket, SIGKILL at a random instant or after a quiet snapshot, restart on the same data
directory) and prints trials, commands acknowledged, lost, duplicates and mismatches. Then
measures one command's journal commit (``Journal.append``: the SQLite commit with
``synchronous=FULL``) on this disk: bare (no seal, as before the seal), with the seal, and
with the seal and a mirror, p50 / p95 in milliseconds.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from control_room.journal import Journal  # noqa: E402
from control_room.mirror import attach  # noqa: E402
from tests.support.crash import crash_trials  # noqa: E402

SHOW = datetime(2026, 7, 7, 10, 30, tzinfo=UTC)


def commit_cost(commits: int, *, seal: bool, mirror: bool) -> list[float]:
    """Milliseconds per ``append``; ``seal=False`` skips the seal write (the old journal)."""
    with tempfile.TemporaryDirectory() as tmp:
        journal = Journal.open(Path(tmp) / "data")
        journal.verify()
        if mirror:
            attach(journal, Path(tmp) / "mirror")
        if not seal:
            journal._write_seal = lambda: None  # type: ignore[assignment,method-assign,return-value]
        times = []
        for i in range(commits):
            t = time.perf_counter()
            journal.append(
                wall=time.time(), show=SHOW, who="bench", command={"type": "hold", "n": i}
            )
            times.append((time.perf_counter() - t) * 1000)
        journal.close()
    return times


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--trials", type=int, default=100)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--commits", type=int, default=300)
    args = parser.parse_args()
    if args.trials:
        with tempfile.TemporaryDirectory() as tmp:
            totals = crash_trials(args.trials, seed=args.seed, workdir=Path(tmp))
        print(totals.line())
        for failure in totals.failures:
            print("  FAILED:", failure)
    for label, seal, mirror in (
        ("bare commit (no seal)", False, False),
        ("commit + seal", True, False),
        ("commit + seal + mirror", True, True),
    ):
        times = commit_cost(args.commits, seal=seal, mirror=mirror)
        print(f"{label:<24} p50 {statistics.median(times):6.3f} ms  p95 {pct(times, 0.95):6.3f} ms")


if __name__ == "__main__":
    main()
