"""The app's icons, found through app.resources (source tree or PyInstaller bundle)."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtGui import QIcon

from app.resources import resource_path


def icon_path(name: str) -> Path:
    return resource_path("icons", name)


def icon(name: str) -> QIcon:
    return QIcon(str(icon_path(name + ".svg")))


def app_icon() -> QIcon:
    return icon("counterpart")
