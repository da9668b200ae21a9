"""Words and numbers the sales pages share: money per currency, activity kinds, deal states, announcements.

Money is formatted by babel in the user's language; different currencies are listed side by side, never added.
"""

from __future__ import annotations

from datetime import datetime

from babel.dates import format_time
from PySide6.QtGui import QAccessible, QAccessibleAnnouncementEvent
from PySide6.QtWidgets import QWidget

from app.crm.deals import LOST, OPEN, WON, Deal
from app.locale import _
from app.locale.formatting import babel_locale, moment, money


def totals_lines(totals: dict[str, int]) -> list[str]:
    """One formatted amount per currency, in currency-code order (stable between refreshes)."""
    return [money(minor, currency) for currency, minor in sorted(totals.items())]


def totals_text(totals: dict[str, int], separator: str = "\n", empty: str | None = None) -> str:
    lines = totals_lines(totals)
    if not lines:
        return empty if empty is not None else _("nothing")
    return separator.join(lines)


def kind_label(kind: str) -> str:
    return {"call": _("Call"), "meeting": _("Meeting"), "email": _("Email"), "task": _("Task")}.get(kind, kind)


def status_label(deal: Deal) -> str:
    if deal.status == WON:
        return _("Won")
    if deal.status == LOST:
        return _("Lost: {reason}").format(reason=deal.lost_reason or "") if deal.lost_reason else _("Lost")
    return _("Open") if deal.status == OPEN else deal.status


def customer_label(name: str | None) -> str:
    return name if name else _("(no customer)")


def local_due(due_at: str | None) -> datetime | None:
    """A stored UTC time as this computer's local time."""
    if not due_at:
        return None
    try:
        return datetime.fromisoformat(due_at).astimezone()
    except ValueError:
        return None


def due_text(due_at: str | None) -> str:
    due = local_due(due_at)
    return moment(due, length="short") if due is not None else _("no due time")


def clock_text(due_at: str | None) -> str:
    """Only the local time of day (for reminders, which are always about the next few minutes)."""
    due = local_due(due_at)
    return str(format_time(due, format="short", locale=babel_locale())) if due is not None else ""


def announce(widget: QWidget, text: str) -> None:
    """Tell a screen reader what just happened (a move by keyboard, a reminder) without moving focus."""
    QAccessible.updateAccessibility(QAccessibleAnnouncementEvent(widget, text))
