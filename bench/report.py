"""How every benchmark prints a figure, and the small measuring helpers they share.

A figure is one line, `NAME VALUE UNIT`, then optionally ` | goal < 100 ms` and ` | 1.12 x raw_name (1.03-1.25)`:
its goal, and its ratio to the floor measured in the same run (with the ratio's spread over the rounds), so a
figure read on a busy or slow machine still says how far the app is from what the same work costs at its least.
`bench/readme_table.py` turns these lines into the README's performance table.
"""

from __future__ import annotations

import resource
import statistics
import time
from collections.abc import Callable, Sequence
from pathlib import Path


def figure(
    name: str,
    value: float,
    unit: str,
    *,
    digits: int = 1,
    goal: str | None = None,
    floor: str | None = None,
    ratios: Sequence[float] = (),
) -> None:
    """Print one figure. `goal` as people read it ("< 100 ms", "<= 1.5 x"); `floor` names the figure the ratio
    is taken against; `ratios` are the per-round ratios (the median is printed, with the min-max spread)."""
    line = f"{name} {value:.{digits}f} {unit}"
    if goal:
        line += f" | goal {goal}"
    if floor and ratios:
        middle = statistics.median(ratios)
        line += f" | {middle:.2f} x {floor}"
        if len(ratios) > 1:
            line += f" ({min(ratios):.2f}-{max(ratios):.2f} over {len(ratios)})"
    print(line, flush=True)


def percentile(samples: Sequence[float], fraction: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))]


def timed(action: Callable[[], object]) -> float:
    started = time.perf_counter()
    action()
    return time.perf_counter() - started


def peak_rss_mb() -> float:
    """This process's peak RSS. Linux's VmHWM starts afresh at exec, so a figure measured in a child process of
    its own counts nothing the benchmark did before; ru_maxrss would keep the parent's peak."""
    try:
        status = Path("/proc/self/status").read_text()
        return int(next(line.split()[1] for line in status.splitlines() if line.startswith("VmHWM:"))) / 1024
    except (OSError, StopIteration):
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
