"""The consent tab of a customer's record: what we may do now and why, everything ever recorded, and the
ways to record more (in words from staff, on paper, or by handing the screen to the customer).

It reads on the UI thread only while no operation holds the connection, and forgets the person on `clear()`.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QMouseEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.access.roles import Permission
from app.consent.ledger import ConsentEvent, ConsentService, ConsentState, lawful_basis_label
from app.errors import CounterpartError
from app.locale import _
from app.locale.formatting import clock_time
from ui.consent.kiosk import KioskWindow
from ui.consent.labels import action_label, method_label, purpose_name, state_icon, state_label
from ui.consent.print_dialog import PrintFormDialog
from ui.consent.record_dialog import RecordConsentDialog
from ui.dialogs import confirm
from ui.flow_layout import FlowLayout
from ui.operation import message_for
from ui.session_context import SessionContext
from ui.widgets import MessageLine, paragraph

STATE_COLUMNS = 4
_PURPOSE, _STATE, _BASIS, _ACTION = range(STATE_COLUMNS)
REASON_ROLE = Qt.ItemDataRole.UserRole  # the state's reason alone ("never asked"), under the state in its cell


def _item(text: str, tooltip: str = "") -> QTableWidgetItem:
    item = QTableWidgetItem(text)
    item.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable)
    if tooltip:
        item.setToolTip(tooltip)
    return item


def _table(parent: QWidget, name: str, headers: list[str]) -> QTableWidget:
    table = QTableWidget(0, len(headers), parent)
    table.setTabKeyNavigation(False)  # Tab leaves the table; arrows move in it
    table.setHorizontalHeaderLabels(headers)
    table.setAccessibleName(name)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setAlternatingRowColors(True)
    table.setWordWrap(False)
    table.verticalHeader().hide()
    table.horizontalHeader().setStretchLastSection(True)
    table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
    return table


def _fit_columns(table: QTableWidget, wrapping: tuple[int, ...]) -> None:
    """Columns that fit the table's width: the `wrapping` ones share what is left and wrap their words; the
    others take their contents' width. No sideways scrolling ("Legitimate in…" was cut at the pane's edge)."""
    header = table.horizontalHeader()
    header.setStretchLastSection(False)
    header.setMinimumSectionSize(0)
    for column in range(table.columnCount()):
        mode = QHeaderView.ResizeMode.Stretch if column in wrapping else QHeaderView.ResizeMode.ResizeToContents
        heading = table.horizontalHeaderItem(column)
        if heading is None or not heading.text():
            mode = QHeaderView.ResizeMode.Fixed  # a column of buttons: sized by whoever fills it
        header.setSectionResizeMode(column, mode)
    table.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    table.setTextElideMode(Qt.TextElideMode.ElideNone)


class _ClickableLabel(QLabel):
    clicked = Signal()

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:  # noqa: N802 - Qt override
        super().mouseReleaseEvent(event)
        if event.button() == Qt.MouseButton.LeftButton:
            self.clicked.emit()


class _WrappedCheck(QWidget):
    """A check box whose words wrap in a narrow pane (a QCheckBox's own text never wraps, and its width made the
    Consent tab scroll sideways). Clicking the words ticks the box, as with a plain check box."""

    def __init__(self, text: str, parent: QWidget) -> None:
        super().__init__(parent)
        self.box = QCheckBox(self)
        self.label = _ClickableLabel(text, self)
        self.label.setWordWrap(True)
        self.label.setBuddy(self.box)
        self.label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.label.clicked.connect(lambda: self.box.click() if self.box.isEnabled() else None)
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.box, 0, Qt.AlignmentFlag.AlignTop)
        row.addWidget(self.label, 1)


class _FittedColumn(QVBoxLayout):
    """The panel's column inside its scroll area. It keeps its wrapped lines' height-for-width to itself: told
    of it, the scroll area would make the column its preferred height (the tables at full size) and scroll when
    the column can fit by shrinking the tables, as it did before it was in a scroll area."""

    def hasHeightForWidth(self) -> bool:  # noqa: N802 - Qt override
        return False


class ConsentPanel(QWidget):
    """`customer_created(id)`: a new customer signed up in the kiosk (the Customers page may select them)."""

    customer_created = Signal(int)

    def __init__(self, context: SessionContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context = context
        self.contact_id: int | None = None
        self.states: list[ConsentState] = []
        self.kiosk: KioskWindow | None = None
        may_capture = context.can(Permission.CAPTURE_CONSENT)

        self.states_table = _table(self, _("Consent by purpose"), [_("Purpose"), _("State"), _("Lawful basis"), ""])
        self.states_table.setWordWrap(True)  # long purpose names wrap instead of being cut off
        self.states_table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.states_table.verticalHeader().setMinimumSectionSize(self.fontMetrics().height() + 14)
        # Fit the pane's width: the words wrap; only the action column takes its size.
        _fit_columns(self.states_table, wrapping=(_PURPOSE, _STATE, _BASIS))

        opt_out = _WrappedCheck(_("Do not sell or share &my personal information"), self)
        self.opt_out = opt_out.box
        self.opt_out.setAccessibleName(_("Do not sell or share (opt-out of sale or sharing)"))
        limit_sensitive = _WrappedCheck(_("Limit the use of my sensitive personal information"), self)
        self.limit_sensitive = limit_sensitive.box
        self.limit_sensitive.setAccessibleName(_("Limit the use of sensitive personal information"))
        self.opt_out.clicked.connect(lambda on: self.set_flag("opt_out_sale_sharing", on))
        self.limit_sensitive.clicked.connect(lambda on: self.set_flag("limit_sensitive", on))
        flags = QGroupBox(_("Customer's requests (US state privacy laws)"), self)
        flags_layout = QVBoxLayout(flags)
        flags_layout.addWidget(
            paragraph(
                _("One click records the request at once; clicking again records that the customer took it back."),
                flags,
            )
        )
        flags_layout.addWidget(opt_out)
        flags_layout.addWidget(limit_sensitive)

        self.record_button = QPushButton(_("&Record consent…"), self)
        self.record_button.setAccessibleName(_("Record consent the customer gave or withdrew"))
        self.record_button.clicked.connect(self.record_consent)
        self.print_button = QPushButton(_("Print consent form…"), self)
        self.print_button.setAccessibleName(_("Print a paper consent form"))
        self.print_button.clicked.connect(self.print_form)
        self.kiosk_button = QPushButton(_("H&and to customer…"), self)
        self.kiosk_button.setAccessibleName(_("Hand the screen to the customer to choose for themselves"))
        self.kiosk_button.setToolTip(
            _("Shows the notice and the choices full screen in the customer's language; your password brings you back.")
        )
        self.kiosk_button.clicked.connect(self.hand_to_customer)
        self.capture_widgets: list[QWidget] = [
            self.record_button,
            self.print_button,
            self.kiosk_button,
            self.opt_out,
            self.limit_sensitive,
        ]
        if not may_capture:
            for widget in self.capture_widgets:
                widget.setToolTip(context.why_not(Permission.CAPTURE_CONSENT))
        buttons = FlowLayout()  # on further lines when the pane is narrow, instead of widening the window
        for button in (self.record_button, self.print_button, self.kiosk_button):
            buttons.addWidget(button)

        self.history_table = _table(
            self, _("Consent history"), [_("Time"), _("Purpose"), _("Action"), _("How"), _("Notice"), _("By")]
        )
        self.history_table.setWordWrap(True)
        self.history_table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        _fit_columns(self.history_table, wrapping=(1, 3, 5))  # purpose, how, recorded by wrap
        self.empty_label = paragraph(_("Choose a customer to see their consent."), self)
        self.message = MessageLine(self)

        # The tab sits in the record pane beside the customer list: what does not fit its width scrolls, and
        # never asks the main window to grow (the detail pane's minimum width is its tabs' widest minimum).
        content = QWidget(self)
        scroll = QScrollArea(self)
        scroll.setWidget(content)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # the fields inside take focus, and scroll into view
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(scroll)
        layout = _FittedColumn(content)
        layout.setContentsMargins(8, 8, 8, 8)
        layout.addWidget(self.empty_label)
        layout.addLayout(buttons)
        layout.addWidget(self.states_table, 3)
        layout.addWidget(flags)
        history_label = QLabel(_("History (ne&west first)"), self)
        history_label.setBuddy(self.history_table)
        layout.addWidget(history_label)
        layout.addWidget(self.history_table, 2)
        layout.addWidget(self.message)
        context.changed.connect(self.reload)
        self._update_enabled()

    # --- showing -------------------------------------------------------------------------------------------

    def show_contact(self, contact_id: int | None) -> None:
        self.message.clear()
        if contact_id is None:
            self.clear()
            return
        self.contact_id = contact_id
        self.reload()

    def reload(self) -> None:
        contact_id = self.contact_id
        if contact_id is None or not self.context.is_open or self.context.busy:
            return
        service = ConsentService(self.context.session)
        try:
            self.states = service.states(contact_id)
            history = service.history(contact_id)
            opted_out = service.flag(contact_id, "opt_out_sale_sharing")
            limited = service.flag(contact_id, "limit_sensitive")
            self._fill_history(service, history)
        except CounterpartError as exc:
            self.message.show_error(message_for(exc))
            return
        self._fill_states(self.states)
        self.opt_out.setChecked(opted_out)
        self.limit_sensitive.setChecked(limited)
        self._update_enabled()

    def _fill_states(self, states: list[ConsentState]) -> None:
        table = self.states_table
        table.setRowCount(len(states))
        may_capture = self.context.can(Permission.CAPTURE_CONSENT)
        for row, state in enumerate(states):
            name = purpose_name(state.purpose)
            if state.purpose.separate_consent:
                name = _("{purpose} (separate consent)").format(purpose=name)
            table.setItem(row, _PURPOSE, _item(name))
            status = _item("\n".join(part for part in (state_label(state), state.reason) if part))
            status.setData(REASON_ROLE, state.reason)
            status.setIcon(state_icon(self, state.granted))
            table.setItem(row, _STATE, status)
            table.setItem(row, _BASIS, _item(lawful_basis_label(state.purpose.lawful_basis)))
            old = table.cellWidget(row, _ACTION)
            if old is not None:
                old.hide()  # deleted later by the table; do not let it paint meanwhile
                table.removeCellWidget(row, _ACTION)
            if state.granted and state.purpose.lawful_basis == "consent":
                button = QPushButton(_("Withdraw"), table)
                button.setAccessibleName(_("Withdraw consent for {purpose}").format(purpose=name))
                button.setEnabled(may_capture)
                if not may_capture:
                    button.setToolTip(self.context.why_not(Permission.CAPTURE_CONSENT))
                button.clicked.connect(lambda _checked=False, key=state.purpose.key: self.withdraw(key))
                table.setCellWidget(row, _ACTION, button)
        # The Withdraw column is as wide as its buttons, and takes no room when there is nothing to withdraw.
        buttons = [table.cellWidget(row, _ACTION) for row in range(table.rowCount())]
        table.setColumnWidth(_ACTION, max((b.sizeHint().width() + 6 for b in buttons if b is not None), default=0))

    def _fill_history(self, service: ConsentService, history: list[ConsentEvent]) -> None:
        names = {p.key: purpose_name(p) for p in service.purposes(active_only=False)}
        versions: dict[int, str] = {}
        table = self.history_table
        table.setRowCount(len(history))
        for row, event in enumerate(reversed(history)):
            notice = ""
            if event.notice_id is not None:
                if event.notice_id not in versions:
                    shown = service.notice(event.notice_id)
                    versions[event.notice_id] = _("v{version} ({language})").format(
                        version=shown.version, language=shown.language
                    )
                notice = versions[event.notice_id]
            how = method_label(event.method)
            if event.evidence_id is not None:
                how = _("{method}, with evidence").format(method=how)
            if event.guardian_name:  # a child's consent, given by a parent
                how = _("{method}, given by {parent} ({relation})").format(
                    method=how, parent=event.guardian_name, relation=event.guardian_relation or ""
                )
            cells = (
                clock_time(event.at),
                names.get(event.purpose_key, event.purpose_key),
                action_label(event.action),
                how,
                notice,
                event.captured_by or _("(removed user)"),
            )
            for column, text in enumerate(cells):
                table.setItem(row, column, _item(text, (event.notice_sha256 or "") if column == 4 else ""))

    def _update_enabled(self) -> None:
        has_contact = self.contact_id is not None
        may_capture = self.context.can(Permission.CAPTURE_CONSENT)
        self.empty_label.setVisible(not has_contact)
        for widget in (self.record_button, self.opt_out, self.limit_sensitive):
            widget.setEnabled(has_contact and may_capture)
        self.print_button.setEnabled(may_capture)  # without a customer: a blank form
        self.kiosk_button.setEnabled(may_capture)  # without a customer: a new one signs up at the counter
        self.kiosk_button.setText(_("H&and to customer…") if has_contact else _("&New customer at the counter…"))

    def clear(self) -> None:
        """Forget the person (lock, or another customer chosen)."""
        self.contact_id = None
        self.states = []
        self.states_table.setRowCount(0)
        self.history_table.setRowCount(0)
        self.opt_out.setChecked(False)
        self.limit_sensitive.setChecked(False)
        self.message.clear()
        self._update_enabled()

    # --- actions -------------------------------------------------------------------------------------------

    def _quick(self, change: object, done: str = "") -> bool:
        """A small write on the UI thread (no key derivation), then every view refreshes."""
        if self.context.busy or self.contact_id is None:
            return False
        self.message.clear()
        try:
            change(ConsentService(self.context.session))  # type: ignore[operator]
        except CounterpartError as exc:
            self.message.show_error(message_for(exc))
            self.reload()
            return False
        self.context.changed.emit()
        if done:
            self.message.show_info(done)
        return True

    def withdraw(self, purpose_key: str) -> QMessageBox | None:
        """Ask once, then record the withdrawal at once: it applies everywhere from this moment."""
        contact_id = self.contact_id
        state = next((s for s in self.states if s.purpose.key == purpose_key), None)
        if contact_id is None or state is None:
            return None
        name = purpose_name(state.purpose)

        def withdraw_now() -> None:
            self._quick(
                lambda s: s.record(contact_id, purpose_key, False, "verbal"),
                _("Consent for “{purpose}” withdrawn.").format(purpose=name),
            )

        return confirm(
            self.window(),
            _("Withdraw consent"),
            _("Record that the customer withdrew consent for “{purpose}”?").format(purpose=name),
            _("&Withdraw"),
            withdraw_now,
            _("It takes effect at once: the customer is left out of every list for this purpose."),
        )

    def set_flag(self, flag: str, value: bool) -> None:
        contact_id = self.contact_id
        if contact_id is None:
            return
        if not self._quick(lambda s: s.set_flag(contact_id, flag, value)):
            self.reload()

    def record_consent(self) -> RecordConsentDialog | None:
        if self.contact_id is None or self.context.busy:
            return None
        dialog = RecordConsentDialog(self.context, self.contact_id, self.window())
        dialog.open()
        return dialog

    def print_form(self) -> PrintFormDialog | None:
        if self.context.busy:
            return None
        dialog = PrintFormDialog(self.context, self.contact_id, self.window())
        dialog.open()
        return dialog

    def hand_to_customer(self, *, full_screen: bool = True) -> KioskWindow | None:
        if self.context.busy or (self.kiosk is not None and self.kiosk.isVisible()):
            return None
        behind = self.window()
        kiosk = KioskWindow(self.context, self.contact_id, behind)
        kiosk.left.connect(self._kiosk_left)
        self.kiosk = kiosk
        kiosk.start(full_screen=full_screen)
        # Out of sight, not just out of reach: a task switcher must not bring customer records to the front.
        # The kiosk is a window of its own and stays up; a lock deletes both.
        behind.hide()
        return kiosk

    def _kiosk_left(self, contact_id: object) -> None:
        self.kiosk = None
        behind = self.window()
        behind.show()
        behind.raise_()
        behind.activateWindow()
        if isinstance(contact_id, int) and self.contact_id is None:
            self.show_contact(contact_id)  # the new customer's consent, as just captured
            self.customer_created.emit(contact_id)
        else:
            self.reload()
