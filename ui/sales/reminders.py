"""In-app reminders: a timer asks for my activities due in the next 15 minutes and reports each one once,
as a `reminder` signal (the main window may show it in the status bar or a tray) and in a small banner.

Nothing is modal: a reminder never takes the focus or blocks typing.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtGui import QAccessible, QAccessibleEvent
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QStyle, QWidget

from app.crm.activities import Activity, ActivityService
from app.errors import CounterpartError
from app.locale import _, ngettext
from ui.sales.text import clock_text, kind_label, local_due
from ui.session_context import SessionContext

INTERVAL_MS = 60_000
AHEAD = timedelta(minutes=15)
SHOWN = 4  # reminders listed in the banner at once; older ones drop off


def reminder_text(activity: Activity, now: datetime) -> str:
    due = local_due(activity.due_at)
    minutes = max(round((due - now).total_seconds() / 60), 0) if due is not None else 0
    when = ngettext("in {n} minute, at {time}", "in {n} minutes, at {time}", minutes).format(
        n=minutes, time=clock_text(activity.due_at)
    )
    if activity.contact_name:
        return _("{kind} “{subject}” with {customer} is due {when}.").format(
            kind=kind_label(activity.kind), subject=activity.subject, customer=activity.contact_name, when=when
        )
    return _("{kind} “{subject}” is due {when}.").format(
        kind=kind_label(activity.kind), subject=activity.subject, when=when
    )


class ReminderWatcher(QObject):
    reminder = Signal(int, str)  # activity id, what to say

    def __init__(
        self,
        context: SessionContext,
        interval_ms: int = INTERVAL_MS,
        clock: Callable[[], datetime] | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.context = context
        self._clock = clock or (lambda: datetime.now(UTC))
        self._reminded: set[int] = set()
        self.timer = QTimer(self)
        self.timer.setInterval(interval_ms)
        self.timer.timeout.connect(self.check)
        self.timer.start()

    def check(self) -> list[int]:
        """Ask once; returns the ids reminded now. Skipped while an operation holds the connection."""
        if not self.context.is_open or self.context.busy:
            return []
        now = self._clock()
        try:
            due = ActivityService(self.context.session).due_soon(now, AHEAD)
        except CounterpartError:
            return []
        fresh = [activity for activity in due if activity.id not in self._reminded]
        for activity in fresh:
            self._reminded.add(activity.id)
            self.reminder.emit(activity.id, reminder_text(activity, now))
        return [activity.id for activity in fresh]

    def stop(self) -> None:
        self.timer.stop()
        self._reminded.clear()


class ReminderBanner(QFrame):
    """A strip at the top of the page listing the latest reminders, with a Dismiss button."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("reminderBanner")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setStyleSheet(
            "#reminderBanner { background: palette(tool-tip-base); }"
            "#reminderBanner QLabel { color: palette(tool-tip-text); }"
        )
        self._lines: list[str] = []
        icon = QLabel(self)
        size = self.style().pixelMetric(QStyle.PixelMetric.PM_SmallIconSize)
        icon.setPixmap(self.style().standardIcon(QStyle.StandardPixmap.SP_MessageBoxInformation).pixmap(size, size))
        self.text = QLabel(self)
        self.text.setWordWrap(True)
        self.dismiss = QPushButton(_("&Dismiss"), self)
        self.dismiss.setAccessibleName(_("Dismiss the reminders"))
        self.dismiss.clicked.connect(self.clear)
        row = QHBoxLayout(self)
        row.setContentsMargins(8, 6, 8, 6)
        row.addWidget(icon)
        row.addWidget(self.text, 1)
        row.addWidget(self.dismiss)
        self.hide()

    def add(self, text: str) -> None:
        self._lines = [*self._lines, text][-SHOWN:]
        self.text.setText("\n".join(_("Reminder: {text}").format(text=line) for line in self._lines))
        self.setAccessibleName(self.text.text())
        self.show()
        QAccessible.updateAccessibility(QAccessibleEvent(self.text, QAccessible.Event.Alert))

    def lines(self) -> list[str]:
        return list(self._lines)

    def clear(self) -> None:
        self._lines = []
        self.text.clear()
        self.hide()
