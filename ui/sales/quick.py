"""Small writes (move a deal, tick an activity, add one row) done on the UI thread, as ui/settings/users.py does.

They take milliseconds and no key derivation, so a worker would only add latency. They still respect the busy
gate: while an operation holds the connection, nothing here touches it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from PySide6.QtWidgets import QWidget

from app.locale import _
from ui.form_dialog import FormDialog
from ui.operation import message_for
from ui.session_context import SessionContext

T = TypeVar("T")


class Refused(Exception):
    """A quick change did not happen; the text says why, for the person."""


def quick_read(context: SessionContext, read: Callable[[], T]) -> T:
    """Run `read` now if the connection is free; raise Refused with a readable reason otherwise."""
    if not context.is_open:
        raise Refused(_("The vault is locked."))
    if context.busy:
        raise Refused(_("Another task is still running; try again in a moment."))
    try:
        return read()
    except Exception as exc:  # every failure becomes words; message_for names bugs without their details
        raise Refused(message_for(exc)) from exc


def quick_change(context: SessionContext, change: Callable[[], T]) -> T:
    """Run `change` now and tell every view the data changed; raise Refused with a readable reason otherwise."""
    result = quick_read(context, change)
    context.changed.emit()
    return result


class QuickDialog(FormDialog):
    """A form whose `submit` validates and calls `apply` with one service call, on the UI thread."""

    def __init__(self, context: SessionContext, title: str, ok_text: str, parent: QWidget | None) -> None:
        super().__init__(title, ok_text, parent)
        self.context = context

    def apply(self, change: Callable[[], object]) -> bool:
        self.message.clear()
        try:
            quick_change(self.context, change)
        except Refused as exc:
            self.refuse(str(exc))
            return False
        self.accept()
        return True
