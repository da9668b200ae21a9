"""The Notes tab: a person's notes, newest first, and a box to add one (notes are added, never rewritten)."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.locale import _
from ui.customers.text import local_moment
from ui.widgets import MessageLine


class NotesTab(QWidget):
    add_requested = Signal(str)  # the note's text; the page saves it

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.list = QListWidget(self)
        self.list.setAccessibleName(_("Notes, newest first"))
        self.list.setWordWrap(True)
        self.list.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.list.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.empty = QLabel(_("No notes yet."), self)
        self.editor = QPlainTextEdit(self)
        self.editor.setAccessibleName(_("New note"))
        self.editor.setPlaceholderText(_("Write a note about this customer…"))
        self.editor.setTabChangesFocus(True)
        self.editor.setMaximumHeight(self.fontMetrics().lineSpacing() * 4 + 12)
        self.add_button = QPushButton(_("&Add note"), self)
        self.add_button.setAccessibleName(_("Add the note"))
        self.add_button.setToolTip(_("Add the note (Ctrl+Enter)"))
        self.add_button.clicked.connect(self._add)
        for keys in ("Ctrl+Return", "Ctrl+Enter"):
            shortcut = QShortcut(QKeySequence(keys), self.editor)
            shortcut.setContext(Qt.ShortcutContext.WidgetShortcut)
            shortcut.activated.connect(self._add)
        self.message = MessageLine(self)
        label = QLabel(_("Ne&w note:"), self)
        label.setBuddy(self.editor)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.add_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 8)
        layout.addWidget(self.empty)
        layout.addWidget(self.list, 1)
        layout.addWidget(label)
        layout.addWidget(self.editor)
        layout.addWidget(self.message)
        layout.addLayout(buttons)

    def set_notes(self, notes: list[tuple[int, str, str]]) -> None:
        """(id, created_at, body) oldest first, as the service returns them."""
        self.list.clear()
        for _id, created_at, body in reversed(notes):
            self._append(created_at, body, at_top=False)
        self._update_empty()

    def _append(self, created_at: str, body: str, at_top: bool) -> None:
        item = QListWidgetItem(_("{time}\n{note}").format(time=local_moment(created_at), note=body))
        item.setData(Qt.ItemDataRole.AccessibleTextRole, _("Note from {time}: {note}").format(
            time=local_moment(created_at), note=body))
        if at_top:
            self.list.insertItem(0, item)
        else:
            self.list.addItem(item)

    def note_added(self, created_at: str, body: str) -> None:
        """Show a note just saved, without reading the whole record again (that read would be audited)."""
        self._append(created_at, body, at_top=True)
        self.editor.clear()
        self.message.clear()
        self._update_empty()

    def _update_empty(self) -> None:
        self.empty.setVisible(self.list.count() == 0)

    def _add(self) -> None:
        if not self.add_button.isEnabled():
            return
        text = self.editor.toPlainText()
        if not text.strip():
            self.message.show_error(_("Write the note first."))
            self.editor.setFocus()
            return
        self.add_requested.emit(text)

    def set_editable(self, allowed: bool, reason: str = "") -> None:
        for widget in (self.editor, self.add_button):
            widget.setEnabled(allowed)
            widget.setToolTip("" if allowed else reason)
        if allowed:
            self.add_button.setToolTip(_("Add the note (Ctrl+Enter)"))

    def texts(self) -> list[str]:
        return [self.list.item(i).text() for i in range(self.list.count())]

    def clear(self) -> None:
        self.list.clear()
        self.editor.clear()
        self.message.clear()
        self._update_empty()
