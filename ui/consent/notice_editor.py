"""Publishing a new version of the notice text in one language. Versions are never edited or deleted:
each consent record names the exact version (and its hash) the customer saw."""

from __future__ import annotations

from PySide6.QtGui import QFont
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QFormLayout, QLineEdit, QPlainTextEdit, QVBoxLayout, QWidget

from app.consent.ledger import ConsentService, Notice
from app.errors import CounterpartError
from app.locale import _
from ui.consent.labels import LANGUAGE_NAMES
from ui.operation import message_for
from ui.session_context import SessionContext
from ui.widgets import MessageLine, paragraph


class NoticeEditorDialog(QDialog):
    """Starts from the current text; `published` holds the new version once accepted."""

    def __init__(self, context: SessionContext, language: str, current: Notice | None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context = context
        self.language = language
        self.published: Notice | None = None
        next_version = current.version + 1 if current is not None and current.language == language else 1
        self.setWindowTitle(_("New notice version — {language}").format(language=LANGUAGE_NAMES.get(language,
                                                                                                   language)))
        self.title = QLineEdit(current.title if current else "", self)
        self.title.setAccessibleName(_("Notice title"))
        self.body = QPlainTextEdit(current.body if current else "", self)
        self.body.setAccessibleName(_("Notice text"))
        self.body.setTabChangesFocus(True)
        self.body.setMinimumHeight(260)
        body_font = QFont(self.body.font())
        body_font.setPointSizeF(body_font.pointSizeF() * 1.1)
        self.body.setFont(body_font)
        form = QFormLayout()
        form.addRow(_("&Title:"), self.title)
        form.addRow(_("Te&xt:"), self.body)
        self.message = MessageLine(self)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel, self)
        self.publish_button = self.buttons.addButton(_("&Publish version {n}").format(n=next_version),
                                                     QDialogButtonBox.ButtonRole.AcceptRole)
        self.buttons.accepted.connect(self.publish)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(paragraph(_("Publishing makes this version {n}, shown from now on in the kiosk and on "
                                     "printed forms. Earlier versions are kept forever, unchanged: every consent "
                                     "already given stays linked to the exact text that person saw.")
                                   .format(n=next_version), self))
        layout.addLayout(form, 1)
        layout.addWidget(self.message)
        layout.addWidget(self.buttons)
        self.resize(720, 560)

    def publish(self) -> None:
        if self.context.busy:
            return
        try:
            self.published = ConsentService(self.context.session).publish_notice(
                self.language, self.title.text(), self.body.toPlainText())
        except CounterpartError as exc:
            self.message.show_error(message_for(exc))
            return
        self.context.changed.emit()
        self.accept()
