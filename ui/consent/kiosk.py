"""Customer mode ("Hand to customer"): the customer reads the notice and chooses, in their own language.

Rules it keeps: no box is ticked until the customer ticks it, each purpose is its own box (no bundling), the
purposes that need a separate consent (PIPL: sensitive data, sharing, transfer abroad) stand in their own
group, and "No thanks" is as big and as near as "Save my choices". Only a ticked box is recorded as consent;
for a returning customer, a purpose they had agreed to and now leave unticked is recorded as withdrawn.

Every text the customer reads comes from `translator(self.language)` bound to a local `_`, so Babel still
extracts it; the staff button and the password dialog stay in the staff member's language.
Leaving needs the signed-in staff member's password: Escape, closing and Alt+F4 all ask for it.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QCloseEvent, QFont, QKeyEvent, QMouseEvent
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QFormLayout,
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from app.consent.jurisdiction import bases_for, law_of, needs_parent, person_law, shop_country
from app.consent.ledger import ConsentService, ConsentState, Notice, Purpose
from app.crm.contact_points import normalise_email
from app.crm.contacts import ContactInput, ContactPointInput, ContactService
from app.errors import CounterpartError, InvalidInput
from app.locale import _
from app.locale.formatting import day
from app.locale.i18n import SUPPORTED_LANGUAGES, translator
from app.privacy.notices import current_or_new
from ui.consent.labels import LANGUAGE_NAMES, font_for_language, purpose_name, supported_language
from ui.consent.signature_pad import SignaturePad
from ui.consent.staff_exit import StaffPasswordDialog
from ui.operation import message_for
from ui.session_context import SessionContext
from ui.widgets import MessageLine, heading

FONT_SCALE = 1.45
# Shown in every language at once, for someone who cannot read the one on screen.
LANGUAGE_PROMPT = "Language · Sprache · Langue · Idioma · 语言"


def _agreed_on(stored: str, language: str) -> str:
    """The day of an earlier yes, in the customer's language and this computer's time zone ("23 November 2026")."""
    try:
        return day(datetime.fromisoformat(stored).astimezone().date(), language, "long")
    except ValueError:
        return stored[:10]


class _Choice(QWidget):
    """One purpose: a large box, its name wrapped beside it (the name toggles the box too), and a note."""

    def __init__(self, purpose: Purpose, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.purpose = purpose
        self.box = QCheckBox(self)
        self.box.setChecked(False)
        # On the box itself: a stylesheet on the window would stop the large font reaching its children.
        self.box.setStyleSheet("QCheckBox::indicator { width: 30px; height: 30px; }")
        self.label = QLabel(self)
        self.label.setWordWrap(True)
        self.label.setMinimumWidth(1)  # wrap to the column, never widen it
        self.label.setCursor(Qt.CursorShape.PointingHandCursor)
        self.note = QLabel(self)
        self.note.setWordWrap(True)
        self.note.setMinimumWidth(1)  # wrap to the column, never widen it
        note_font = QFont(self.note.font())
        note_font.setItalic(True)
        self.note.setFont(note_font)
        self.note.hide()
        text = QVBoxLayout()
        text.setSpacing(2)
        text.addWidget(self.label)
        text.addWidget(self.note)
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 4, 0, 4)
        row.addWidget(self.box, 0, Qt.AlignmentFlag.AlignTop)
        row.addLayout(text, 1)

    def set_texts(self, name: str, note: str) -> None:
        self.label.setText(name)
        self.box.setAccessibleName(name)
        self.box.setAccessibleDescription(note)
        self.note.setText(note)
        self.note.setVisible(bool(note))

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:  # noqa: N802 - Qt override
        """A tap anywhere on the row's words toggles the box: a big target for fingers."""
        if event.button() == Qt.MouseButton.LeftButton and self.rect().contains(event.position().toPoint()):
            self.box.toggle()
            event.accept()
        else:
            super().mouseReleaseEvent(event)


