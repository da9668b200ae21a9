"""`counterpart`: the desktop app's entry point (pyproject: ui.main:main). The logic is in AppController."""

from __future__ import annotations

import sys

from PySide6.QtCore import QSettings

from ui.controller import AppController
from ui.startup import create_application


def main() -> int:
    app = create_application(sys.argv)
    controller = AppController(QSettings())
    controller.start()
    return app.exec()


if __name__ == "__main__":
    sys.exit(main())
