"""How long the pure engine takes to compute a state, by journal length.

    python bench/bench_timeline.py

Prints the median time of ``state()``, ``state_document()`` + JSON encoding, and
``next_change_after()`` on the shipped day, for journals of 0, 100 and 1000 commands
(slates, messages, extends and delays spread over the day).
"""

from __future__ import annotations

import datetime as dt
import json
import statistics
import time
from pathlib import Path

from control_room.core.commands import Command, Delay, Extend, Message, Slate, SlateClear
from control_room.core.document import state_document
from control_room.core.timeline import (
    CommandRejected,
    JournalEntry,
    check,
    next_change_after,
    state,
)
from control_room.schedule_file import load_schedule

DAY = Path(__file__).resolve().parent.parent / "schedules" / "rnct-2026-07-07.yaml"


def journal_of(n: int) -> list[JournalEntry]:
    schedule = load_schedule(DAY)
    start = dt.datetime(2026, 7, 7, 8, 0, tzinfo=dt.UTC)
    step = dt.timedelta(hours=9) / max(n, 1)
    out: list[JournalEntry] = []
    channels = [c.id for c in schedule.channels]
    i = 0
    while len(out) < n:
        ch = channels[i % len(channels)]
        cmds: list[Command] = [
            Message(channel=ch, audience="moderators", text=f"message {i}"),
            Slate(channel=ch, text="incident"),
            SlateClear(channel=ch),
            Extend(channel=ch, minutes=1),
            Delay(channel=ch, minutes=1),
        ]
        cmd = cmds[i % len(cmds)]
        t = start + step * len(out)
        try:
            check(schedule, out, cmd, t)
            out.append(JournalEntry(len(out) + 1, t, cmd))
        except CommandRejected:
            pass
        i += 1
    return out


def median_ms(fn: object, repeat: int = 30) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()  # type: ignore[operator]
        times.append((time.perf_counter() - t0) * 1000)
    return statistics.median(times)


def main() -> None:
    schedule = load_schedule(DAY)
    t = dt.datetime(2026, 7, 7, 15, 30, tzinfo=dt.UTC)
    print(f"{'journal':>8} {'state()':>10} {'+document+json':>15} {'next_change':>12}")
    for n in (0, 100, 1000):
        journal = journal_of(n)
        a = median_ms(lambda: state(schedule, journal, t))
        b = median_ms(lambda: json.dumps(state_document(schedule, state(schedule, journal, t))))
        c = median_ms(lambda: next_change_after(schedule, journal, t))
        print(f"{n:>8} {a:>8.2f}ms {b:>13.2f}ms {c:>10.2f}ms")


if __name__ == "__main__":
    main()
