"""The banner over a customer whose processing is restricted (GDPR Art. 18), with the way to lift it.

Restriction keeps the person but leaves them out of lists, exports and the sweep, so whoever opens the record
must see it first. Lifting is an owner's or manager's decision, with a reason, audited by the service.
"""

from __future__ import annotations

from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QLineEdit, QPushButton, QVBoxLayout, QWidget

from app.access.roles import Permission
from app.consent.restriction import Restriction, RestrictionService
from app.errors import CounterpartError
from app.locale import _
from ui.customers.text import local_moment
from ui.operation import message_for
from ui.session_context import SessionContext
from ui.widgets import MessageLine


class RestrictionBanner(QFrame):
    def __init__(self, context: SessionContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context = context
        self.contact_id: int | None = None
        self.setObjectName("restrictionBanner")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setStyleSheet("#restrictionBanner { background: #fff4ce; border: 1px solid #c8a600; }")
        self.setAccessibleName(_("Processing restricted"))
        self.text = QLabel(self)
        self.text.setWordWrap(True)
        self.reason = QLineEdit(self)
        self.reason.setPlaceholderText(_("Why the restriction ends (the customer is told first)"))
        self.reason.setAccessibleName(_("Reason for lifting the restriction"))
        self.lift_button = QPushButton(_("&Lift restriction"), self)
        self.lift_button.setAccessibleName(_("Lift the restriction of processing"))
        self.lift_button.clicked.connect(self.lift)
        if not context.can(Permission.HANDLE_REQUESTS):
            for widget in (self.reason, self.lift_button):
                widget.setEnabled(False)
                widget.setToolTip(context.why_not(Permission.HANDLE_REQUESTS))
        self.message = MessageLine(self)
        row = QHBoxLayout()
        row.addWidget(self.reason, 1)
        row.addWidget(self.lift_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.text)
        layout.addLayout(row)
        layout.addWidget(self.message)
        self.hide()

    def show_contact(self, contact_id: int | None) -> None:
        """Show the banner when this person is restricted now; hide it otherwise."""
        self.contact_id = contact_id
        self.message.clear()
        self.reason.clear()
        current: Restriction | None = None
        if contact_id is not None and self.context.is_open:
            try:
                current = RestrictionService(self.context.session).current(contact_id)
            except CounterpartError:
                current = None
        if current is None:
            self.hide()
            return
        self.text.setText(
            _(
                "Processing restricted since {when} by {who}: {reason}. This customer is kept but "
                "left out of marketing lists, exports and the retention sweep."
            ).format(when=local_moment(current.set_at), who=current.set_by or "?", reason=current.reason)
        )
        self.show()

    def lift(self) -> None:
        if self.contact_id is None or self.context.busy:
            return
        try:
            RestrictionService(self.context.session).lift(self.contact_id, self.reason.text())
        except CounterpartError as exc:
            self.message.show_error(message_for(exc))
            return
        self.show_contact(self.contact_id)
        self.context.changed.emit()
