"""Copying from the app, remembered so locking can take it back off the clipboard.

Text copied from a vault (an audit row, a name) must not stay readable on the clipboard after the app
locks. We only clear what we put there: the clipboard may hold something the user copied elsewhere.
"""

from __future__ import annotations

import hashlib

from PySide6.QtGui import QGuiApplication

_last_copied: bytes | None = None  # a digest, so the copied text itself is not kept around


def _digest(text: str) -> bytes:
    return hashlib.sha256(text.encode("utf-8")).digest()


def copy_text(text: str) -> None:
    global _last_copied
    QGuiApplication.clipboard().setText(text)
    _last_copied = _digest(text)


def clear_if_ours() -> bool:
    """Empty the clipboard when it still holds what we copied (or the platform says we own it)."""
    global _last_copied
    clipboard = QGuiApplication.clipboard()
    text = clipboard.text()
    ours = clipboard.ownsClipboard() or (_last_copied is not None and bool(text) and _digest(text) == _last_copied)
    _last_copied = None
    if ours:
        clipboard.clear()
    return ours
