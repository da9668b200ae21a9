"""What the customer list shows while the vault has no customer at all: the two ways to get some, as buttons,
instead of an empty table (a new owner's first screen)."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from app.locale import _
from ui.widgets import heading, paragraph


class EmptyCustomerList(QWidget):
    def __init__(
        self,
        add_customer: Callable[[], object],
        import_file: Callable[[], object],
        allowed: bool,
        why_not: str,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setAccessibleName(_("No customers yet"))
        self.add_button = QPushButton(_("&Add your first customer"), self)
        self.add_button.clicked.connect(lambda: add_customer())
        self.import_button = QPushButton(_("Import from a fil&e…"), self)
        self.import_button.setToolTip(
            _("Customers from a CSV export of another tool (Shopify, Google, Outlook, Mailchimp…), or a vCard file")
        )
        self.import_button.clicked.connect(lambda: import_file())
        for button in (self.add_button, self.import_button):
            button.setEnabled(allowed)
            if not allowed:
                button.setToolTip(why_not)
        self.add_button.setDefault(True)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.add_button)
        buttons.addWidget(self.import_button)
        buttons.addStretch(1)
        title = heading(_("No customers yet"), self, 1.3)
        title.setAlignment(Qt.AlignmentFlag.AlignHCenter)
        text: QLabel = paragraph(
            _(
                "Add customers one by one as they come to the counter, or bring in the list you "
                "already keep in another program."
            ),
            self,
        )
        text.setAlignment(Qt.AlignmentFlag.AlignHCenter)
        layout = QVBoxLayout(self)
        layout.addStretch(1)
        layout.addWidget(title)
        layout.addWidget(text)
        layout.addSpacing(8)
        layout.addLayout(buttons)
        layout.addStretch(2)
