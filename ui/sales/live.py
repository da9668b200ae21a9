"""A page that reads the vault when it is shown and again whenever the data changes, but never while an
operation holds the connection, and not at all while hidden (it catches up when shown again)."""

from __future__ import annotations

from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import QWidget

from ui.session_context import SessionContext


class LivePage(QWidget):
    def __init__(self, context: SessionContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context = context
        self._stale = True
        self._cleared = False
        context.changed.connect(self.refresh)
        context.busy_changed.connect(self._busy_changed)  # a method, so Qt disconnects it when the page goes

    def load(self) -> None:
        """Read what the page shows (subclasses)."""
        raise NotImplementedError

    def refresh(self) -> None:
        """Read now if we can; otherwise remember to, and do it when shown or when the connection is free."""
        self._stale = True
        self._catch_up()

    def reload(self) -> None:
        """Read now even while hidden (tests, and right after our own change)."""
        if self._cleared or not self.context.is_open or self.context.busy:
            self._stale = True
            return
        self._stale = False
        self.load()

    def _busy_changed(self, busy: bool, _what: str) -> None:
        if not busy:
            self._catch_up()

    def _catch_up(self) -> None:
        if self._stale and self.isVisible():
            self.reload()

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 - Qt override
        super().showEvent(event)
        self._catch_up()

    def forget(self) -> None:
        """At lock: never read again (the session is gone); the subclass empties its widgets."""
        self._cleared = True
