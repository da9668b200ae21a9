"""Activities: what is overdue, due today and coming up, with a tick box per row to mark it done (untick under
"Done just now" to undo), a New activity dialog, editing one (double-click, Enter, F2 or Edit activity…), and
in-app reminders for what is due in the next 15 minutes."""

from __future__ import annotations

from datetime import UTC, datetime

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QBrush, QFont, QKeyEvent, QKeySequence, QPalette
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QStyle,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.access.roles import Permission
from app.crm.activities import Activity, ActivityService, Agenda
from app.errors import CounterpartError
from app.locale import _
from ui.sales.activity_dialog import ActivityDialog
from ui.sales.live import LivePage
from ui.sales.quick import Refused, quick_change, quick_read
from ui.sales.reminders import INTERVAL_MS, ReminderBanner, ReminderWatcher
from ui.sales.text import announce, customer_label, due_text, kind_label
from ui.session_context import SessionContext
from ui.widgets import MessageLine, heading

ID_ROLE = Qt.ItemDataRole.UserRole
OVERDUE, TODAY, UPCOMING, DONE = "overdue", "today", "upcoming", "done"
LIMIT = 200  # rows per section; the agenda is for what needs doing, not a history
OVERDUE_RED = "#b3261e"  # with the warning icon and the word "Overdue": never colour alone


def section_title(section: str, count: int) -> str:
    return {
        OVERDUE: _("Overdue ({n})"),
        TODAY: _("Today ({n})"),
        UPCOMING: _("Upcoming ({n})"),
        DONE: _("Done just now ({n}): untick to undo"),
    }[section].format(n=count)


