"""Python's cycle collector, run on the GUI thread only.

CPython collects reference cycles in whichever thread allocates past the threshold. In this app that is
often an operation's worker thread (an export, an import), and a cycle can hold Qt objects: a page, a
dialog, a session context. Their C++ destructors then run off the GUI thread, which Qt forbids (QObject:
"calling delete on a QObject from a thread other than the one that owns the object is unsafe"); the damage
shows later as a crash somewhere unrelated. Measured over the test suite: 9 collections ran on Qt worker
threads and freed 29 Qt objects (a privacy tab, its table view, a dialog, buttons, a session context).

So automatic collection is off while the app runs, and a GUI-thread timer collects what CPython would have:
the oldest generation whose threshold has filled.
"""

from __future__ import annotations

import gc

from PySide6.QtCore import QObject, QTimer

INTERVAL_MS = 1000


def collect_due() -> int:
    """Collect the oldest generation whose count passed its threshold, if the youngest did (CPython's rule);
    returns the objects freed. Call it on the GUI thread."""
    counts, thresholds = gc.get_count(), gc.get_threshold()
    if counts[0] <= thresholds[0]:
        return 0
    generation = max(g for g in range(3) if counts[g] > thresholds[g])
    return gc.collect(generation)


def collect_on_gui_thread(parent: QObject, interval_ms: int = INTERVAL_MS) -> QTimer:
    """Turn automatic collection off and collect on a timer owned by `parent` (the application)."""
    gc.disable()
    timer = QTimer(parent)
    timer.setObjectName("gui-thread-collector")
    timer.setInterval(interval_ms)
    timer.timeout.connect(collect_due)
    timer.start()
    return timer
