"""A tab the signed-in role may not use: it says why, in words, instead of showing nothing."""

from __future__ import annotations

from PySide6.QtWidgets import QVBoxLayout, QWidget

from ui.widgets import paragraph


class NotAllowedPage(QWidget):
    """Shown inside a tab the signed-in role may not use, with the reason in words."""

    def __init__(self, reason: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QVBoxLayout(self)
        layout.addWidget(paragraph(reason, self))
        layout.addStretch(1)
