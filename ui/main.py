"""`counterpart`: the desktop app's entry point (pyproject: ui.main:main). The logic is in AppController.

COUNTERPART_EXIT_WHEN_SHOWN=1 (bench/bench_startup.py, tests/ui/test_startup.py): once the first window has been
painted, print `first_window_shown SECONDS_SINCE_EPOCH CLASS` and quit, so they can time and check the real start.
"""

from __future__ import annotations

import os
import sys
import time

from PySide6.QtCore import QEvent, QObject, QSettings, QTimer
from PySide6.QtWidgets import QApplication, QWidget

from app.process_guard import guard_process_memory
from ui.controller import AppController
from ui.startup import create_application

EXIT_WHEN_SHOWN = "COUNTERPART_EXIT_WHEN_SHOWN"


class _QuitWhenShown(QObject):
    """The benchmark's hook: the first paint of a top-level window, then (once that frame is done) quit."""

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt override
        if event.type() == QEvent.Type.Paint and isinstance(watched, QWidget) and watched.isWindow():
            application = QApplication.instance()
            if application is not None:
                application.removeEventFilter(self)
            name = type(watched).__name__
            QTimer.singleShot(0, lambda: self._shown(name))
        return False

    @staticmethod
    def _shown(window: str) -> None:
        print(f"first_window_shown {time.time():.6f} {window}", flush=True)
        QApplication.exit(0)


def main() -> int:
    guard_process_memory()
    app = create_application(sys.argv)
    if len(sys.argv) == 3 and sys.argv[1] == "--self-test":
        from pathlib import Path

        from ui.self_test import run

        return run(Path(sys.argv[2]))
    controller = AppController(QSettings())
    if os.environ.get(EXIT_WHEN_SHOWN) == "1":
        app.installEventFilter(_QuitWhenShown(app))
    controller.start()
    return app.exec()


if __name__ == "__main__":
    sys.exit(main())
