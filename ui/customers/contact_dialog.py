"""New and Edit customer: names, any number of labelled emails, phones and addresses, every organisation the
person works for (each with a job title), tags and language. The service checks everything; when it refuses,
the dialog says why next to the field it can tell was wrong (or under the form when it cannot) and puts the
cursor there. Nothing is saved until it is right.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QFrame,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from app.consent.jurisdiction import birth_date
from app.crm.contact_points import normalise_address, normalise_email, normalise_phone
from app.crm.contacts import MAX_NAME, ContactInput, ContactRecord, ContactService
from app.crm.importing.purchases import purchases_of, summary
from app.crm.sensitive_text import SensitiveFirstNote
from app.errors import CounterpartError, InvalidInput
from app.locale import _
from app.locale.formatting import day
from ui.consent.labels import add_language_items
from ui.customers.point_rows import PointList, PointRow, RemovableRow, RowList
from ui.customers.text import language_name
from ui.operation import message_for
from ui.session_context import SessionContext
from ui.widgets import MessageLine


def _line(parent: QWidget, accessible_name: str, max_length: int = MAX_NAME) -> QLineEdit:
    field = QLineEdit(parent)
    field.setMaxLength(max_length)
    field.setAccessibleName(accessible_name)
    return field


class OrganisationRow(RemovableRow):
    """One organisation: its name, the person's job title there, and Remove (like the email and phone rows)."""

    def __init__(self, name: str = "", job_title: str = "", parent: QWidget | None = None) -> None:
        super().__init__(_("Remove this organisation"), parent)
        self.name = _line(self, _("Organisation"))
        self.name.setText(name)
        self.name.setPlaceholderText(_("Organisation"))
        self.job_title = _line(self, _("Job title at this organisation"))
        self.job_title.setText(job_title)
        self.job_title.setPlaceholderText(_("Job title (optional)"))
        self.job_title.setToolTip(_("Their job title at this organisation"))
        self.lay_out((self.name, 3), (self.job_title, 2))

    def link(self) -> tuple[str, str]:
        return self.name.text(), self.job_title.text()

    def focus_widgets(self) -> list[QWidget]:
        return [self.name, self.job_title, self.remove_button]


