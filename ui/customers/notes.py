"""The Notes tab: a person's notes, newest first, and a box to add one (notes are added, never rewritten)."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut, QTextCursor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.crm.sensitive_text import Finding, SensitiveTextFound
from app.locale import _
from ui.customers.text import local_moment
from ui.widgets import MessageLine


class NotesTab(QWidget):
    add_requested = Signal(str)  # the note's text; the page saves it
    keep_requested = Signal(str, str)  # a note that looks sensitive, and why it is kept anyway; the page saves it

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
        self._sensitive_panel()
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
        layout.addWidget(self.sensitive)
        layout.addLayout(buttons)

    # --- a note that looks sensitive (app.crm.sensitive_text): take it out, or keep it with a reason ---------

    def _sensitive_panel(self) -> None:
        self.findings: list[Finding] = []
        self.sensitive = QFrame(self)
        self.sensitive.setObjectName("sensitiveNote")
        self.sensitive.setFrameShape(QFrame.Shape.StyledPanel)
        self.sensitive.setStyleSheet("#sensitiveNote { background: #fff4ce; border: 1px solid #c8a600; }")
        self.sensitive.setAccessibleName(_("The note looks sensitive"))
        self.sensitive_text = QLabel(self.sensitive)
        self.sensitive_text.setWordWrap(True)
        self.keep_reason = QLineEdit(self.sensitive)
        self.keep_reason.setAccessibleName(_("Why the note must keep it"))
        self.keep_reason.setPlaceholderText(_("e.g. needed to serve the customer safely"))
        reason_label = QLabel(_("Reason to keep it:"), self.sensitive)
        reason_label.setBuddy(self.keep_reason)
        self.select_button = QPushButton(_("Select it to take it o&ut"), self.sensitive)
        self.select_button.setAccessibleName(_("Select what was found in the note, to take it out"))
        self.select_button.clicked.connect(self.select_finding)
        self.keep_button = QPushButton(_("&Keep it, with this reason"), self.sensitive)
        self.keep_button.setAccessibleName(_("Keep the note as it is, with the reason given"))
        self.keep_button.clicked.connect(self._keep)
        row = QHBoxLayout()
        row.addWidget(reason_label)
        row.addWidget(self.keep_reason, 1)
        choices = QHBoxLayout()
        choices.addWidget(self.select_button)
        choices.addStretch(1)
        choices.addWidget(self.keep_button)
        layout = QVBoxLayout(self.sensitive)
        layout.addWidget(self.sensitive_text)
        layout.addLayout(row)
        layout.addLayout(choices)
        self.sensitive.hide()
        self.editor.textChanged.connect(self._edited)

    def show_findings(self, refusal: SensitiveTextFound) -> None:
        """The service refused the note: say what it seems to hold, and offer both ways on."""
        self.findings = refusal.findings
        self.message.clear()
        self.sensitive_text.setText(str(refusal))
        self.sensitive.show()
        self.keep_reason.setFocus()

    def select_finding(self) -> None:
        """Select the next thing found, in the editor, so it can be cut out or moved where it belongs."""
        if not self.findings:
            return
        cursor = self.editor.textCursor()
        after = cursor.selectionEnd() if cursor.hasSelection() else -1
        finding = next((f for f in self.findings if f.start >= after), self.findings[0])
        cursor.setPosition(finding.start)
        cursor.setPosition(finding.end, QTextCursor.MoveMode.KeepAnchor)
        self.editor.setTextCursor(cursor)
        self.editor.setFocus()

    def _keep(self) -> None:
        reason = self.keep_reason.text().strip()
        if not reason:
            self.message.show_error(_("Say why the note must keep it, or take it out of the note."))
            self.keep_reason.setFocus()
            return
        self.keep_requested.emit(self.editor.toPlainText(), reason)

    def _edited(self) -> None:
        """Changed text is checked again when added: what was found may be gone."""
        if self.sensitive.isVisible() or self.findings:
            self.findings = []
            self.sensitive.hide()
            self.keep_reason.clear()

    def set_notes(self, notes: list[tuple[int, str, str]]) -> None:
        """(id, created_at, body) oldest first, as the service returns them."""
        self.list.clear()
        for _id, created_at, body in reversed(notes):
            self._append(created_at, body, at_top=False)
        self._update_empty()

    def _append(self, created_at: str, body: str, at_top: bool) -> None:
        item = QListWidgetItem(_("{time}\n{note}").format(time=local_moment(created_at), note=body))
        item.setData(
            Qt.ItemDataRole.AccessibleTextRole,
            _("Note from {time}: {note}").format(time=local_moment(created_at), note=body),
        )
        if at_top:
            self.list.insertItem(0, item)
        else:
            self.list.addItem(item)

    def note_added(self, created_at: str, body: str) -> None:
        """Show a note just saved, without reading the whole record again (that read would be audited)."""
        self._append(created_at, body, at_top=True)
        self.editor.clear()
        self.message.clear()
        self._edited()
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
        self._edited()
        self._update_empty()
