"""Pipeline: a kanban board of open deals per stage (drag, or Ctrl+Left / Ctrl+Right), won / lost / reopen,
new deals, editing a deal (double-click, Enter, F2 or Edit deal…), and a table view of the same deals for
everything the board does not show (closed, beyond 100)."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, QPoint, Qt
from PySide6.QtGui import QAction, QKeyEvent, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QButtonGroup,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMenu,
    QPushButton,
    QScrollArea,
    QStackedWidget,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app.access.roles import Permission
from app.access.shop import ShopService
from app.crm.deals import LOST, OPEN, WON, Deal, DealService, Pipeline
from app.errors import CounterpartError
from app.locale import _
from ui.flow_layout import FlowLayout
from ui.sales.deal_dialogs import DealDialog, LostReasonDialog, default_currency
from ui.sales.deals_model import DealsTableModel
from ui.sales.kanban import ID_ROLE, Board, DealList
from ui.sales.live import LivePage
from ui.sales.quick import Refused, quick_change, quick_read
from ui.sales.text import announce
from ui.session_context import SessionContext
from ui.widgets import MessageLine, heading

PER_STAGE = 100  # cards per column; the rest are counted ("and N more") and listed in the table view


class PipelinePage(LivePage):
    def __init__(self, context: SessionContext, parent: QWidget | None = None) -> None:
        super().__init__(context, parent)
        self.editable = context.can(Permission.EDIT_CUSTOMERS)
        self.pipelines: list[Pipeline] = []
        self.board_deals: dict[int, Deal] = {}
        self._selected: int | None = None
        self._build_bar()
        self.board = Board(self)
        self.board_area = QScrollArea(self)
        self.board_area.setWidget(self.board)
        self.board_area.setWidgetResizable(True)
        self.board_area.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # an empty Tab stop between the columns and the bar
        self.board_area.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.model = DealsTableModel(context, self)
        self.table = QTableView(self)
        self.table.setTabKeyNavigation(False)  # Tab leaves the table; arrows move in it
        self.table.setModel(self.model)
        self.table.setAccessibleName(_("Deals"))
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setAlternatingRowColors(True)
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 8)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.table.horizontalHeader().setStretchLastSection(True)
        for column, width in enumerate((200, 170, 110, 120, 110)):
            self.table.setColumnWidth(column, width)
        self.table.selectionModel().currentRowChanged.connect(lambda current, _old: self._table_selected(current.row()))
        self.table.doubleClicked.connect(lambda index: self.edit_deal(self.model.deal(index.row()).id))
        self.table.installEventFilter(self)  # Enter or Return on a row opens it, as on a card
        self.stack = QStackedWidget(self)
        self.stack.addWidget(self.board_area)
        self.stack.addWidget(self.table)
        self.message = MessageLine(self)
        self.status = QLabel(self)  # what the last action did, in words (also announced to screen readers)
        self.status.setAccessibleName(_("Pipeline status"))
        self.status.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 12, 16, 8)
        layout.addWidget(heading(_("Pipeline"), self, 1.5))
        layout.addLayout(self.bar)
        layout.addWidget(self.stack, 1)
        layout.addWidget(self.message)
        layout.addWidget(self.status)
        self._update_actions()

    def _bar_then_board(self) -> None:
        """Tab goes through the bar, then the columns left to right, then the table (new columns were made
        after the bar and Tab met them first)."""
        chain: list[QWidget] = [self.chooser, self.board_button, self.table_button, self.status_filter]
        chain += [self.new_button, self.edit_button, self.won_button, self.lost_button, self.reopen_button]
        chain += [column.deals for column in self.board.columns] + [self.table]
        for first, second in zip(chain, chain[1:], strict=False):
            QWidget.setTabOrder(first, second)

    def _build_bar(self) -> None:
        self.chooser = QComboBox(self)
        self.chooser.setAccessibleName(_("Pipeline"))
        self.chooser.currentIndexChanged.connect(lambda _i: self.reload())
        chooser_label = QLabel(_("&Pipeline:"), self)
        chooser_label.setBuddy(self.chooser)
        self.board_button = QPushButton(_("&Board"), self)
        self.table_button = QPushButton(_("&Table"), self)
        self.view_group = QButtonGroup(self)
        for number, (button, name) in enumerate(
            ((self.board_button, _("Show the deals as a board")), (self.table_button, _("Show the deals as a table")))
        ):
            button.setCheckable(True)
            button.setAccessibleName(name)
            self.view_group.addButton(button, number)
        self.board_button.setChecked(True)
        self.view_group.idClicked.connect(self.show_view)
        self.status_filter = QComboBox(self)
        self.status_filter.setAccessibleName(_("Which deals the table shows"))
        for text, value in (
            (_("Open deals"), OPEN),
            (_("Won deals"), WON),
            (_("Lost deals"), LOST),
            (_("All deals"), ""),
        ):
            self.status_filter.addItem(text, value)
        self.status_filter.currentIndexChanged.connect(lambda _i: self._query_table())
        self.show_label = QLabel(_("&Show:"), self)
        self.show_label.setBuddy(self.status_filter)
        self.new_button = QPushButton(_("&New deal…"), self)
        self.edit_button = QPushButton(_("E&dit deal…"), self)
        self.won_button = QPushButton(_("Mark &won"), self)
        self.lost_button = QPushButton(_("Mark &lost…"), self)
        self.reopen_button = QPushButton(_("R&eopen"), self)
        self.actions_by_button: dict[QPushButton, QAction] = {}
        for button, name, slot in (
            (self.new_button, _("Add a new deal"), self.new_deal),
            (self.edit_button, _("Edit the selected deal"), lambda: self.edit_deal()),
            (self.won_button, _("Mark the selected deal as won"), self.mark_won),
            (self.lost_button, _("Mark the selected deal as lost"), self.mark_lost),
            (self.reopen_button, _("Reopen the selected deal"), self.reopen),
        ):
            button.setAccessibleName(name)
            button.clicked.connect(lambda _checked=False, act=slot: act())
            action = QAction(button.text(), self)
            action.triggered.connect(lambda _checked=False, act=slot: act())
            action.setEnabled(self.editable)
            self.actions_by_button[button] = action
            if not self.editable:
                button.setEnabled(False)
                button.setToolTip(self.context.why_not(Permission.EDIT_CUSTOMERS))
        new_deal = self.actions_by_button[self.new_button]
        new_deal.setShortcut(QKeySequence.StandardKey.New)
        new_deal.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self.addAction(new_deal)
        edit_deal = self.actions_by_button[self.edit_button]
        edit_deal.setShortcut(QKeySequence(Qt.Key.Key_F2))
        edit_deal.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self.addAction(edit_deal)
        if self.editable:
            self.edit_button.setToolTip(_("Edit the selected deal (F2, Enter or a double-click on it)"))
        self.bar = QHBoxLayout()
        for widget in (
            chooser_label,
            self.chooser,
            self.board_button,
            self.table_button,
            self.show_label,
            self.status_filter,
        ):
            self.bar.addWidget(widget)
        self.bar.addSpacing(12)
        actions = FlowLayout()  # on a second line in a narrow window: side by side, German's five long labels
        for widget in (self.new_button, self.edit_button, self.won_button, self.lost_button, self.reopen_button):
            actions.addWidget(widget)  # made the window 1,176 pixels wide at the least
        self.bar.addLayout(actions, 1)
        self.show_label.hide()
        self.status_filter.hide()

    # --- reading -------------------------------------------------------------------------------------------

    def pipeline(self) -> Pipeline | None:
        pipeline_id = self.chooser.currentData()
        return next((p for p in self.pipelines if p.id == pipeline_id), None)

    def load(self) -> None:
        service = DealService(self.context.session)
        try:
            self.pipelines = service.pipelines()
            self._fill_chooser()
            pipeline = self.pipeline()
            columns = service.board(pipeline.id, per_stage=PER_STAGE) if pipeline else []
        except CounterpartError as exc:
            self.message.show_error(str(exc))
            return
        if self.board.rebuild([c.stage.id for c in columns]):
            self._bar_then_board()
        for widget in self.board.columns:
            self._wire(widget.deals)
        self.board_deals = {}
        for column, widget in zip(columns, self.board.columns, strict=True):
            widget.show_column(column, self.editable)
            self.board_deals.update({deal.id: deal for deal in column.deals})
        self.board.align_headers()
        self._query_table(keep_depth=True)
        if self._selected is not None:
            self.select(self._selected, focus=False)
        self._update_actions()

    def _fill_chooser(self) -> None:
        current = self.chooser.currentData()
        self.chooser.blockSignals(True)
        self.chooser.clear()
        for pipeline in self.pipelines:
            self.chooser.addItem(pipeline.name, pipeline.id)
        index = self.chooser.findData(current)
        self.chooser.setCurrentIndex(index if index >= 0 else 0)
        self.chooser.blockSignals(False)

    def _query_table(self, keep_depth: bool = False) -> None:
        """Show the chosen pipeline and status; after a change elsewhere, re-read as deep as was scrolled."""
        pipeline = self.pipeline()
        if pipeline is None:
            return
        status = self.status_filter.currentData() or None
        if keep_depth and self.model.query() == (pipeline.id, status):
            self.model.reload()
            return
        self.model.set_query(pipeline.id, status, {stage.id: stage.name for stage in pipeline.stages})
        self.model.fetchMore()

    def _wire(self, deals: DealList) -> None:
        if deals.property("wired"):
            return
        deals.setProperty("wired", True)
        deals.itemSelectionChanged.connect(lambda: self._board_selected(deals))
        deals.dropped.connect(self.drop_deal)
        deals.step.connect(self.step_deal)
        deals.edit_requested.connect(self.edit_deal)
        deals.neighbour.connect(lambda direction: self._focus_column(deals, direction))
        deals.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        deals.customContextMenuRequested.connect(lambda pos: self._card_menu(deals, pos))

    # --- selection -----------------------------------------------------------------------------------------

    def _board_selected(self, deals: DealList) -> None:
        items = deals.selectedItems()
        if not items:
            return
        self._selected = deals.deal_id(items[0])
        for other in self.board.columns:
            if other.deals is not deals:
                other.deals.blockSignals(True)
                other.deals.clearSelection()
                other.deals.blockSignals(False)
        self._update_actions()

    def _table_selected(self, row: int) -> None:
        self._selected = self.model.deal(row).id if 0 <= row < self.model.rowCount() else None
        self._update_actions()

    def selected_deal(self) -> Deal | None:
        if self._selected is None:
            return None
        if self.stack.currentWidget() is self.table:
            row = self.model.row_of(self._selected)
            return self.model.deal(row) if row is not None else None
        return self.board_deals.get(self._selected)

    def select(self, deal_id: int, focus: bool = True) -> bool:
        """Select a card on the board (or a row in the table) and optionally give it the keyboard focus."""
        self._selected = deal_id
        if self.stack.currentWidget() is self.table:
            row = self.model.row_of(deal_id)
            if row is not None:
                self.table.selectRow(row)
            return row is not None
        found = self.board.locate(deal_id)
        if found is None:
            return False
        column, item = found
        column.deals.setCurrentItem(item)
        column.deals.scrollToItem(item)
        if focus:
            column.deals.setFocus()
        return True

    def _focus_column(self, deals: DealList, direction: int) -> None:
        lists = [c.deals for c in self.board.columns]
        index = lists.index(deals) + direction
        if 0 <= index < len(lists):
            target = lists[index]
            target.setFocus()
            if target.count() and target.currentRow() < 0:
                target.setCurrentRow(0)

    def _update_actions(self) -> None:
        deal = self.selected_deal()
        if not self.editable:
            return
        is_open = deal is not None and deal.status == OPEN
        self.edit_button.setEnabled(deal is not None)
        self.won_button.setEnabled(is_open)
        self.lost_button.setEnabled(is_open)
        self.reopen_button.setEnabled(deal is not None and deal.status != OPEN)
        for button, action in self.actions_by_button.items():
            action.setEnabled(button.isEnabled())

    def _card_menu(self, deals: DealList, pos: QPoint) -> None:
        if not self.editable or deals.itemAt(pos) is None:
            return
        menu = QMenu(self)
        for button in (self.edit_button, self.won_button, self.lost_button):
            menu.addAction(self.actions_by_button[button])
        menu.popup(deals.viewport().mapToGlobal(pos))

    def show_view(self, number: int) -> None:
        table = number == 1
        self.stack.setCurrentIndex(1 if table else 0)
        self.show_label.setVisible(table)
        self.status_filter.setVisible(table)
        self.view_group.button(number).setChecked(True)
        if self._selected is not None:
            self.select(self._selected, focus=False)
        self._update_actions()

    # --- changes -------------------------------------------------------------------------------------------

    def _change(self, change: Callable[[], object]) -> bool:
        self.message.clear()
        try:
            quick_change(self.context, change)
        except Refused as exc:
            self.message.show_error(str(exc))
            return False
        if self._stale:  # hidden pages catch up later; this one must show the result now
            self.reload()
        return True

    def say(self, text: str) -> None:
        self.status.setText(text)
        announce(self.status, text)

    def _stage_name(self, stage_id: int) -> str:
        return next((s.name for p in self.pipelines for s in p.stages if s.id == stage_id), "")

    def move_deal(self, deal_id: int, stage_id: int, *, focus: bool = False) -> bool:
        if not self.editable:
            self.say(self.context.why_not(Permission.EDIT_CUSTOMERS))
            return False
        deal = self.board_deals.get(deal_id)
        if not self._change(lambda: DealService(self.context.session).move(deal_id, stage_id)):
            return False
        self.select(deal_id, focus=focus)
        self.say(
            _("Moved “{deal}” to {stage}.").format(
                deal=deal.title if deal else deal_id, stage=self._stage_name(stage_id)
            )
        )
        return True

    def drop_deal(self, deal_id: int, stage_id: int) -> None:
        self.move_deal(deal_id, stage_id)

    def step_deal(self, deal_id: int, direction: int) -> bool:
        """Ctrl+Left / Ctrl+Right: one stage back or on, keeping the focus on the card."""
        stages = [c.stage_id for c in self.board.columns]
        deal = self.board_deals.get(deal_id)
        if deal is None or deal.stage_id not in stages:
            return False
        index = stages.index(deal.stage_id) + direction
        if not 0 <= index < len(stages):
            self.say(
                _("“{deal}” is already in the {where} stage.").format(
                    deal=deal.title, where=_("first") if direction < 0 else _("last")
                )
            )
            return False
        return self.move_deal(deal_id, stages[index], focus=True)

    def new_deal(self) -> DealDialog | None:
        pipeline = self.pipeline()
        if pipeline is None or not self.editable:
            return None
        focused = next((c.stage_id for c in self.board.columns if c.deals.hasFocus()), None)
        shop_currency = ShopService(self.context.session).profile().currency
        seen = [] if shop_currency else sorted({deal.currency for deal in self.board_deals.values()})
        dialog = DealDialog(self.context, pipeline, focused, default_currency(seen, shop_currency), self.window())
        dialog.created.connect(self._created)
        dialog.open()
        return dialog

    def edit_deal(self, deal_id: int | None = None) -> DealDialog | None:
        """The selected deal (or `deal_id`) in the deal dialog, as it is in the vault now."""
        if not self.editable:
            self.say(self.context.why_not(Permission.EDIT_CUSTOMERS))
            return None
        if deal_id is None:
            selected = self.selected_deal()
            deal_id = selected.id if selected is not None else None
        if deal_id is None:
            return None
        self.message.clear()
        try:
            deal = quick_read(self.context, lambda: DealService(self.context.session).get(deal_id))
        except Refused as exc:
            self.message.show_error(str(exc))
            return None
        pipeline = next((p for p in self.pipelines if p.id == deal.pipeline_id), None)
        if pipeline is None:
            return None
        self.select(deal_id, focus=False)
        dialog = DealDialog(self.context, pipeline, deal.stage_id, deal.currency, self.window(), deal=deal)
        dialog.saved.connect(self._saved)
        dialog.open()
        return dialog

    def _saved(self, deal_id: int) -> None:
        if self._stale:
            self.reload()
        self.select(deal_id)
        deal = self.selected_deal()
        self.say(
            _("Saved the changes to “{deal}”.").format(deal=deal.title)
            if deal is not None
            else _("Saved the changes to the deal.")
        )

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt override
        if (
            watched is self.table
            and event.type() == QEvent.Type.KeyPress
            and isinstance(event, QKeyEvent)
            and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter)
            and event.modifiers() in (Qt.KeyboardModifier.NoModifier, Qt.KeyboardModifier.KeypadModifier)
        ):
            row = self.table.currentIndex().row()
            if 0 <= row < self.model.rowCount():
                self.edit_deal(self.model.deal(row).id)
                return True
        return super().eventFilter(watched, event)

    def _created(self, deal_id: int) -> None:
        if self._stale:
            self.reload()
        self.select(deal_id)
        self.say(_("Added the deal."))

    def _place_of(self, deal_id: int) -> tuple[int, int] | None:
        """(stage id, row) of a card on the board, to put the cursor back near it once it has left."""
        found = self.board.locate(deal_id) if self.stack.currentWidget() is self.board_area else None
        return None if found is None else (found[0].stage_id, found[0].deals.row(found[1]))

    def _cursor_near(self, place: tuple[int, int] | None) -> None:
        """A card left the board (won, lost): the card now in its place, or the one above, gets the cursor and
        the focus; a keyboard user was left with nothing current after Alt+W."""
        column = next((c for c in self.board.columns if place and c.stage_id == place[0]), None)
        if place is None or column is None:
            return
        if column.deals.count():
            item = column.deals.item(min(place[1], column.deals.count() - 1))
            self.select(int(item.data(ID_ROLE)))
            return
        others = [c for c in self.board.columns if c.deals.count()]  # its column is empty now: the nearest card
        if others:
            index = self.board.columns.index(column)
            nearest = min(others, key=lambda c: abs(self.board.columns.index(c) - index))
            self.select(int(nearest.deals.item(0).data(ID_ROLE)))
        else:  # no open deal left on the board: where the next one starts
            self.new_button.setFocus()

    def mark_won(self) -> None:
        deal = self.selected_deal()
        if deal is None or deal.status != OPEN:
            return
        place = self._place_of(deal.id)
        if self._change(lambda: DealService(self.context.session).close(deal.id, won=True)):
            self._selected = None
            self._cursor_near(place)
            self._update_actions()
            self.say(
                _("Marked “{deal}” as won. It leaves the board; the table lists it under Won deals.").format(
                    deal=deal.title
                )
            )

    def mark_lost(self) -> LostReasonDialog | None:
        deal = self.selected_deal()
        if deal is None or deal.status != OPEN:
            return None
        dialog = LostReasonDialog(self.context, deal, self.window())
        place = self._place_of(deal.id)
        dialog.accepted.connect(lambda: self._lost(deal, place))
        dialog.open()
        return dialog

    def _lost(self, deal: Deal, place: tuple[int, int] | None = None) -> None:
        if self._stale:
            self.reload()
        self._selected = None
        self._cursor_near(place)
        self._update_actions()
        self.say(_("Marked “{deal}” as lost.").format(deal=deal.title))

    def reopen(self) -> None:
        deal = self.selected_deal()
        if deal is None or deal.status == OPEN:
            return
        if self._change(lambda: DealService(self.context.session).reopen(deal.id)):
            self.say(_("Reopened “{deal}”: it is back on the board.").format(deal=deal.title))

    def clear(self) -> None:
        """Lock: no deal, customer or amount stays in any widget."""
        self.forget()
        self.board.clear()
        self.model.clear()
        self.chooser.blockSignals(True)
        self.chooser.clear()
        self.chooser.blockSignals(False)
        self.pipelines, self.board_deals, self._selected = [], {}, None
        self.status.clear()
        self.message.clear()