class OrganisationList(RowList[OrganisationRow]):
    """Every organisation of the person, one row each, with "Add organisation" under them."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(_("Add &organisation"), parent)
        self.add_button.setAccessibleName(_("Add an organisation"))

    def blank_row(self) -> OrganisationRow:
        return OrganisationRow("", "", self)

    def add_row(self, name: str = "", job_title: str = "", focus: bool = False) -> OrganisationRow:
        return self._append(OrganisationRow(name, job_title, self), focus)

    def first_field(self, row: OrganisationRow) -> QWidget:
        return row.name

    def links(self) -> list[tuple[str, str]]:
        """(name, job title) of each row that says something (a job title alone is refused by the service)."""
        return [row.link() for row in self.rows if row.name.text().strip() or row.job_title.text().strip()]

    def focus_widgets(self) -> list[QWidget]:
        return [widget for row in self.rows for widget in row.focus_widgets()] + [self.add_button]

    def clear_messages(self) -> None:
        for row in self.rows:
            row.message.clear()


class ContactDialog(QDialog):
    saved = Signal(int)  # the customer's id, after the change is in the vault

    def __init__(
        self, context: SessionContext, record: ContactRecord | None = None, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.context = context
        self.record = record
        self.setWindowTitle(_("New customer") if record is None else _("Edit {name}").format(name=record.display_name))
        self.setMinimumWidth(600)
        body = QWidget(self)
        self.form = QFormLayout(body)
        self.form.setLabelAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop)
        self.form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self._build_fields(body)
        self._build_points(body)
        self._build_more(body)
        scroll = QScrollArea(self)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # its fields take focus and scroll into view
        scroll.setWidget(body)
        self.message = MessageLine(self)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel, self)
        self.ok_button = self.buttons.addButton(
            _("S&ave") if record else _("&Add customer"), QDialogButtonBox.ButtonRole.AcceptRole
        )
        self.ok_button.setDefault(True)
        self.buttons.accepted.connect(self.submit)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(scroll, 1)
        layout.addWidget(self.message)
        layout.addWidget(self.buttons)
        if record is not None:
            self._fill(record)
        else:
            for points in self.point_lists:
                points.add_row()
            self.organisations.add_row()
        self._order_tabs()
        self.given.setFocus()
        self.resize(640, 620)

    # --- building ------------------------------------------------------------------------------------------

    def _add_row(self, text: str, field: QWidget) -> None:
        label = QLabel(text, field.parentWidget())
        label.setBuddy(field)
        self.form.addRow(label, field)

    def _build_fields(self, body: QWidget) -> None:
        self.given = _line(body, _("Given name"))
        self.family = _line(body, _("Family name"))
        self.display = _line(body, _("Name as shown in lists"))
        self.display.setPlaceholderText(_("Leave empty to use the given and family names"))
        self._add_row(_("&Given name:"), self.given)
        self._add_row(_("&Family name:"), self.family)
        self._add_row(_("Sho&wn as:"), self.display)

    def _build_points(self, body: QWidget) -> None:
        self.emails = PointList("email", _("email address"), _("Add &email address"), body)
        self.phones = PointList("phone", _("phone number"), _("Add &phone number"), body)
        self.addresses = PointList("address", _("address"), _("Add a&ddress"), body)
        self.point_lists = (self.emails, self.phones, self.addresses)
        for title, points in (
            (_("Emails:"), self.emails),
            (_("Phones:"), self.phones),
            (_("Addresses:"), self.addresses),
        ):
            self.form.addRow(QLabel(title, body), points)
            points.rows_changed.connect(self._order_tabs)

    def _build_more(self, body: QWidget) -> None:
        self.organisations = OrganisationList(body)
        self.organisations.rows_changed.connect(self._order_tabs)
        self.form.addRow(QLabel(_("Organisations:"), body), self.organisations)
        self.tags = _line(body, _("Tags, separated by commas"), 1000)
        self.tags.setPlaceholderText(_("e.g. vip, wholesale"))
        self.language = QComboBox(body)
        self.language.setAccessibleName(_("Preferred language"))
        self.language.setToolTip(
            _(
                "The language of this customer's consent forms, privacy notices and data "
                "exports. When it is not set, the shop's language is used."
            )
        )
        self.language.addItem(_("Not set (use the shop's language)"), None)
        add_language_items(self.language)
        self._add_row(_("&Tags:"), self.tags)
        self._add_row(_("Preferred &language:"), self.language)
        self.note = QPlainTextEdit(body)
        self.note.setAccessibleName(_("First note"))
        self.note.setTabChangesFocus(True)
        self.note.setMaximumHeight(self.fontMetrics().lineSpacing() * 4 + 12)
        if self.record is None:
            self._add_row(_("&Note:"), self.note)
        else:
            self.note.hide()

    def _fill(self, record: ContactRecord) -> None:
        self.given.setText(record.given_name)
        self.family.setText(record.family_name)
        automatic = {
            " ".join(p for p in (record.given_name, record.family_name) if p),
            f"{record.family_name}{record.given_name}",
        }
        if record.display_name not in automatic:
            self.display.setText(record.display_name)
        lists = {points.kind: points for points in self.point_lists}
        for point in record.points:
            if point.kind in lists:
                row = lists[point.kind].add_row(point.label, point.value)
                if point.unchecked:
                    row.mark_unchecked()
        for points in self.point_lists:
            if not points.rows:
                points.add_row()
        for _id, name, job_title in record.organisations:
            self.organisations.add_row(name, job_title)
        if not record.organisations:
            self.organisations.add_row()
        self.tags.setText(", ".join(record.tags))
        if record.language is not None and self.language.findData(record.language) < 0:
            # Set before only the shipped languages were offered (or by an import): kept, never silently dropped.
            self.language.addItem(language_name(record.language), record.language)
        self.language.setCurrentIndex(max(self.language.findData(record.language), 0))
        self._fill_kept(record.id)

    def _fill_kept(self, contact_id: int) -> None:
        """The birthday and the shop's totals an import kept (#16), shown, not edited here: the totals are the
        shop system's own running figures, replaced by its next export."""
        self.birthday: QLabel | None = None
        self.purchases: QLabel | None = None
        conn = self.context.session.conn
        born = birth_date(conn, contact_id)
        body = self.given.parentWidget()
        if born is not None:
            self.birthday = QLabel(day(born, length="long"), body)
            self.birthday.setAccessibleName(_("Birthday"))
            self.birthday.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            self.form.addRow(QLabel(_("Birthday:"), body), self.birthday)
        bought = purchases_of(conn, contact_id)
        if bought is not None and summary(bought):
            self.purchases = QLabel(summary(bought), body)
            self.purchases.setAccessibleName(_("Purchases"))
            self.purchases.setToolTip(_("As the shop's system counted them; its next export replaces them."))
            self.purchases.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            self.form.addRow(QLabel(_("Purchases:"), body), self.purchases)

    def _order_tabs(self) -> None:
        """Rows are added after the buttons exist; keep Tab moving down the form in reading order."""
        chain: list[QWidget] = [self.given, self.family, self.display]
        for points in self.point_lists:
            chain += points.focus_widgets()
        chain += self.organisations.focus_widgets()
        chain += [self.tags, self.language]
        if self.record is None:
            chain.append(self.note)
        chain += [self.ok_button, self.buttons.button(QDialogButtonBox.StandardButton.Cancel)]
        for first, second in zip(chain, chain[1:], strict=False):
            QWidget.setTabOrder(first, second)

    @property
    def organisation(self) -> QLineEdit:
        """The first organisation's name (a row is added when there is none)."""
        return (self.organisations.rows or [self.organisations.add_row()])[0].name

    @property
    def job_title(self) -> QLineEdit:
        """The job title at the first organisation."""
        return (self.organisations.rows or [self.organisations.add_row()])[0].job_title

    # --- saving --------------------------------------------------------------------------------------------

    def data(self) -> ContactInput:
        points = [point for points in self.point_lists for point in points.points()]
        tags = [tag.strip() for tag in self.tags.text().split(",") if tag.strip()]
        return ContactInput(
            given_name=self.given.text(),
            family_name=self.family.text(),
            display_name=self.display.text(),
            points=points,
            organisations=self.organisations.links(),
            tags=tags,
            language=self.language.currentData(),
            note=self.note.toPlainText() if self.record is None else "",
        )

    def submit(self) -> None:
        if self.context.busy or not self.context.is_open:
            return
        self.message.clear()
        for points in self.point_lists:
            points.clear_messages()
        self.organisations.clear_messages()
        service = ContactService(self.context.session)
        try:
            if self.record is None:
                contact_id = service.create(self.data())
            else:
                service.update(self.record.id, self.data())
                contact_id = self.record.id
        except SensitiveFirstNote as exc:  # said under the form, and the note is where the person looks
            self.message.show_error(str(exc))
            self.note.setFocus()
            return
        except InvalidInput as exc:
            self._show_problem(service, str(exc))
            return
        except CounterpartError as exc:
            self.message.show_error(message_for(exc))
            return
        self.saved.emit(contact_id)
        self.accept()
        self.context.changed.emit()

    def _show_problem(self, service: ContactService, text: str) -> None:
        """Say what is wrong next to the field it is about when we can tell which, else under the form."""
        row = self._wrong_row(service)
        if row is not None:
            row.message.show_error(text)
            row.value.setFocus()
            row.value.selectAll()
            return
        nameless = next(
            (row for row in self.organisations.rows if row.job_title.text().strip() and not row.name.text().strip()),
            None,
        )
        if nameless is not None:
            nameless.message.show_error(text)
            nameless.name.setFocus()
            return
        self.message.show_error(text)
        if not (self.given.text().strip() or self.family.text().strip() or self.display.text().strip()):
            self.given.setFocus()
        elif len(self.given.text().strip()) + len(self.family.text().strip()) >= MAX_NAME:
            self.display.setFocus()

    def _wrong_row(self, service: ContactService) -> PointRow | None:
        check = {
            "email": normalise_email,
            "phone": lambda v: normalise_phone(v, service.region()),
            "address": normalise_address,
        }
        for points in self.point_lists:
            for row in points.rows:
                if row.value.text().strip():
                    try:
                        check[row.kind](row.value.text())
                    except InvalidInput:
                        return row
        return None
