"""Pick a customer by typing part of a name, email, organisation or phone number (the contact search)."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QLabel, QLineEdit, QListWidget, QListWidgetItem, QVBoxLayout, QWidget

from app.crm.contacts import ContactService, ContactSummary
from app.errors import CounterpartError
from app.locale import _
from ui.session_context import SessionContext

RESULTS = 20


def _describe(contact: ContactSummary) -> str:
    details = [part for part in (contact.organisation, contact.email, contact.phone) if part]
    return " — ".join([contact.name, ", ".join(details)]) if details else contact.name


class CustomerPicker(QWidget):
    """A search field over a short result list; the chosen row is the customer. Down arrow enters the list.

    Enter, in the field or the list, belongs to the picker: it chooses the highlighted customer (the search
    first, if one is still waiting) and never reaches the dialog's default button, which would otherwise
    submit the whole form half filled in."""

    chosen = Signal(int)  # contact id, or 0 when nothing is chosen

    def __init__(self, context: SessionContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context = context
        self._id, self._name = 0, ""
        self.query = QLineEdit(self)
        self.query.setPlaceholderText(_("Type a name, email, phone or organisation"))
        self.query.setAccessibleName(_("Search for a customer"))
        self.query.setClearButtonEnabled(True)
        self.results = QListWidget(self)
        self.results.setAccessibleName(_("Matching customers"))
        self.results.setMaximumHeight(self.fontMetrics().height() * 7)
        self.results.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.results.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.choice = QLabel(self)
        self.choice.setWordWrap(True)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(200)
        self._timer.timeout.connect(self.search)
        self.query.textEdited.connect(lambda _text: self._timer.start())
        self.query.installEventFilter(self)
        self.results.installEventFilter(self)
        self.results.currentItemChanged.connect(lambda item, _old: self._pick(item))
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.query)
        layout.addWidget(self.results)
        layout.addWidget(self.choice)
        self.setFocusProxy(self.query)
        self._show_choice()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt override
        if (
            watched not in (self.query, self.results)
            or not isinstance(event, QKeyEvent)
            or event.type() not in (QEvent.Type.KeyPress, QEvent.Type.ShortcutOverride)
        ):
            return super().eventFilter(watched, event)
        if (
            event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter)
            and not event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier
        ):
            if event.type() == QEvent.Type.KeyPress:
                self._enter()
            event.accept()  # an override accepted: not a shortcut either
            return event.type() == QEvent.Type.KeyPress
        if (
            watched is self.query
            and event.type() == QEvent.Type.KeyPress
            and event.key() == Qt.Key.Key_Down
            and self.results.count()
        ):
            self.results.setFocus()
            if self.results.currentRow() < 0:
                self.results.setCurrentRow(0)
            return True
        return super().eventFilter(watched, event)

    def _enter(self) -> None:
        """Enter: choose the highlighted customer; with none highlighted, nothing (the form is not sent)."""
        if self._timer.isActive():  # typed faster than the search: search now, the list then matches the text
            self._timer.stop()
            self.search()
        self._pick(self.results.currentItem())

    def search(self) -> None:
        """Runs on the UI thread like the other views' reads, and never while an operation holds the connection."""
        if not self.context.is_open or self.context.busy:
            return
        try:
            found = ContactService(self.context.session).search(self.query.text().strip(), RESULTS)
        except CounterpartError:
            found = []
        self.results.blockSignals(True)
        self.results.clear()
        for contact in found:
            item = QListWidgetItem(_describe(contact), self.results)
            item.setData(Qt.ItemDataRole.UserRole, contact.id)
            item.setData(Qt.ItemDataRole.UserRole + 1, contact.name)
        self.results.blockSignals(False)
        if not found:
            self.results.addItem(QListWidgetItem(_("No customer matches.")))
            self.results.item(0).setFlags(Qt.ItemFlag.NoItemFlags)

    def _pick(self, item: QListWidgetItem | None) -> None:
        if item is None or item.data(Qt.ItemDataRole.UserRole) is None:
            return
        self._id = int(item.data(Qt.ItemDataRole.UserRole))
        self._name = str(item.data(Qt.ItemDataRole.UserRole + 1))
        self._show_choice()
        self.chosen.emit(self._id)

    def choose(self, contact_id: int, name: str) -> None:
        self._id, self._name = contact_id, name
        self._show_choice()

    def reveal(self) -> None:
        """List the chosen customer and highlight them (an edit starts from whom it is for); when a search for
        their name does not find them, the usual list instead."""
        if not self._id:
            self.search()
            return
        self.query.setText(self._name)
        self.search()
        row = next(
            (r for r in range(self.results.count()) if self.results.item(r).data(Qt.ItemDataRole.UserRole) == self._id),
            None,
        )
        if row is None:
            self.query.clear()
            self.search()
            return
        self.results.blockSignals(True)  # already chosen: nothing to announce
        self.results.setCurrentRow(row)
        self.results.blockSignals(False)

    def _show_choice(self) -> None:
        if not self._id:
            self.choice.setText(_("No customer chosen yet."))
        else:
            self.choice.setText(_("Customer: {name}").format(name=self._name))
        self.choice.setAccessibleName(self.choice.text())

    def contact_id(self) -> int | None:
        return self._id or None

    def contact_name(self) -> str:
        return self._name
