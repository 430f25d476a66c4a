"""Benchmark: the start-up of the `portal` command (`portal --help`), against the bare
Python interpreter started the same way, best of ten. Target (issue 7): under 0.5 s.

    .venv/bin/python -m bench.startup_bench
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path


def best_of(command: list[str], runs: int = 10) -> float:
    timings = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run(command, check=True, stdout=subprocess.DEVNULL)  # noqa: S603
        timings.append(time.perf_counter() - started)
    return min(timings)


def main() -> None:
    portal = best_of([str(Path(sys.executable).parent / "portal"), "--help"])
    bare = best_of([sys.executable, "-c", "pass"])
    print(
        f"portal --help: {portal * 1000:.0f} ms; bare interpreter: {bare * 1000:.0f} ms; "
        f"ratio {portal / bare:.1f}; under 0.5 s: {'yes' if portal < 0.5 else 'no'}"
    )


if __name__ == "__main__":
    main()
