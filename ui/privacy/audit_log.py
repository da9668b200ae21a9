"""The audit log viewer: filter by user, action, record and dates; export what is shown as CSV.

Opening it is itself audited ("audit.view"), and so is every export ("audit.export").
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

from PySide6.QtCore import QDate, Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDateEdit,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app.access.roles import Permission
from app.access.users import UserService
from app.errors import CounterpartError
from app.locale import _
from app.privacy.audit_actions import action_text, known_actions
from app.store import audit
from app.vault.location import documents_folder
from ui import clipboard
from ui.dialogs import ask_save_path, export_failed_or_stopped, inform
from ui.models.audit_model import AuditTableModel
from ui.operations.privacy import export_audit_log
from ui.session_context import SessionContext


def local_midnight_utc(day: date) -> str:
    """The start of `day` in this computer's time zone, as the UTC text the log stores and compares."""
    return datetime.combine(day, time()).astimezone().astimezone(UTC).isoformat(timespec="microseconds")


def _day(edit: QDateEdit) -> date:
    value = edit.date()
    return date(value.year(), value.month(), value.day())


class AuditLogView(QWidget):
    def __init__(self, context: SessionContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context = context
        self.model = AuditTableModel(context, self)
        self._viewed = False
        self._build_filters()
        self.table = QTableView(self)
        self.table.setTabKeyNavigation(False)  # Tab leaves the table; arrows move in it
        self.table.setModel(self.model)
        self.table.setAccessibleName(_("Audit log entries"))
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 8)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        for column, width in enumerate((60, 150, 130, 150, 110)):
            self.table.setColumnWidth(column, width)
        copy = QAction(_("&Copy"), self.table)
        copy.setShortcut(QKeySequence.StandardKey.Copy)
        copy.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
        copy.triggered.connect(self.copy_selection)
        self.table.addAction(copy)
        self.table.setContextMenuPolicy(Qt.ContextMenuPolicy.ActionsContextMenu)
        self.count_label = QLabel(self)
        self.model.rowsInserted.connect(self._update_count)
        self.model.modelReset.connect(self._update_count)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 4)
        layout.addLayout(self.filters)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.count_label)
        context.changed.connect(self.model.refresh)
        self._update_count()

    def _build_filters(self) -> None:
        self.user = QComboBox(self)
        self.user.setAccessibleName(_("Filter by user"))
        self.action = QComboBox(self)  # in words, as the table shows them; the id is each item's data
        self.action.setAccessibleName(_("Filter by action"))
        self.action.addItem(_("Any action"), None)
        for text, action in sorted((action_text(a), a) for a in known_actions()):
            self.action.addItem(text, action)
            self.action.setItemData(self.action.count() - 1, action, Qt.ItemDataRole.ToolTipRole)
        self.action.setMaxVisibleItems(20)
        for combo in (self.user, self.action):  # as wide as 18 characters, not the longest action's words (the
            combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
            combo.setMinimumContentsLength(18)  # tab asked for 788 px in German)
        self.action.view().setMinimumWidth(self.action.view().sizeHintForColumn(0) + 24)  # its list opens wide
        self.entity = QLineEdit(self)
        self.entity.setAccessibleName(_("Filter by record number"))
        self.entity.setPlaceholderText(_("any record"))
        self.entity.setClearButtonEnabled(True)
        today = QDate.currentDate()
        self.use_since = QCheckBox(_("Fro&m:"), self)
        self.since = QDateEdit(today.addDays(-30), self)
        self.use_until = QCheckBox(_("&To:"), self)
        self.until = QDateEdit(today, self)
        for box, edit, name in (
            (self.use_since, self.since, _("From date")),
            (self.use_until, self.until, _("To date")),
        ):
            edit.setCalendarPopup(True)
            edit.setDisplayFormat("yyyy-MM-dd")  # the same unambiguous form as the Time column
            edit.setEnabled(False)
            edit.setAccessibleName(name)
            box.toggled.connect(edit.setEnabled)
        self.apply_button = QPushButton(_("&Show"), self)
        self.apply_button.setAccessibleName(_("Show matching entries"))
        self.apply_button.clicked.connect(self.apply_filter)
        self.clear_button = QPushButton(_("C&lear filters"), self)
        self.clear_button.clicked.connect(self.clear_filters)
        self.export_button = QPushButton(_("&Export CSV…"), self)
        self.export_button.setAccessibleName(_("Export the shown entries as CSV"))
        self.export_button.clicked.connect(self.ask_export)
        if not self.context.can(Permission.EXPORT_AUDIT):
            self.export_button.setEnabled(False)
            self.export_button.setToolTip(self.context.why_not(Permission.EXPORT_AUDIT))
        self.entity.returnPressed.connect(self.apply_filter)

        grid = QGridLayout()
        grid.setHorizontalSpacing(8)
        for column, (text, widget) in enumerate(
            ((_("&User:"), self.user), (_("A&ction:"), self.action), (_("&Record:"), self.entity))
        ):
            label = QLabel(text, self)
            label.setBuddy(widget)
            grid.addWidget(label, 0, column * 2)
            grid.addWidget(widget, 0, column * 2 + 1)
        dates = QHBoxLayout()
        for widget in (self.use_since, self.since, self.use_until, self.until):
            dates.addWidget(widget)
        dates.addStretch(1)
        grid.addLayout(dates, 1, 0, 1, 6)
        buttons = QHBoxLayout()
        buttons.addWidget(self.apply_button)
        buttons.addWidget(self.clear_button)
        buttons.addStretch(1)
        buttons.addWidget(self.export_button)
        grid.addLayout(buttons, 2, 0, 1, 6)
        for column in (1, 3, 5):
            grid.setColumnStretch(column, 1)
        self.filters = grid

    def _fill_users(self) -> None:
        """Everyone, or one user. Listing users needs 'manage users'; others can pick themselves only."""
        self.user.clear()
        self.user.addItem(_("Everyone"), None)
        me = self.context.session.user
        if self.context.can(Permission.MANAGE_USERS):
            try:
                users = UserService(self.context.session).list()
            except CounterpartError:
                users = [me]
        else:
            users = [me]
        for user in users:
            self.user.addItem(_("{user} (you)").format(user=user.name) if user.id == me.id else user.name, user.id)

    # --- showing -------------------------------------------------------------------------------------------

    def showEvent(self, event: object) -> None:  # noqa: N802 - Qt override
        super().showEvent(event)  # type: ignore[arg-type]
        if not self._viewed and self.context.is_open and not self.context.busy:
            self._viewed = True
            self.context.session.record("audit.view")
            self._fill_users()
            self.model.set_filter(self.current_filter())
            self.model.fetchMore()

    def current_filter(self) -> audit.AuditFilter:
        since = local_midnight_utc(_day(self.since)) if self.use_since.isChecked() else None
        until_day = _day(self.until) + timedelta(days=1)  # the whole 'to' day is included
        until = local_midnight_utc(until_day) if self.use_until.isChecked() else None
        return audit.AuditFilter(
            user_id=self.user.currentData(),
            action=self.action.currentData(),
            entity_id=self.entity.text().strip() or None,
            since=since,
            until=until,
        )

    def apply_filter(self) -> None:
        if self.context.busy:
            return
        self.model.set_filter(self.current_filter())
        self.model.fetchMore()

    def clear_filters(self) -> None:
        self.user.setCurrentIndex(0)
        self.action.setCurrentIndex(0)
        self.entity.clear()
        self.use_since.setChecked(False)
        self.use_until.setChecked(False)
        self.apply_filter()

    def _update_count(self) -> None:
        shown = self.model.rowCount()
        more = self.model.canFetchMore()
        self.count_label.setText(
            _("{n} entries shown; scroll down for more.").format(n=shown) if more else _("{n} entries.").format(n=shown)
        )

    def copy_selection(self) -> None:
        rows = sorted({index.row() for index in self.table.selectionModel().selectedIndexes()})
        if rows:
            clipboard.copy_text(
                "\n".join(
                    "\t".join(
                        self.model.text(self.model.entry(row), column) for column in range(self.model.columnCount())
                    )
                    for row in rows
                )
            )

    # --- export --------------------------------------------------------------------------------------------

    def ask_export(self) -> None:
        folder = documents_folder()
        suggested = folder / _("audit-log-{day}.csv").format(day=date.today().isoformat())
        ask_save_path(
            self.window(),
            _("Export the audit log"),
            suggested,
            _("CSV files (*.csv)"),
            self.export,
            default_suffix="csv",
        )

    def export(self, path: Path) -> None:
        """Write the entries matching the current filter to `path` on a worker, then audit the export."""
        session, flt = self.context.session, self.model.filter
        # export_csv checks EXPORT_AUDIT and records the export
        self.context.run(
            export_audit_log(session, path, flt),
            description=_("Exporting the audit log…"),
            on_done=lambda rows: inform(
                self.window(), _("Export finished"), _("Wrote {n} audit entries to {path}.").format(n=rows, path=path)
            ),
            on_error=lambda exc: export_failed_or_stopped(self.window(), exc),
            cancellable=True,
        )

    def clear(self) -> None:
        self.model.clear()
        self.user.clear()