class KioskWindow(QWidget):
    """`left(contact_id or None)` once staff have typed their password; `saved(contact_id)` after saving."""

    left = Signal(object)
    saved = Signal(int)

    def __init__(
        self,
        context: SessionContext,
        contact_id: int | None,
        parent: QWidget | None = None,
        language: str | None = None,
    ) -> None:
        super().__init__(parent, Qt.WindowType.Window)
        self.context = context
        self.contact_id = contact_id
        self.service = ConsentService(context.session)
        preferred = language or (
            ContactService(context.session).language_of(contact_id) if contact_id is not None else None
        )
        self.language = supported_language(preferred)
        self.notice: Notice | None = None
        self.previous: dict[str, ConsentState] = {}
        self.choices: dict[str, _Choice] = {}
        self.outcome: tuple[list[str], list[str]] = ([], [])  # granted, withdrawn keys at the last save
        self._leaving = False
        self._exit_dialog: StaffPasswordDialog | None = None
        self.setWindowModality(Qt.WindowModality.ApplicationModal)  # the CRM behind takes no input
        self.base_font = QFont(self.font())
        self.base_font.setPointSizeF(self.base_font.pointSizeF() * FONT_SCALE)
        self.setFont(self.base_font)
        self._load()
        self._build()
        self.set_language(self.language)

    # --- data ----------------------------------------------------------------------------------------------

    def _load(self) -> None:
        """The purposes to ask about: those on consent, and those on a basis the person's law does not offer
        (PIPL has no legitimate interests). A child (birthday known) answers with a parent."""
        conn = self.context.session.conn
        bases = bases_for(
            person_law(conn, self.contact_id) if self.contact_id is not None else law_of(shop_country(conn))
        )
        self.purposes = [
            p for p in self.service.purposes() if p.lawful_basis == "consent" or p.lawful_basis not in bases
        ]
        self.child_age = (
            needs_parent(conn, self.contact_id, datetime.now(UTC).date()) if self.contact_id is not None else None
        )
        if self.contact_id is not None:
            self.previous = {s.purpose.key: s for s in self.service.states(self.contact_id)}

    def previously_granted(self) -> set[str]:
        asked = {p.key for p in self.purposes}
        return {key for key, state in self.previous.items() if state.granted and key in asked}

    def ticked(self) -> list[str]:
        return [key for key, choice in self.choices.items() if choice.box.isChecked()]

    # --- layout --------------------------------------------------------------------------------------------

    def _build(self) -> None:
        self.language_label = QLabel(LANGUAGE_PROMPT, self)
        self.language_buttons = QButtonGroup(self)
        self.language_buttons.setExclusive(True)
        top = QHBoxLayout()
        top.addWidget(self.language_label)
        for code in SUPPORTED_LANGUAGES:
            button = QPushButton(LANGUAGE_NAMES.get(code, code), self)
            button.setCheckable(True)
            button.setProperty("language", code)
            button.setMinimumHeight(48)  # a finger's width
            button.setChecked(code == self.language)
            button.setAccessibleName(LANGUAGE_NAMES.get(code, code))
            button.clicked.connect(lambda _checked=False, c=code: self.set_language(c))
            self.language_buttons.addButton(button)
            top.addWidget(button)
        top.addStretch(1)
        self.staff_button = QPushButton(_("Staff"), self)
        self.staff_button.setFlat(True)
        self.staff_button.setMinimumHeight(48)
        self.staff_button.setAccessibleName(_("Staff: leave customer mode (asks for your password)"))
        self.staff_button.clicked.connect(self.request_leave)
        top.addWidget(self.staff_button)

        self.pages = QStackedWidget(self)
        self.pages.addWidget(self._form_page())
        self.pages.addWidget(self._thanks_page())
        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 16, 24, 16)
        layout.addLayout(top)
        layout.addWidget(self.pages, 1)
        self._set_tab_order()

    def _scroll(self, inner: QWidget) -> QScrollArea:
        area = QScrollArea(self)
        area.setWidget(inner)
        area.setWidgetResizable(True)
        area.setFrameShape(QFrame.Shape.NoFrame)
        area.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # its fields take focus and scroll into view
        area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        return area

    def _form_page(self) -> QWidget:
        page = QWidget(self)
        notice_box = QWidget(page)
        self.notice_title = heading("", notice_box, 1.35)
        self.notice_body = QLabel(notice_box)
        self.notice_body.setWordWrap(True)
        self.notice_body.setMinimumWidth(1)  # wrap to the column, never widen it
        self.notice_body.setTextFormat(Qt.TextFormat.PlainText)
        self.notice_body.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.notice_version = QLabel(notice_box)
        notice_layout = QVBoxLayout(notice_box)
        notice_layout.addWidget(self.notice_title)
        notice_layout.addWidget(self.notice_body)
        notice_layout.addWidget(self.notice_version)
        notice_layout.addStretch(1)
        self.notice_area = self._scroll(notice_box)
        self.notice_area.setAccessibleName(_("Privacy notice"))

        choices_box = QWidget(page)
        choices_layout = QVBoxLayout(choices_box)
        choices_layout.setContentsMargins(0, 0, 8, 0)
        self.details = QGroupBox(page)
        self.name = QLineEdit(self.details)
        self.email = QLineEdit(self.details)
        self.email.setInputMethodHints(Qt.InputMethodHint.ImhEmailCharactersOnly)
        self.name_label, self.email_label = QLabel(self.details), QLabel(self.details)
        self.name_label.setBuddy(self.name)
        self.email_label.setBuddy(self.email)
        details_form = QFormLayout(self.details)
        details_form.addRow(self.name_label, self.name)
        details_form.addRow(self.email_label, self.email)
        self.details.setVisible(self.contact_id is None)
        self.parent_box = QGroupBox(choices_box)  # a child's choices are a parent's (GDPR Art. 8, PIPL Art. 31)
        self.parent_intro = QLabel(self.parent_box)
        self.parent_intro.setWordWrap(True)
        self.parent_intro.setMinimumWidth(1)
        self.parent_name, self.parent_relation = QLineEdit(self.parent_box), QLineEdit(self.parent_box)
        self.parent_name_label, self.parent_relation_label = QLabel(self.parent_box), QLabel(self.parent_box)
        self.parent_name_label.setBuddy(self.parent_name)
        self.parent_relation_label.setBuddy(self.parent_relation)
        parent_form = QFormLayout(self.parent_box)
        parent_form.addRow(self.parent_intro)
        parent_form.addRow(self.parent_name_label, self.parent_name)
        parent_form.addRow(self.parent_relation_label, self.parent_relation)
        self.parent_box.setVisible(self.child_age is not None)
        self.previous_hint = QLabel(choices_box)
        self.previous_hint.setWordWrap(True)
        self.previous_hint.setMinimumWidth(1)  # wrap to the column, never widen it
        choices_layout.addWidget(self.previous_hint)
        self.general = QGroupBox(choices_box)
        self.separate = QGroupBox(choices_box)
        self.separate_intro = QLabel(self.separate)
        self.separate_intro.setWordWrap(True)
        self.separate_intro.setMinimumWidth(1)  # wrap to the column, never widen it
        general_layout, separate_layout = QVBoxLayout(self.general), QVBoxLayout(self.separate)
        separate_layout.addWidget(self.separate_intro)
        for purpose in self.purposes:
            group = self.separate if purpose.separate_consent else self.general
            choice = _Choice(purpose, group)
            self.choices[purpose.key] = choice
            (separate_layout if purpose.separate_consent else general_layout).addWidget(choice)
        self.general.setVisible(any(not p.separate_consent for p in self.purposes))
        self.separate.setVisible(any(p.separate_consent for p in self.purposes))
        choices_layout.addWidget(self.parent_box)  # first: who decides comes before what is decided
        choices_layout.addWidget(self.general)
        choices_layout.addWidget(self.separate)
        choices_layout.addStretch(1)
        self.choices_area = self._scroll(choices_box)

        self.signature_label = QLabel(page)
        self.signature = SignaturePad(page)
        self.signature_label.setBuddy(self.signature)
        self.clear_signature = QPushButton(page)
        self.clear_signature.setMinimumHeight(48)
        self.clear_signature.clicked.connect(self.signature.clear)
        self.message = MessageLine(page)
        self.decline_button = QPushButton(page)
        self.save_button = QPushButton(page)
        for button in (self.decline_button, self.save_button):
            button.setMinimumHeight(68)
            button.setMinimumWidth(260)
            bold = QFont(button.font())
            bold.setBold(True)
            button.setFont(bold)
        self.decline_button.clicked.connect(self.decline)
        self.save_button.clicked.connect(self.save)

        columns = QHBoxLayout()
        columns.setSpacing(24)
        columns.addWidget(self.notice_area, 1)
        self.more_below = QLabel(page)  # a box below the fold is easy to miss: say so until it is seen
        self.more_below.setWordWrap(True)
        self.more_below.hide()
        bar = self.choices_area.verticalScrollBar()
        bar.rangeChanged.connect(self._update_more_below)
        bar.valueChanged.connect(self._update_more_below)
        choices_column = QVBoxLayout()
        choices_column.addWidget(self.choices_area, 1)
        choices_column.addWidget(self.more_below)
        columns.addLayout(choices_column, 1)
        pad_column = QVBoxLayout()
        pad_column.addWidget(self.signature_label)
        pad_row = QHBoxLayout()
        pad_row.addWidget(self.signature, 1)
        pad_row.addWidget(self.clear_signature, 0, Qt.AlignmentFlag.AlignBottom)
        pad_column.addLayout(pad_row)
        decide = QVBoxLayout()
        decide.addStretch(1)
        decide.addWidget(self.save_button)
        decide.addSpacing(12)
        decide.addWidget(self.decline_button)
        bottom = QHBoxLayout()  # like the foot of a paper form: who you are, your signature, then decide
        bottom.setSpacing(24)
        bottom.addWidget(self.details, 0, Qt.AlignmentFlag.AlignBottom)
        bottom.addLayout(pad_column, 1)
        bottom.addLayout(decide)
        layout = QVBoxLayout(page)
        layout.setContentsMargins(0, 8, 0, 0)
        layout.addLayout(columns, 1)
        layout.addWidget(self.message)
        layout.addLayout(bottom)
        self.details.setMinimumWidth(320)
        return page

    def _update_more_below(self) -> None:
        bar = self.choices_area.verticalScrollBar()
        self.more_below.setVisible(bar.value() < bar.maximum())

    def _set_tab_order(self) -> None:
        """Tab follows the screen: language, each box as shown, your details, signature, decide, staff."""
        boxes = [c.box for c in self.choices.values() if not c.purpose.separate_consent] + [
            c.box for c in self.choices.values() if c.purpose.separate_consent
        ]
        chain: list[QWidget] = [
            *self.language_buttons.buttons(),
            *boxes,
            self.name,
            self.email,
            self.signature,
            self.clear_signature,
            self.save_button,
            self.decline_button,
            self.staff_button,
        ]
        for first, second in zip(chain, chain[1:], strict=False):
            self.setTabOrder(first, second)

    def _thanks_page(self) -> QWidget:
        page = QWidget(self)
        self.thanks_title = heading("", page, 2.0)
        self.thanks_title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.thanks_text = QLabel(page)
        self.thanks_text.setWordWrap(True)
        self.thanks_text.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.hand_back_button = QPushButton(page)
        self.hand_back_button.setMinimumSize(320, 64)
        self.hand_back_button.clicked.connect(self.request_leave)
        layout = QVBoxLayout(page)
        layout.addStretch(1)
        layout.addWidget(self.thanks_title)
        layout.addSpacing(16)
        layout.addWidget(self.thanks_text)
        layout.addSpacing(32)
        layout.addWidget(self.hand_back_button, 0, Qt.AlignmentFlag.AlignCenter)
        layout.addStretch(2)
        return page

    # --- language ------------------------------------------------------------------------------------------

    def set_language(self, language: str) -> None:
        """Everything the customer reads changes language; ticks already made stay as they are."""
        self.language = supported_language(language)
        self.setFont(font_for_language(self.base_font, self.language))
        for button in self.language_buttons.buttons():
            button.setChecked(button.property("language") == self.language)
        self._retranslate()

    def _retranslate(self) -> None:
        _ = translator(self.language)
        self.setWindowTitle(_("Your privacy choices"))
        if self.context.busy:  # a worker has the connection: read the notice once it is free
            QTimer.singleShot(250, self, self._retranslate)  # `self` as context: never runs after deletion
        elif self.context.is_open:
            self.notice = current_or_new(self.context.session, self.language)  # as the records compose it
        if self.notice is None:
            self.notice_title.setText(_("Your privacy choices"))
            self.notice_body.setText(_("The shop has not written its privacy notice yet. Please ask the staff."))
            self.notice_version.clear()
        else:
            self.notice_title.setText(self.notice.title)
            self.notice_body.setText(self.notice.body)
            self.notice_version.setText(_("Notice version {version}").format(version=self.notice.version))
        self.details.setTitle(_("Your details"))
        self.name_label.setText(_("&Name:"))
        self.email_label.setText(_("&Email:"))
        self.name.setAccessibleName(_("Your name"))
        self.email.setAccessibleName(_("Your email address"))
        self.email.setPlaceholderText(_("optional"))
        self.general.setTitle(_("What else may we do? Tick only what you want."))
        self.separate.setTitle(_("Separate consent needed"))
        self.separate_intro.setText(_("Each of these needs its own, separate yes. Leave a box empty to say no."))
        self.parent_box.setTitle(_("A parent or guardian decides"))
        self.parent_intro.setText(
            _("You are under {age}: a parent or guardian ticks and signs for you. Please write who they are.").format(
                age=self.child_age or ""
            )
        )
        self.parent_name_label.setText(_("Parent or &guardian:"))
        self.parent_relation_label.setText(_("Rela&tion to you:"))
        self.parent_name.setAccessibleName(_("Name of the parent or guardian"))
        self.parent_relation.setAccessibleName(_("How the parent or guardian is related"))
        self.parent_relation.setPlaceholderText(_("e.g. mother, father, legal guardian"))
        granted = self.previously_granted()
        self.previous_hint.setVisible(bool(granted))
        self.previous_hint.setText(
            _(
                "You agreed to some of these before (see the notes). They are not ticked: "
                "tick them again to keep them. Anything left empty is withdrawn."
            )
        )
        for key, choice in self.choices.items():
            state = self.previous.get(key)
            note = ""
            if key in granted and state is not None and state.last_event is not None:
                note = _("You agreed to this on {date}.").format(date=_agreed_on(state.last_event.at, self.language))
            choice.set_texts(purpose_name(choice.purpose, _), note)
        self.more_below.setText(_("▼ More choices below: scroll down to see them all."))
        self.signature_label.setText(_("&Sign here to confirm what you ticked:"))
        self.signature.set_hint(_("Sign here with your finger or a pen"))
        self.signature.setAccessibleName(_("Signature pad"))
        self.signature.setAccessibleDescription(
            _(
                "Draw your signature in this box with a finger, a pen or the "
                "mouse. The Clear button next to it starts again."
            )
        )
        self.clear_signature.setText(_("&Clear"))
        self.clear_signature.setAccessibleName(_("Clear the signature"))
        self.decline_button.setText(_("No thanks"))
        self.decline_button.setAccessibleName(_("No thanks: do not agree to anything"))
        self.save_button.setText(_("Save my choices"))
        self.save_button.setAccessibleName(_("Save my choices"))
        self.hand_back_button.setText(_("Hand back to the staff"))
        self._retranslate_thanks(_)
        self.message.clear()

    def _retranslate_thanks(self, _: Callable[[str], str]) -> None:
        granted, withdrawn = self.outcome
        names = {p.key: purpose_name(p, _) for p in self.purposes}
        self.thanks_title.setText(_("Thank you"))
        if granted:
            text = _("You agreed to: {purposes}.").format(purposes=", ".join(names[k] for k in granted))
        else:
            text = _("You did not agree to anything extra. We use your details only to serve you.")
        if withdrawn:
            text += "\n" + _("You withdrew: {purposes}.").format(purposes=", ".join(names[k] for k in withdrawn))
        text += "\n\n" + _("You can change your mind at any time. Please hand the screen back to the staff.")
        self.thanks_text.setText(text)

    # --- saving --------------------------------------------------------------------------------------------

    def save(self) -> bool:
        """Record exactly the ticked purposes (plus withdrawals for a returning customer); then say thank you."""
        _ = translator(self.language)
        if self.context.busy or not self.context.is_open:
            self.message.show_error(_("One moment, please: the computer is busy. Try again in a few seconds."))
            return False
        ticked = self.ticked()
        withdrawn = [key for key in self.choices if key in self.previously_granted() and key not in ticked]
        if not ticked:
            return self._finish([], withdrawn)
        if self.notice is None:
            self.message.show_error(_("The shop has not written its privacy notice yet. Please ask the staff."))
            return False
        if self.contact_id is None and not self.name.text().strip():
            self.message.show_error(_("Please write your name, so we know whose choices these are."))
            self.name.setFocus()
            return False
        if self.contact_id is None and self.email.text().strip():
            try:
                normalise_email(self.email.text())
            except InvalidInput:
                self.message.show_error(_("Please check the email address, or leave it empty."))
                self.email.setFocus()
                return False
        if self.child_age is not None and not (self.parent_name.text().strip() and self.parent_relation.text().strip()):
            self.message.show_error(
                _("Please write the name of the parent or guardian who decides, and how they are related to you.")
            )
            self.choices_area.ensureWidgetVisible(self.parent_box)
            self.parent_name.setFocus()
            return False
        if self.signature.is_empty():
            self.message.show_error(
                _("Please sign in the box to confirm your choices (or ask the staff if you cannot sign).")
            )
            self.signature.setFocus()
            return False
        return self._finish(ticked, withdrawn)

    def decline(self) -> bool:
        """No thanks: nothing is granted; a returning customer's earlier yes is withdrawn, a new one not stored."""
        withdrawn = [key for key in self.choices if key in self.previously_granted()]
        for choice in self.choices.values():
            choice.box.setChecked(False)
        return self._finish([], withdrawn)

    def _finish(self, granted: list[str], withdrawn: list[str]) -> bool:
        _ = translator(self.language)
        if (granted or withdrawn) and (self.context.busy or not self.context.is_open):
            self.message.show_error(_("One moment, please: the computer is busy. Try again in a few seconds."))
            return False
        try:
            self._write(granted, withdrawn)
        except CounterpartError as exc:
            self.message.show_error(
                _("Sorry, your choices could not be saved. Please ask the staff.") + "\n" + message_for(exc)
            )
            self.context.changed.emit()  # part of it may be stored (see the report on one transaction)
            return False
        self.outcome = (granted, withdrawn)
        self._retranslate_thanks(_)
        self._forget_inputs()
        self.pages.setCurrentIndex(1)
        self.hand_back_button.setFocus()
        if granted or withdrawn:
            self.context.changed.emit()
        return True

    def _write(self, granted: list[str], withdrawn: list[str]) -> None:
        if not granted and not withdrawn:
            return
        session = self.context.session
        with session.change():  # the new customer, the signature and every choice: all stored, or none
            contact_id = self.contact_id
            if contact_id is None:
                email = self.email.text().strip()
                contact_id = ContactService(session).create(
                    ContactInput(
                        display_name=self.name.text().strip(),
                        language=self.language,
                        points=[ContactPointInput("email", email)] if email else [],
                    )
                )
            evidence_id = None
            if not self.signature.is_empty():
                evidence_id = self.service.store_evidence(
                    contact_id, "signature", "image/png", self.signature.png_bytes()
                )
            notice_id = self.notice.id if self.notice is not None else None
            guardian = (self.parent_name.text(), self.parent_relation.text()) if self.child_age is not None else None
            for key in granted:
                self.service.record(
                    contact_id, key, True, "form", notice_id=notice_id, evidence_id=evidence_id, guardian=guardian
                )
            for key in withdrawn:
                self.service.record(contact_id, key, False, "form", notice_id=notice_id, evidence_id=evidence_id)
        self.contact_id = contact_id
        self.previous = {s.purpose.key: s for s in self.service.states(contact_id)}
        self.saved.emit(contact_id)

    def _forget_inputs(self) -> None:
        """What the customer typed and drew leaves the screen once it is stored."""
        self.signature.clear()
        self.name.clear()
        self.parent_name.clear()
        self.parent_relation.clear()
        self.email.clear()
        for choice in self.choices.values():
            choice.box.setChecked(False)

    # --- showing and leaving -------------------------------------------------------------------------------

    def start(self, *, full_screen: bool = True) -> None:
        if full_screen:
            self.showFullScreen()
        else:
            self.show()
        self.raise_()
        self.activateWindow()

    def request_leave(self) -> StaffPasswordDialog:
        """Ask for the staff password; only the right one closes customer mode."""
        if self._exit_dialog is not None and self._exit_dialog.isVisible():
            return self._exit_dialog
        dialog = StaffPasswordDialog(self.context.session, self)
        dialog.accepted.connect(self._leave)
        dialog.finished.connect(lambda _result: setattr(self, "_exit_dialog", None))
        self._exit_dialog = dialog
        dialog.open()
        return dialog

    def _leave(self) -> None:
        self._leaving = True
        self._forget_inputs()
        self.close()
        self.left.emit(self.contact_id)
        self.deleteLater()

    def discard(self) -> None:
        """Close without the password because the session itself is ending (lock, quit): nothing to guard."""
        self._leaving = True
        self._forget_inputs()
        if self._exit_dialog is not None:
            self._exit_dialog.reject()
        self.close()
        self.deleteLater()

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 - Qt override
        if event.key() == Qt.Key.Key_Escape:
            event.accept()
            self.request_leave()
            return
        super().keyPressEvent(event)

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 - Qt override
        """Closing (the window's close button, Alt+F4) asks for the staff password instead."""
        if self._leaving:
            event.accept()
            return
        event.ignore()
        self.request_leave()
