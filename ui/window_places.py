"""Where the signed-in window opens: where this person left it in this vault, or else over the unlock screen.

The size and place are kept in QSettings per vault and user, under a digest of the two, so the settings file
names neither the people nor (again) the vault. They are not customer data: Qt's own geometry blob.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from PySide6.QtCore import QByteArray, QPoint, QRect, QSettings, QSize
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QWidget

GEOMETRY_GROUP = "main_window_geometry"


def geometry_key(vault: Path, user_id: int) -> str:
    digest = hashlib.sha256(f"{vault.resolve()}\n{user_id}".encode()).hexdigest()[:24]
    return f"{GEOMETRY_GROUP}/{digest}"


def save_geometry(settings: QSettings, key: str, window: QWidget) -> None:
    settings.setValue(key, window.saveGeometry())
    settings.sync()


def restore_geometry(settings: QSettings, key: str, window: QWidget) -> bool:
    """The size and place saved under `key`, if any (Qt moves it onto a screen that is still there)."""
    saved = settings.value(key)
    if not isinstance(saved, QByteArray | bytes) or not saved:
        return False
    return bool(window.restoreGeometry(QByteArray(saved)))


def centred_over(size: QSize, anchor: QRect, area: QRect) -> QPoint:
    """Where a window of `size` goes so it is centred over `anchor`, moved as little as needed to stay inside
    `area` (a screen's free part); one larger than `area` starts at its top-left corner, title bar reachable."""
    x = anchor.center().x() - size.width() // 2
    y = anchor.center().y() - size.height() // 2
    x = max(area.left(), min(x, area.right() + 1 - size.width()))
    y = max(area.top(), min(y, area.bottom() + 1 - size.height()))
    return QPoint(x, y)


def place_over(window: QWidget, anchor: QWidget | None) -> None:
    """Put `window` (before it is shown) where `anchor` (the unlock screen) is, on its screen; without an
    anchor, in the middle of the primary screen. Not at the top-left corner, where a new window lands."""
    screen = anchor.screen() if anchor is not None else QGuiApplication.primaryScreen()
    if screen is None:
        return
    area = screen.availableGeometry()
    target = anchor.frameGeometry() if anchor is not None else area
    window.move(centred_over(window.frameGeometry().size(), target, area))
