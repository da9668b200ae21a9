"""Customers: search as you type, filters (tag, owner, consent state), a lazily paged list in name order, and the
selected person's record.

Opening a record is an audited read, so the page opens one only when a row stays selected for a moment (not
for every row the arrow keys pass) or when the person asks (New, Edit, Undo). Deleting moves a person to
the bin at once and offers Undo instead of asking first.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QItemSelectionModel, QModelIndex, QObject, QPersistentModelIndex, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QKeyEvent, QKeySequence, QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QSplitter,
    QStackedWidget,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app.access.roles import Permission
from app.consent.ledger import ConsentService
from app.crm.contacts import ContactFilter, ContactService
from app.crm.duplicates import MERGE_PERMISSION, may_merge
from app.errors import CounterpartError
from app.locale import _, ngettext
from ui.consent.labels import purpose_name
from ui.customers import export as csv_export
from ui.customers.contact_dialog import ContactDialog
from ui.customers.detail import ContactDetail
from ui.customers.duplicates_dialog import DuplicatesDialog
from ui.customers.empty_state import EmptyCustomerList
from ui.customers.undo_bar import UndoBar
from ui.models.contacts_model import SEARCH_LIMIT, ContactListModel
from ui.operation import message_for
from ui.session_context import SessionContext
from ui.widgets import MessageLine, heading

if TYPE_CHECKING:
    from app.crm.importing.model import ImportReport
    from ui.customers.import_dialog import ImportDialog

SEARCH_DELAY_MS = 200  # search as you type, once typing pauses
OPEN_DELAY_MS = 250  # open (and audit) a record once the selection rests on it
SEARCHING_NOTICE_MS = 150  # a search still running after this says so (a quick one would only flicker)
FIND_ROWS_LIMIT = 5_000  # how far down the list to page to select a person just saved (20 pages)


def consent_state_choices() -> list[tuple[str | None, str]]:
    """The consent filter's first half; the purpose chosen beside it completes the sentence."""
    return [
        (None, _("Any consent")),
        ("granted", _("Consented to")),
        ("withdrawn", _("Withdrew consent to")),
        ("expired", _("Consent expired for")),
        ("never_asked", _("Never asked about")),
    ]


