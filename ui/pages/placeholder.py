"""A page whose feature is not built yet: it says so plainly instead of showing made-up data."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QVBoxLayout, QWidget

from app.locale import _
from ui.widgets import heading, paragraph


class PlaceholderPage(QWidget):
    def __init__(self, title: str, purpose: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 20, 24, 20)
        layout.addWidget(heading(title, self, 1.5))
        layout.addWidget(paragraph(purpose, self))
        notice = paragraph(_("Not built yet: this page is coming in the CRM issue. Nothing here is stored or "
                             "shown until then."), self)
        notice.setObjectName("placeholderNotice")
        layout.addSpacing(8)
        layout.addWidget(notice)
        layout.addStretch(1)
        layout.setAlignment(Qt.AlignmentFlag.AlignTop)


class NotAllowedPage(QWidget):
    """Shown inside a tab the signed-in role may not use, with the reason in words."""

    def __init__(self, reason: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QVBoxLayout(self)
        layout.addWidget(paragraph(reason, self))
        layout.addStretch(1)
