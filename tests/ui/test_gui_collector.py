"""Reference cycles holding Qt objects are freed on the GUI thread, never on a worker that happens to
allocate (ui/gui_collector.py says why)."""

from __future__ import annotations

import gc
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication, QWidget

from ui.gui_collector import collect_due, collect_on_gui_thread


@pytest.fixture
def collections() -> Iterator[list[str]]:
    """The name of the thread each collection ran on."""
    seen: list[str] = []

    def note(phase: str, _info: dict[str, int]) -> None:
        if phase == "start":
            seen.append(threading.current_thread().name)

    gc.callbacks.append(note)
    yield seen
    gc.callbacks.remove(note)


class _Cyclic(QWidget):
    """A Python-owned widget kept alive only by a cycle through itself, like a dialog holding a callback."""

    def __init__(self) -> None:
        super().__init__()
        self.myself = self


def test_a_worker_allocating_never_collects_and_the_gui_timer_does(qtbot, collections: list[str]) -> None:
    timer = collect_on_gui_thread(QApplication.instance(), interval_ms=20)
    try:
        assert not gc.isenabled()
        gc.collect()
        destroyed: list[str] = []
        widget = _Cyclic()
        widget.destroyed.connect(lambda: destroyed.append(threading.current_thread().name))
        del widget

        kept: list[list[object]] = []

        def allocate() -> None:  # far past the youngest threshold: CPython would collect here, on this thread
            kept.extend([] for _ in range(gc.get_threshold()[0] * 20))

        worker = threading.Thread(target=allocate, name="worker")
        worker.start()
        worker.join()
        assert "worker" not in collections and destroyed == []
        qtbot.waitUntil(lambda: destroyed != [], timeout=5000)
        assert destroyed == ["MainThread"] and set(collections) == {"MainThread"}
        kept.clear()
    finally:
        timer.stop()
        timer.deleteLater()


def test_collect_due_waits_for_the_youngest_threshold(collections: list[str]) -> None:
    gc.collect()
    assert collect_due() == 0 and collections == ["MainThread"]  # only the gc.collect() above ran
    cycle: list[object] = []
    cycle.append(cycle)
    del cycle
    assert collect_due() == 0 and len(collections) == 1  # one object of garbage: not yet
    kept = [[] for _ in range(gc.get_threshold()[0] * 3)]  # allocations past the youngest threshold
    assert collect_due() >= 1 and len(collections) == 2  # now the cycle is freed
    del kept


def test_the_app_installs_the_collector() -> None:
    """In a process of its own: the tests' QApplication is pytest-qt's, and there can be only one."""
    script = (
        "import gc; from PySide6.QtCore import QTimer; from ui.startup import create_application; "
        "app = create_application([]); "
        "print(gc.isenabled(), [t.objectName() for t in app.findChildren(QTimer) if t.isActive()])"
    )
    done = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=Path(__file__).parents[1].parent,
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "False ['gui-thread-collector']"