class CustomerFilters(QWidget):
    """Show only the customers with a tag, of an owner, in a consent state for a purpose. Each choice reads on
    its own ("Tag: vip", "Consented to" + "Email marketing"); "Show only" (Alt+Y) leads to them."""

    changed = Signal()

    def __init__(self, context: SessionContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context = context
        self.tag = self._combo(_("Filter by tag"), _("Show only the customers with this tag"))
        self.owner = self._combo(_("Filter by owner"), _("Show only the customers this member of staff added"))
        self.restricted = self._combo(
            _("Filter by restriction"),
            _("Show only the customers whose processing is restricted (GDPR Art. 18), or only the others"),
        )
        for flag, text in ((None, _("Restricted or not")), (True, _("Restricted only")), (False, _("Not restricted"))):
            self.restricted.addItem(text, flag)
        self.consent = self._combo(
            _("Filter by consent"),
            _("Show only the customers whose consent, for the purpose chosen beside, stands like this now"),
        )
        for state, text in consent_state_choices():
            self.consent.addItem(text, state)
        self.purpose = self._combo(_("Consent purpose to filter by"), _("The purpose the consent filter is about"))
        self.clear_button = QPushButton(_("&Clear filters"), self)
        self.clear_button.setAccessibleName(_("Clear filters and show every customer"))
        self.clear_button.clicked.connect(self.reset)
        label = QLabel(_("Show onl&y:"), self)
        label.setBuddy(self.tag)
        grid = QGridLayout(self)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.setHorizontalSpacing(6)
        grid.setVerticalSpacing(4)
        grid.addWidget(label, 0, 0)
        grid.addWidget(self.tag, 0, 1)
        grid.addWidget(self.owner, 0, 2)
        grid.addWidget(self.restricted, 0, 3)
        grid.addWidget(self.consent, 1, 1)
        grid.addWidget(self.purpose, 1, 2)
        grid.addWidget(self.clear_button, 1, 3)
        grid.setColumnStretch(1, 1)
        grid.setColumnStretch(2, 1)
        self.reload()
        self._sync()
        for combo in (self.tag, self.owner, self.consent, self.purpose, self.restricted):
            combo.currentIndexChanged.connect(lambda _index: self._chosen())

    def _combo(self, accessible_name: str, tip: str) -> QComboBox:
        combo = QComboBox(self)
        combo.setAccessibleName(accessible_name)
        combo.setToolTip(tip)
        combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        combo.setMinimumContentsLength(10)
        return combo

    def focus_widgets(self) -> list[QWidget]:
        return [self.tag, self.owner, self.restricted, self.consent, self.purpose, self.clear_button]

    def current(self) -> ContactFilter:
        state = self.consent.currentData()
        purpose = self.purpose.currentData()
        if state is None or purpose is None:
            state = purpose = None
        return ContactFilter(
            tag_id=self.tag.currentData(),
            owner_user_id=self.owner.currentData(),
            consent_purpose=purpose,
            consent_state=state,
            restricted=self.restricted.currentData(),
        )

    def _chosen(self) -> None:
        self._sync()
        self.changed.emit()

    def _sync(self) -> None:
        self.purpose.setEnabled(self.consent.currentData() is not None)
        self.clear_button.setEnabled(self.current().active)

    def reload(self, announce: bool = True) -> None:
        """Read the tags, staff and purposes to choose from again, keeping what is chosen where it still
        exists (otherwise back to "any", announced unless the caller reads the list itself)."""
        if not self.context.is_open or self.context.busy:
            for combo, anything in ((self.tag, _("Any tag")), (self.owner, _("Any owner"))):
                if not combo.count():
                    combo.addItem(anything, None)  # the rest once the connection is free (refresh)
            return
        session = self.context.session
        me = session.user.id
        tags: list[tuple[object, str]] = [(None, _("Any tag"))]
        tags += [(tag_id, _("Tag: {tag}").format(tag=name)) for tag_id, name in ContactService(session).tags()]
        owners: list[tuple[object, str]] = [(None, _("Any owner"))]
        owners += [
            (user_id, _("Owner: me") if user_id == me else _("Owner: {name}").format(name=name))
            for user_id, name in ContactService(session).owners()
        ]
        purposes: list[tuple[object, str]] = [
            (p.key, purpose_name(p)) for p in ConsentService(session).purposes() if p.lawful_basis == "consent"
        ]
        before = self.current()
        for combo, items in ((self.tag, tags), (self.owner, owners), (self.purpose, purposes)):
            self._fill(combo, items)
        self._sync()
        if announce and self.current() != before:
            self.changed.emit()

    @staticmethod
    def _fill(combo: QComboBox, items: list[tuple[object, str]]) -> None:
        if [(combo.itemData(i), combo.itemText(i)) for i in range(combo.count())] == items:
            return
        chosen = combo.currentData()
        combo.blockSignals(True)
        try:
            combo.clear()
            for data, text in items:
                combo.addItem(text, data)
            combo.setCurrentIndex(max(combo.findData(chosen), 0))
        finally:
            combo.blockSignals(False)

    def reset(self) -> None:
        """Back to everyone (Clear filters)."""
        if not self.current().active:
            return
        for combo in (self.tag, self.owner, self.consent, self.restricted):
            combo.blockSignals(True)
            combo.setCurrentIndex(0)
            combo.blockSignals(False)
        self._chosen()

    def clear(self) -> None:
        """Forget the choices and the tag and staff names (lock); nothing is announced."""
        for combo in (self.tag, self.owner, self.purpose):
            combo.blockSignals(True)
            combo.clear()
            combo.blockSignals(False)
        for choice in (self.consent, self.restricted):
            choice.blockSignals(True)
            choice.setCurrentIndex(0)
            choice.blockSignals(False)
        self._sync()


class ElidedInTheMiddle(QStyledItemDelegate):
    def initStyleOption(self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex) -> None:  # noqa: N802
        super().initStyleOption(option, index)
        option.textElideMode = Qt.TextElideMode.ElideMiddle


class CustomersPage(QWidget):
    def __init__(self, context: SessionContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context = context
        self.model = ContactListModel(context, self)
        self._stale = False  # a change arrived while an operation held the connection
        self._open_after_change: int | None = None
        self._quiet = False  # selection moved by the page itself: do not open anything
        self._dialogs: list[QDialog] = []
        self._split_done = False
        self._build_actions()
        self._build_list()
        self.detail = ContactDetail(context, self)
        self.detail.edit_requested.connect(self.edit_customer)
        self.detail.delete_requested.connect(self.delete_customer)
        self.undo_bar = UndoBar(self)
        self.undo_bar.undo_requested.connect(self.undo_delete)
        self.undo_bar.available.connect(self.undo_action.setEnabled)
        self.undo_action.setEnabled(False)  # Ctrl+Z belongs to the page only while there is a delete to undo
        self.message = MessageLine(self)
        self._layout()
        self._timers()
        context.changed.connect(self.refresh)
        context.busy_changed.connect(self._busy_changed)
        self._update_count()

    # --- building ------------------------------------------------------------------------------------------

    def _action(
        self,
        text: str,
        keys: QKeySequence | QKeySequence.StandardKey | str,
        slot: Callable[[], object],
        context: Qt.ShortcutContext = Qt.ShortcutContext.WindowShortcut,
        owner: QWidget | None = None,
    ) -> QAction:
        action = QAction(text, owner or self)
        action.setShortcut(QKeySequence(keys))
        action.setShortcutContext(context)
        action.triggered.connect(lambda _checked=False: slot())  # Qt's `checked` is no argument of the slot's
        (owner or self).addAction(action)
        return action

    def _button(
        self,
        text: str,
        accessible_name: str,
        slot: Callable[[], object],
        permission: Permission | None = None,
        tip: str = "",
    ) -> QPushButton:
        button = QPushButton(text, self)
        button.setAccessibleName(accessible_name)
        button.setToolTip(tip)
        button.clicked.connect(lambda _checked=False: slot())  # import_customers(path=False) crashed the import
        if permission is not None and not self.context.can(permission):
            button.setEnabled(False)
            button.setToolTip(self.context.why_not(permission))
        return button

    def _build_actions(self) -> None:
        self.new_button = self._button(
            _("&New customer"),
            _("Add a new customer"),
            self.new_customer,
            Permission.EDIT_CUSTOMERS,
            _("Add a new customer (Ctrl+N)"),
        )
        self.export_button = self._button(
            _("E&xport CSV…"),
            _("Export the customers shown as CSV"),
            self.ask_export,
            Permission.EXPORT_BULK,
            _("Save the customers shown (everyone, or the search results, through the filters) as a CSV file"),
        )
        self.pseudonymised_button = self._button(
            _("Pseudonymised export…"),
            _("Export every customer pseudonymised, for analysis"),
            self.ask_export_pseudonymised,
            Permission.EXPORT_BULK,
            _("For analysis: pseudonyms instead of names, no contact details, months instead of dates, age bands"),
        )
        self.duplicates_button = self._button(
            _("Find du&plicates…"),
            _("Find and merge duplicate customers"),
            self.find_duplicates,
            None,
            _("Customers who share an email address or phone number"),
        )
        if not may_merge(self.context.session):
            self.duplicates_button.setEnabled(False)
            self.duplicates_button.setToolTip(
                self.context.why_not(MERGE_PERMISSION) + " " + _("Merging removes records for good.")
            )
        self.import_button = self._button(
            _("&Import…"),
            _("Import customers from a file"),
            self.import_customers,
            Permission.EDIT_CUSTOMERS,
            _("Customers from a CSV export of another tool, or a vCard file"),
        )
        self.new_action = self._action(_("New customer"), "Ctrl+N", self.new_customer)
        self.new_action.setEnabled(self.context.can(Permission.EDIT_CUSTOMERS))
        self.find_action = self._action(_("Find a customer"), QKeySequence.StandardKey.Find, self.focus_search)
        self.undo_action = self._action(_("Undo delete"), QKeySequence.StandardKey.Undo, self._undo_shortcut)

    def _build_list(self) -> None:
        self.search = QLineEdit(self)
        self.search.setAccessibleName(_("Search customers"))
        self.search.setPlaceholderText(_("Search names, emails, phones, tags… (Ctrl+F)"))
        self.search.setToolTip(
            _("Names, emails, phone digits, organisations, tags and notes; results appear as you type")
        )
        self.search.setClearButtonEnabled(True)
        self.search.textChanged.connect(lambda _text: self._search_timer.start())
        self.search.returnPressed.connect(self.apply_search)
        self.search.installEventFilter(self)
        self.filters = CustomerFilters(self.context, self)
        self.filters.changed.connect(self.apply_filter)
        self.table = QTableView(self)
        self.table.setTabKeyNavigation(False)  # Tab leaves the table; arrows move in it
        self.table.setModel(self.model)
        self.table.setAccessibleName(_("Customers"))
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)
        self.table.setSortingEnabled(False)  # the service decides the order: names, or relevance when searching
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 8)
        header = self.table.horizontalHeader()
        header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        header.setStretchLastSection(False)
        header.setMinimumSectionSize(60)
        for column, mode in (
            (0, QHeaderView.ResizeMode.Stretch),
            (1, QHeaderView.ResizeMode.Stretch),
            (2, QHeaderView.ResizeMode.Interactive),
            (3, QHeaderView.ResizeMode.Interactive),
        ):
            header.setSectionResizeMode(column, mode)
        # A phone number fits whole (an international one is the longest); an email keeps its start and its
        # domain ("fatima.h…@example.org"), which tell two addresses apart better than a cut-off end.
        self.table.setColumnWidth(2, self.fontMetrics().horizontalAdvance("+971 50 123 45678") + 16)
        self.table.setColumnWidth(3, 104)
        self.table.setItemDelegateForColumn(1, ElidedInTheMiddle(self.table))
        self.table.setTextElideMode(Qt.TextElideMode.ElideRight)  # whole values are in each cell's tooltip
        self.table.selectionModel().selectionChanged.connect(lambda *_args: self._selection_changed())
        self.table.doubleClicked.connect(lambda _index: self.edit_customer(self.selected_id()))
        self.table.clicked.connect(lambda _index: self.open_selected())  # a click is a clear choice: no delay
        self.delete_action = self._action(
            _("Delete customer"),
            QKeySequence.StandardKey.Delete,
            lambda: self.delete_customer(self.selected_id()),
            Qt.ShortcutContext.WidgetShortcut,
            self.table,
        )
        self.delete_action.setEnabled(self.context.can(Permission.EDIT_CUSTOMERS))
        self.edit_action = self._action(
            _("Edit customer"),
            "Return",
            lambda: self.edit_customer(self.selected_id()),
            Qt.ShortcutContext.WidgetShortcut,
            self.table,
        )
        self.edit_action.setShortcuts([QKeySequence("Return"), QKeySequence("Enter")])
        self.edit_action.setEnabled(self.context.can(Permission.EDIT_CUSTOMERS))
        self.empty_state = EmptyCustomerList(
            self.new_customer,
            self.import_customers,
            self.context.can(Permission.EDIT_CUSTOMERS),
            self.context.why_not(Permission.EDIT_CUSTOMERS),
            self,
        )
        self.list_area = QStackedWidget(self)  # the table, or the way to a first customer while there is none
        self.list_area.addWidget(self.table)
        self.list_area.addWidget(self.empty_state)
        self.count_label = QLabel(self)
        self.count_label.setWordWrap(True)
        self.model.modelReset.connect(self._update_count)
        self.model.searched.connect(self._reselect)
        self.model.rowsInserted.connect(self._update_count)
        self.model.looking_changed.connect(self._update_count)

    def _layout(self) -> None:
        top = QHBoxLayout()
        top.addWidget(heading(_("Customers"), self, 1.5), 1)
        top.addWidget(self.import_button)
        top.addWidget(self.export_button)
        top.addWidget(self.pseudonymised_button)
        top.addWidget(self.duplicates_button)
        search_row = QHBoxLayout()
        search_row.addWidget(self.search, 1)
        search_row.addWidget(self.new_button)
        left = QWidget(self)
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.addLayout(search_row)
        left_layout.addWidget(self.filters)
        left_layout.addWidget(self.list_area, 1)
        left_layout.addWidget(self.count_label)
        self.splitter = QSplitter(Qt.Orientation.Horizontal, self)
        self.splitter.addWidget(left)
        self.splitter.addWidget(self.detail)
        self.splitter.setChildrenCollapsible(False)
        self.splitter.setStretchFactor(0, 11)
        self.splitter.setStretchFactor(1, 9)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 12, 16, 8)
        layout.addLayout(top)
        layout.addWidget(self.undo_bar)
        layout.addWidget(self.message)
        layout.addWidget(self.splitter, 1)
        chain = [self.search, self.new_button, *self.filters.focus_widgets(), self.table, self.detail]
        for first, second in zip(chain, chain[1:], strict=False):
            QWidget.setTabOrder(first, second)
        self.first_focus = self.search  # where Go › Customers (Ctrl+2) puts the focus

    def _timers(self) -> None:
        self._search_timer = QTimer(self)
        self._search_timer.setSingleShot(True)
        self._search_timer.setInterval(SEARCH_DELAY_MS)
        self._search_timer.timeout.connect(self.apply_search_as_typed)
        self._open_timer = QTimer(self)
        self._open_timer.setSingleShot(True)
        self._open_timer.setInterval(OPEN_DELAY_MS)
        self._open_timer.timeout.connect(self.open_selected)
        self._searching_timer = QTimer(self)
        self._searching_timer.setSingleShot(True)
        self._searching_timer.setInterval(SEARCHING_NOTICE_MS)
        self._searching_timer.timeout.connect(self._say_searching)

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 - Qt override
        """Split list and record about 11:9 the first time there is room to split."""
        super().showEvent(event)
        self._update_count()  # a vault with nobody in it yet shows the way to a first customer
        if not self._split_done and self.splitter.width() > 0:
            self._split_done = True
            self.splitter.setSizes([self.splitter.width() * 11 // 20, self.splitter.width() * 9 // 20])

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt override
        """In the search box, Down moves to the list and Escape clears the search."""
        if watched is self.search and event.type() == QEvent.Type.KeyPress and isinstance(event, QKeyEvent):
            if event.key() == Qt.Key.Key_Down and self.model.rowCount():
                self.table.setFocus()
                if not self.table.selectionModel().hasSelection():
                    self.table.selectRow(0)
                return True
            if event.key() == Qt.Key.Key_Escape and self.search.text():
                self.search.clear()
                self.apply_search()
                return True
        return super().eventFilter(watched, event)

    # --- list and search -----------------------------------------------------------------------------------

    def focus_search(self) -> None:
        self.search.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.search.selectAll()

    def apply_search(self) -> None:
        self._search_timer.stop()
        if self.context.busy:
            self._stale = True
            return
        if " ".join(self.search.text().split()) == self.model.query and self.model.rowCount():
            return
        self.model.set_query(self.search.text())
        self._reselect()

    def apply_search_as_typed(self) -> None:
        """The box's text once typing pauses, searched on a worker thread: at a million customers a search
        can take half a second, and the next keystroke must not wait for it. Enter searches at once."""
        if self.context.busy:
            self._stale = True
            return
        text = " ".join(self.search.text().split())
        if text == self.model.query and self.model.rowCount() and not self.model.searching_in_background:
            return
        if self.model.search_in_background(text) and self.model.searching_in_background:
            self._searching_timer.start()

    def _say_searching(self) -> None:
        if self.model.searching_in_background:
            self.count_label.setText(_("Searching…"))

    def apply_filter(self) -> None:
        """A filter changed: read the list (or the search results) again through it."""
        self._search_timer.stop()
        if self.context.busy or not self.context.is_open:
            self._stale = True
            return
        self.model.set_query(self.search.text(), self.filters.current())
        self._reselect()
        self._update_count()

    def _update_count(self) -> None:
        shown = self.model.rowCount()
        filtering = self.model.filtering
        if self.model.searching:
            if self.model.capped:
                text = _("Showing the best {n} matches; type more to narrow the search.").format(n=SEARCH_LIMIT)
            elif shown:
                text = ngettext("{n} match.", "{n} matches.", shown).format(n=shown)
            elif filtering:
                text = _("No customer matches this search and the filters.")
            else:
                text = _("No customer matches this search.")
        elif filtering and self.model.looking:
            text = ngettext(
                "Looking through the customers… {n} found so far.",
                "Looking through the customers… {n} found so far.",
                shown,
            ).format(n=shown)
        elif filtering and self.model.has_more:
            text = _("{n} matching customers shown, in name order; scroll down for more.").format(n=shown)
        elif filtering and shown:
            text = ngettext("{n} customer matches the filters.", "{n} customers match the filters.", shown).format(
                n=shown
            )
        elif filtering and self.context.is_open:
            text = _("No customer matches the filters.")
        elif self.model.has_more:
            text = _("{n} customers shown, in name order; scroll down for more.").format(n=shown)
        elif shown:
            text = ngettext("{n} customer.", "{n} customers.", shown).format(n=shown)
        else:
            text = ""
        nobody_yet = (
            self.context.is_open
            and not self.context.busy
            and not shown
            and not filtering
            and not self.model.searching
            and not ContactService(self.context.session).any_customer()
        )
        self.list_area.setCurrentWidget(self.empty_state if nobody_yet else self.table)
        if nobody_yet:
            text = ""  # the empty state says it, with the way out
        self.count_label.setText(text)
        self.table.setAccessibleDescription(text)

    def selected_id(self) -> int | None:
        rows = self.table.selectionModel().selectedRows()
        return self.model.contact_id(rows[0].row()) if rows else None

    def _selection_changed(self) -> None:
        if not self._quiet:
            self._open_timer.start()

    def open_selected(self) -> None:
        """Open the selected person's record, unless it is already open."""
        self._open_timer.stop()
        contact_id = self.selected_id()
        if contact_id is not None and contact_id != self.detail.contact_id:
            self.detail.show_contact(contact_id)

    def _select_quietly(self, contact_id: int | None, fetch: bool = False) -> bool:
        """Put the selection on a person without opening their record; page down to them if `fetch`."""
        if contact_id is None:
            return False
        row = self.model.row_of(contact_id)
        fetch = fetch and not self.model.filtering  # a filtered walk can be long: it goes on in the background
        while row is None and fetch and self.model.canFetchMore() and self.model.rowCount() < FIND_ROWS_LIMIT:
            self.model.fetchMore()
            row = self.model.row_of(contact_id)
        if row is None:
            return False
        self._quiet = True
        try:
            self.table.selectRow(row)
            self.table.scrollTo(self.model.index(row, 0))
        finally:
            self._quiet = False
        return True

    def _reselect(self) -> None:
        self._select_quietly(self.detail.contact_id)

    def _last_row_in_view(self) -> int:
        bottom = self.table.rowAt(self.table.viewport().height() - 1)
        rows = self.table.selectionModel().selectedRows()
        return max(bottom if bottom >= 0 else self.model.rowCount() - 1, rows[0].row() if rows else 0)

    # --- reacting to changes -------------------------------------------------------------------------------

    def refresh(self) -> None:
        """Something in the vault changed: read the list again and keep the shown person in place."""
        if not self.context.is_open:
            return
        if self.context.busy:
            self._stale = True
            return
        self._stale = False
        self.filters.reload(announce=False)  # new tags or staff; a choice that went away falls back to "any"
        if self.filters.current() != self.model.filter:
            self.model.set_query(self.search.text(), self.filters.current())
        else:
            self.model.refresh(keep_rows=self._last_row_in_view() + 1)
        wanted, self._open_after_change = self._open_after_change, None
        if wanted is not None:
            self._select_quietly(wanted, fetch=True)
            self.detail.show_contact(wanted)
        else:
            self._reselect()
            self.detail.refresh_related()
        self._update_count()

    def _busy_changed(self, busy: bool, _description: str) -> None:
        if not busy and self._stale:
            QTimer.singleShot(0, self._catch_up)

    def _catch_up(self) -> None:
        if self._stale and self.context.is_open and not self.context.busy:
            if " ".join(self.search.text().split()) != self.model.query:
                self.model.set_query(self.search.text())
            self.refresh()  # also reads the list through a filter chosen meanwhile

    # --- actions -------------------------------------------------------------------------------------------

    def _keep(self, dialog: QDialog) -> QDialog:
        """Remember an open dialog so clear() can close it at lock time."""
        self._dialogs.append(dialog)
        dialog.finished.connect(lambda _result: self._dialogs.remove(dialog) if dialog in self._dialogs else None)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        return dialog

    def new_customer(self) -> ContactDialog | None:
        if not self.context.can(Permission.EDIT_CUSTOMERS) or self.context.busy:
            return None
        dialog = ContactDialog(self.context, None, self.window())
        dialog.saved.connect(self._saved)
        self._keep(dialog).open()
        return dialog

    def edit_customer(self, contact_id: int | None) -> ContactDialog | None:
        if contact_id is None or not self.context.can(Permission.EDIT_CUSTOMERS) or self.context.busy:
            return None
        if self.detail.contact_id != contact_id and not self.detail.show_contact(contact_id):
            return None
        dialog = ContactDialog(self.context, self.detail.record, self.window())
        dialog.saved.connect(self._saved)
        self._keep(dialog).open()
        return dialog

    def _saved(self, contact_id: int) -> None:
        self._open_after_change = contact_id  # the dialog announces the change next; refresh opens it then

    def delete_customer(self, contact_id: int | None) -> None:
        """Move a person to the bin at once and offer Undo."""
        if contact_id is None or not self.context.can(Permission.EDIT_CUSTOMERS) or self.context.busy:
            return
        row = self.model.row_of(contact_id)
        summary = self.model.summary(row) if row is not None else None
        name = (
            summary.name
            if summary is not None
            else (self.detail.record.display_name if self.detail.record else _("customer {id}").format(id=contact_id))
        )
        self.message.clear()
        try:
            ContactService(self.context.session).delete(contact_id)
        except CounterpartError as exc:
            self.message.show_error(message_for(exc))
            return
        self._open_timer.stop()
        if self.detail.contact_id == contact_id:
            self.detail.show_contact(None)
        self.undo_bar.offer(contact_id, name)
        self.context.changed.emit()
        self._put_cursor_at(row)

    def _put_cursor_at(self, row: int | None) -> None:
        """Keep the keyboard where the deleted person was, without opening the next one."""
        if row is None or not self.model.rowCount():
            return
        row = min(row, self.model.rowCount() - 1)
        self.table.selectionModel().setCurrentIndex(
            self.model.index(row, 0), QItemSelectionModel.SelectionFlag.NoUpdate
        )
        self.table.setFocus()

    def _undo_shortcut(self) -> None:
        self.undo_bar.undo()

    def undo_delete(self, contact_id: int) -> None:
        if self.context.busy:
            return
        try:
            ContactService(self.context.session).restore(contact_id)
        except CounterpartError as exc:
            self.message.show_error(message_for(exc))
            return
        self.undo_bar.dismiss()
        self._open_after_change = contact_id
        self.context.changed.emit()
        self.table.setFocus()

    def find_duplicates(self) -> DuplicatesDialog | None:
        if not may_merge(self.context.session) or self.context.busy:
            return None
        dialog = DuplicatesDialog(self.context, self.window())
        self._keep(dialog).open()
        dialog.load()
        return dialog

    def import_customers(self, path: Path | None = None) -> ImportDialog | None:
        """Open the import dialog and ask for a file (or check `path` straight away)."""
        if not self.context.can(Permission.EDIT_CUSTOMERS) or self.context.busy:
            return None
        from ui.customers.import_dialog import ImportDialog  # with the import service: ~5 MB, when first used

        dialog = ImportDialog(self.context, self.window())
        dialog.imported.connect(self._imported)
        self._keep(dialog).open()
        if path is None:
            dialog.choose_file()
        else:
            dialog.set_file(path)
        return dialog

    def _imported(self, report: ImportReport) -> None:
        from ui.customers.import_dialog import outcome_text  # loaded by import_customers

        self.message.show_info(outcome_text(report))

    # --- export --------------------------------------------------------------------------------------------

    def ask_export(self) -> None:
        csv_export.ask_export(self.context, self.window(), self.model.query, self.model.filter)

    def ask_export_pseudonymised(self) -> None:
        csv_export.ask_export_pseudonymised(self.context, self.window())

    def export(self, path: Path) -> None:
        """Write the customers shown (everyone, or the current search's matches, through the filters) to `path`,
        on the worker."""
        csv_export.export(self.context, self.window(), path, self.model.query, self.model.filter)

    # --- lock ----------------------------------------------------------------------------------------------

    def clear(self) -> None:
        """Forget every customer the page shows: list, search text, filters, record, undo offer, open dialogs
        (lock)."""
        self._search_timer.stop()
        self._open_timer.stop()
        self._searching_timer.stop()
        self._open_after_change = None
        self._stale = False
        for dialog in list(self._dialogs):
            clear = getattr(dialog, "clear", None)
            if callable(clear):
                clear()
            dialog.close()
        self._dialogs.clear()
        self.model.clear()
        self.search.blockSignals(True)
        self.search.clear()
        self.search.blockSignals(False)
        self.filters.clear()
        self.detail.clear()
        self.undo_bar.dismiss()
        self.message.clear()
        self.count_label.clear()