class ActivitiesPage(LivePage):
    reminder = Signal(int, str)  # activity id, text: for the main window's status bar or tray

    def __init__(
        self, context: SessionContext, parent: QWidget | None = None, reminder_interval_ms: int = INTERVAL_MS
    ) -> None:
        super().__init__(context, parent)
        self.editable = context.can(Permission.EDIT_CUSTOMERS)
        self.agenda = Agenda([], [], [])
        self.done_now: dict[int, Activity] = {}
        self.sections: dict[str, QTreeWidgetItem] = {}
        self.banner = ReminderBanner(self)
        self.watcher = ReminderWatcher(context, reminder_interval_ms, parent=self)
        self.watcher.reminder.connect(self._remind)
        self.new_button = QPushButton(_("&New activity…"), self)
        self.new_button.setAccessibleName(_("Add a new activity"))
        self.new_button.clicked.connect(self.new_activity)
        new_action = QAction(self.new_button.text(), self)
        new_action.setShortcut(QKeySequence.StandardKey.New)
        new_action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        new_action.triggered.connect(self.new_activity)
        self.addAction(new_action)
        self.edit_button = QPushButton(_("Edit &activity…"), self)
        self.edit_button.setAccessibleName(_("Edit the selected activity"))
        self.edit_button.setToolTip(_("Edit the selected activity (F2, Enter or a double-click on it)"))
        self.edit_button.clicked.connect(lambda: self.edit_activity())
        self.edit_action = QAction(self.edit_button.text(), self)
        self.edit_action.setShortcut(QKeySequence(Qt.Key.Key_F2))
        self.edit_action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self.edit_action.triggered.connect(lambda: self.edit_activity())
        self.addAction(self.edit_action)
        if not self.editable:
            self.new_button.setEnabled(False)
            new_action.setEnabled(False)
            self.new_button.setToolTip(context.why_not(Permission.EDIT_CUSTOMERS))
            self.edit_button.setToolTip(context.why_not(Permission.EDIT_CUSTOMERS))
        self.everyone = QCheckBox(_("Show &everyone's activities"), self)
        self.everyone.setToolTip(_("Off: only activities you own, which are the ones you get reminders for."))
        self.everyone.toggled.connect(lambda _on: self.reload())
        self.tree = QTreeWidget(self)
        self.tree.setAccessibleName(_("Activities by when they are due"))
        self.tree.setColumnCount(4)
        self.tree.setHeaderLabels([_("Done · Due"), _("Kind"), _("Subject"), _("Customer")])
        self.tree.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.tree.setAlternatingRowColors(True)
        self.tree.setUniformRowHeights(True)
        header = self.tree.header()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        for column, width in enumerate((270, 90, 270)):
            self.tree.setColumnWidth(column, width)
        self.tree.itemChanged.connect(self._ticked)
        self.tree.itemDoubleClicked.connect(lambda item, _column: self._open(item))
        self.tree.currentItemChanged.connect(lambda _item, _old: self._update_edit())
        self.tree.installEventFilter(self)  # Enter or Return on a row opens it
        self.message = MessageLine(self)
        self.status = QLabel(self)
        self.status.setAccessibleName(_("Activities status"))
        self.status.setWordWrap(True)
        self.undo_button = QPushButton(_("&Undo"), self)
        self.undo_button.setAccessibleName(_("Undo: mark it not done"))
        self.undo_button.clicked.connect(self.undo)
        self.undo_button.hide()
        self._undo_id: int | None = None
        status_row = QHBoxLayout()
        status_row.addWidget(self.status, 1)
        status_row.addWidget(self.undo_button)
        bar = QHBoxLayout()
        bar.addWidget(self.everyone)
        bar.addStretch(1)
        bar.addWidget(self.new_button)
        bar.addWidget(self.edit_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 12, 16, 8)
        layout.addWidget(heading(_("Activities"), self, 1.5))
        layout.addWidget(self.banner)
        layout.addLayout(bar)
        layout.addWidget(self.tree, 1)
        layout.addWidget(self.message)
        layout.addLayout(status_row)
        self._update_edit()

    # --- reading -------------------------------------------------------------------------------------------

    def load(self) -> None:
        try:
            self.agenda = ActivityService(self.context.session).agenda(
                datetime.now(UTC), mine_only=not self.everyone.isChecked(), limit=LIMIT
            )
        except CounterpartError as exc:
            self.message.show_error(str(exc))
            return
        open_ids = {a.id for a in (*self.agenda.overdue, *self.agenda.today, *self.agenda.upcoming)}
        self.done_now = {i: a for i, a in self.done_now.items() if i not in open_ids}
        self._fill()

    def _fill(self) -> None:
        current = self.tree.currentItem()
        current_id = current.data(0, ID_ROLE) if current is not None else None
        self.tree.blockSignals(True)
        self.tree.clear()
        self.sections = {}
        for section, rows in (
            (OVERDUE, self.agenda.overdue),
            (TODAY, self.agenda.today),
            (UPCOMING, self.agenda.upcoming),
            (DONE, list(self.done_now.values())),
        ):
            if section == DONE and not rows:
                continue
            group = QTreeWidgetItem(self.tree, [section_title(section, len(rows))])
            group.setFirstColumnSpanned(True)
            group.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable)
            font = QFont(self.tree.font())
            font.setBold(True)
            group.setFont(0, font)
            if section == OVERDUE and rows:
                group.setIcon(0, self.style().standardIcon(QStyle.StandardPixmap.SP_MessageBoxWarning))
            self.sections[section] = group
            for activity in rows:
                self._row(group, section, activity)
            group.setExpanded(True)
        self.tree.blockSignals(False)
        if current_id is not None:
            self.select(int(current_id))
        self._update_edit()

    def _row(self, group: QTreeWidgetItem, section: str, activity: Activity) -> QTreeWidgetItem:
        due = due_text(activity.due_at)
        first = _("Overdue: {time}").format(time=due) if section == OVERDUE else due
        item = QTreeWidgetItem(
            group, [first, kind_label(activity.kind), activity.subject, customer_label(activity.contact_name)]
        )
        item.setData(0, ID_ROLE, activity.id)
        flags = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        if self.editable:
            flags |= Qt.ItemFlag.ItemIsUserCheckable
        else:
            item.setToolTip(0, self.context.why_not(Permission.EDIT_CUSTOMERS))
        item.setFlags(flags)
        item.setCheckState(0, Qt.CheckState.Checked if section == DONE else Qt.CheckState.Unchecked)
        spoken = _("{state}. {kind}: {subject}, {customer}, due {time}").format(
            state=_("Done") if section == DONE else _("Overdue") if section == OVERDUE else _("Not done"),
            kind=kind_label(activity.kind),
            subject=activity.subject,
            customer=customer_label(activity.contact_name),
            time=due,
        )
        item.setData(0, Qt.ItemDataRole.AccessibleTextRole, spoken)
        if section == OVERDUE:
            red = QBrush(self._overdue_colour())
            item.setIcon(0, self.style().standardIcon(QStyle.StandardPixmap.SP_MessageBoxWarning))
            for column in range(4):
                item.setForeground(column, red)
        elif section == DONE:
            font = QFont(self.tree.font())
            font.setStrikeOut(True)
            for column in range(1, 4):
                item.setFont(column, font)
        return item

    def _overdue_colour(self) -> str:
        """Red on a light background; a lighter red when the palette is dark, so it stays readable."""
        return OVERDUE_RED if self.palette().color(QPalette.ColorRole.Base).lightness() > 128 else "#ff8a80"

    def items(self, section: str) -> list[QTreeWidgetItem]:
        group = self.sections.get(section)
        children = [group.child(i) for i in range(group.childCount())] if group is not None else []
        return [child for child in children if child is not None]

    def item_for(self, activity_id: int) -> QTreeWidgetItem | None:
        return next(
            (item for section in self.sections for item in self.items(section) if item.data(0, ID_ROLE) == activity_id),
            None,
        )

    def select(self, activity_id: int) -> None:
        item = self.item_for(activity_id)
        if item is not None:
            self.tree.setCurrentItem(item)

    # --- quick complete ------------------------------------------------------------------------------------

    def _ticked(self, item: QTreeWidgetItem, column: int) -> None:
        """Act after the click has finished: acting rebuilds the tree, deleting the item that was ticked."""
        activity_id = item.data(0, ID_ROLE)
        if column != 0 or activity_id is None:
            return
        done = item.checkState(0) == Qt.CheckState.Checked
        QTimer.singleShot(0, self, lambda: self.set_done(int(activity_id), done))

    def set_done(self, activity_id: int, done: bool) -> bool:
        activity = self._find(activity_id)
        if activity is None or self._cleared:
            return False
        following = self._neighbour(activity_id) if done else None
        before = dict(self.done_now)
        if done:
            self.done_now[activity_id] = activity  # before the change: the refresh it triggers lists it here
        else:
            self.done_now.pop(activity_id, None)
        self.message.clear()
        try:
            quick_change(self.context, lambda: ActivityService(self.context.session).set_done(activity_id, done))
        except Refused as exc:
            self.done_now = before
            self.message.show_error(str(exc))
            self._fill()  # put the box back the way the vault has it
            return False
        if self._stale:
            self.reload()
        self.select(following if following is not None else activity_id)  # keep working down the list
        self._undo_id = activity_id if done else None
        self.undo_button.setVisible(done)
        subject = activity.subject
        self.say(
            _("Done: {subject}. Undo, or untick it under “Done just now”, to put it back.").format(subject=subject)
            if done
            else _("Not done after all: {subject}.").format(subject=subject)
        )
        return True

    def undo(self) -> None:
        """Untick the activity completed last (the same as unticking it under "Done just now")."""
        if self._undo_id is not None:
            self.set_done(self._undo_id, False)

    def _find(self, activity_id: int) -> Activity | None:
        every = [*self.agenda.overdue, *self.agenda.today, *self.agenda.upcoming, *self.done_now.values()]
        return next((a for a in every if a.id == activity_id), None)

    def _neighbour(self, activity_id: int) -> int | None:
        item = self.item_for(activity_id)
        group = item.parent() if item is not None else None
        if item is None or group is None:
            return None
        index = group.indexOfChild(item)
        other = group.child(index + 1) or (group.child(index - 1) if index > 0 else None)
        return int(other.data(0, ID_ROLE)) if other is not None else None

    def say(self, text: str) -> None:
        self.status.setText(text)
        announce(self.status, text)

    # --- new, edit, reminders, lock ------------------------------------------------------------------------

    def new_activity(self) -> ActivityDialog | None:
        if not self.editable:
            return None
        dialog = ActivityDialog(self.context, self.window())
        dialog.created.connect(self._created)
        dialog.open()
        return dialog

    def _created(self, activity_id: int) -> None:
        self.reload()
        self.select(activity_id)
        self.say(_("Added the activity."))

    def selected_id(self) -> int | None:
        item = self.tree.currentItem()
        activity_id = item.data(0, ID_ROLE) if item is not None else None
        return int(activity_id) if activity_id is not None else None

    def _update_edit(self) -> None:
        enabled = self.editable and self.selected_id() is not None
        self.edit_button.setEnabled(enabled)
        self.edit_action.setEnabled(enabled)

    def _open(self, item: QTreeWidgetItem) -> None:
        activity_id = item.data(0, ID_ROLE)
        if activity_id is not None:  # not a section heading
            self.edit_activity(int(activity_id))

    def edit_activity(self, activity_id: int | None = None) -> ActivityDialog | None:
        """The selected activity (or `activity_id`) in the activity dialog, as it is in the vault now."""
        if not self.editable:
            self.say(self.context.why_not(Permission.EDIT_CUSTOMERS))
            return None
        activity_id = activity_id if activity_id is not None else self.selected_id()
        if activity_id is None:
            return None
        self.message.clear()
        try:
            activity = quick_read(self.context, lambda: ActivityService(self.context.session).get(activity_id))
        except Refused as exc:
            self.message.show_error(str(exc))
            return None
        dialog = ActivityDialog(self.context, self.window(), activity=activity)
        dialog.saved.connect(self._saved)
        dialog.open()
        return dialog

    def _saved(self, activity_id: int) -> None:
        if activity_id in self.done_now:  # keep it under "Done just now", in its new words
            try:
                self.done_now[activity_id] = ActivityService(self.context.session).get(activity_id)
            except CounterpartError:
                self.done_now.pop(activity_id)
        if self._stale:
            self.reload()
        else:
            self._fill()  # the agenda was read again when the change was announced
        self.select(activity_id)
        self.say(_("Saved the changes to the activity."))

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt override
        if (
            watched is self.tree
            and event.type() == QEvent.Type.KeyPress
            and isinstance(event, QKeyEvent)
            and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter)
            and event.modifiers() in (Qt.KeyboardModifier.NoModifier, Qt.KeyboardModifier.KeypadModifier)
        ):
            item = self.tree.currentItem()
            if item is not None and item.data(0, ID_ROLE) is not None:
                self._open(item)
                return True
        return super().eventFilter(watched, event)

    def _remind(self, activity_id: int, text: str) -> None:
        self.banner.add(text)
        announce(self.banner, text)
        self.reminder.emit(activity_id, text)

    def clear(self) -> None:
        """Lock: stop reminding and forget every subject and customer name."""
        self.forget()
        self.watcher.stop()
        self.banner.clear()
        self.tree.blockSignals(True)
        self.tree.clear()
        self.tree.blockSignals(False)
        self.sections, self.done_now, self.agenda = {}, {}, Agenda([], [], [])
        self.status.clear()
        self.undo_button.hide()
        self._undo_id = None
        self.message.clear()
