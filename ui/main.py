"""`counterpart`: the desktop app's entry point (pyproject: ui.main:main). The logic is in AppController."""

from __future__ import annotations

import sys

from PySide6.QtCore import QSettings

from app.process_guard import guard_process_memory
from ui.controller import AppController
from ui.startup import create_application


def main() -> int:
    guard_process_memory()
    app = create_application(sys.argv)
    if len(sys.argv) == 3 and sys.argv[1] == "--self-test":
        from pathlib import Path

        from ui.self_test import run

        return run(Path(sys.argv[2]))
    controller = AppController(QSettings())
    controller.start()
    return app.exec()


if __name__ == "__main__":
    sys.exit(main())
