"""Journal damage cases: a refusal with a clear message, or every acknowledged command back.

    python bench/damage.py [--cases 100] [--seed 1] [--commands 40]

Runs the damage cases of tests/support/crash.py: a day served and SIGKILLed (its WAL holds
the commands), then the WAL or the database truncated, bit-flipped, zeroed or deleted at a
random offset, and the server started again. Prints cases, commands acknowledged, lost,
refused, recovered, and one line per kind of refusal.
"""

from __future__ import annotations

import argparse
import re
import sys
import tempfile
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.support.crash import damage_cases  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", type=int, default=100)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--commands", type=int, default=40)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        totals = damage_cases(args.cases, seed=args.seed, workdir=Path(tmp), commands=args.commands)
    print(totals.line())
    kinds = Counter(
        re.sub(r"\d+", "N", r.split("serve: ", 1)[-1].split(": ", 1)[-1])[:90]
        for r in totals.refusals
    )
    for kind, n in kinds.most_common():
        print(f"  refused {n:>3}×  {kind}")
    for failure in totals.failures:
        print("  FAILED:", failure)


if __name__ == "__main__":
    main()
