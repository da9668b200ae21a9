"""Publishing a new version of the notice text in one language. Versions are never edited or deleted:
each consent record names the exact version (and its hash) the customer saw. The text is composed from the
records (app.privacy.notices): the owner sees it and writes only their own words at its end."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QFormLayout, QLabel, QPlainTextEdit, QVBoxLayout, QWidget

from app.consent.ledger import Notice
from app.errors import CounterpartError
from app.locale import _
from app.privacy.notices import compose, extra_text, set_extra
from ui.consent.labels import LANGUAGE_NAMES
from ui.operation import message_for
from ui.session_context import SessionContext
from ui.widgets import MessageLine, paragraph


class NoticeEditorDialog(QDialog):
    """Starts from the current text; `published` holds the new version once accepted."""

    def __init__(
        self, context: SessionContext, language: str, current: Notice | None, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.context = context
        self.language = language
        self.published: Notice | None = None
        next_version = current.version + 1 if current is not None and current.language == language else 1
        self.setWindowTitle(
            _("New notice version — {language}").format(language=LANGUAGE_NAMES.get(language, language))
        )
        session = context.session
        title, body = compose(session, language)
        self.title = QLabel(title, self)
        self.title.setTextFormat(Qt.TextFormat.PlainText)
        self.body = QPlainTextEdit(body, self)
        self.body.setReadOnly(True)
        self.body.setAccessibleName(_("Notice text, composed from the shop's records (read-only)"))
        self.body.setTabChangesFocus(True)
        self.body.setMinimumHeight(260)
        body_font = QFont(self.body.font())
        body_font.setPointSizeF(body_font.pointSizeF() * 1.1)
        self.body.setFont(body_font)
        self.extra = QPlainTextEdit(extra_text(session, language), self)
        self.extra.setAccessibleName(_("Your own text, added at the end of the notice"))
        self.extra.setTabChangesFocus(True)
        self.extra.setMaximumHeight(120)
        form = QFormLayout()
        form.addRow(_("Title:"), self.title)
        form.addRow(_("Te&xt:"), self.body)
        form.addRow(_("&Your own text:"), self.extra)
        self.message = MessageLine(self)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel, self)
        self.publish_button = self.buttons.addButton(
            _("&Publish version {n}").format(n=next_version), QDialogButtonBox.ButtonRole.AcceptRole
        )
        self.buttons.accepted.connect(self.publish)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(
            paragraph(
                _(
                    "The text comes from the shop's details, the purposes, the retention policies "
                    "and the record of processing; change those to change it. Publishing makes "
                    "this version {n}, shown from now on in the kiosk and on printed forms. Earlier "
                    "versions are kept forever, unchanged: every consent already given stays "
                    "linked to the exact text that person saw."
                ).format(n=next_version),
                self,
            )
        )
        layout.addLayout(form, 1)
        layout.addWidget(self.message)
        layout.addWidget(self.buttons)
        self.resize(720, 560)

    def publish(self) -> None:
        if self.context.busy:
            return
        try:
            self.published = set_extra(self.context.session, self.language, self.extra.toPlainText())
        except CounterpartError as exc:
            self.message.show_error(message_for(exc))
            return
        self.context.changed.emit()
        self.accept()
