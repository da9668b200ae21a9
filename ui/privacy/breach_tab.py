"""Privacy › Breaches: the register, with the 72-hour clock to tell the supervisory authority shown large.

The clock is words first ("41 hours left", "LATE"), with red and an icon only as extra signs; it ticks every
minute from the tab's clock (injectable, so tests can move time).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import (
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPlainTextEdit,
    QStyle,
    QWidget,
)

from app.access.roles import Permission
from app.errors import CounterpartError
from app.locale import _, current_language, ngettext
from app.privacy.breach import Breach, BreachService
from app.vault.location import documents_folder
from ui.dialogs import ask_save_path, confirm
from ui.flow_layout import FlowLayout
from ui.operations.privacy import breach_letters, breach_report, choose_affected
from ui.privacy.breach_dialogs import AffectedChoice, AuthorityDialog, RecordBreachDialog, SelectAffectedDialog
from ui.privacy.common import (
    ALERT,
    Clock,
    ProgressPanel,
    RefreshedWhenShown,
    Row,
    RowsModel,
    button,
    error_text,
    forbid,
    local_time,
    make_table,
    select_key,
    selected_key,
    show_letters_written,
    system_clock,
)
from ui.session_context import SessionContext
from ui.widgets import MessageLine, heading

_ID, _DISCOVERED, _NATURE, _AUTHORITY, _RISK, _CHOSEN, _TOLD, _STATUS = range(8)


def clock_text(breach: Breach, now: datetime) -> str:
    """The authority column and banner: told when, hours left, or LATE with the deadline."""
    if breach.authority_notified_at:
        return _("Told {time} (ref. {reference})").format(
            time=local_time(breach.authority_notified_at), reference=breach.authority_reference or "—"
        )
    if breach.status == "closed":
        return _("Closed without notifying")
    deadline = local_time(breach.authority_deadline)
    if breach.authority_overdue(now):
        return _("LATE — deadline was {deadline}").format(deadline=deadline)
    hours = int(breach.hours_left(now))
    if hours < 1:
        minutes = max(0, int(breach.hours_left(now) * 60))
        return ngettext("{n} minute left (until {deadline})", "{n} minutes left (until {deadline})", minutes).format(
            n=minutes, deadline=deadline
        )
    return ngettext("{n} hour left (until {deadline})", "{n} hours left (until {deadline})", hours).format(
        n=hours, deadline=deadline
    )


class BreachTab(RefreshedWhenShown):
    permission = Permission.MANAGE_BREACHES

    def __init__(self, context: SessionContext, parent: QWidget | None = None, *, clock: Clock = system_clock) -> None:
        super().__init__(context, parent, clock=clock)
        self._breaches: dict[int, Breach] = {}

        self.banner_icon = QLabel(self)
        self.banner = heading("", self, 1.4)
        self.banner.setObjectName("breachClock")
        banner_row = QHBoxLayout()
        banner_row.addWidget(self.banner_icon)
        banner_row.addWidget(self.banner, 1)
        self.model = RowsModel(
            [
                _("No."),
                _("Discovered"),
                _("What happened"),
                _("Authority (72 hours)"),
                _("High risk"),
                _("Chosen"),
                _("People told"),
                _("Status"),
            ],
            self,
            right=(_ID, _CHOSEN),
            header_tips={_CHOSEN: _("People chosen as affected")},
        )
        self.table = make_table(self.model, _("Data breaches, newest first"), self, (36, 118, 170, 285, 64, 60, 130))
        self.table.selectionModel().selectionChanged.connect(lambda *_args: self._selection_changed())
        self.detail = QPlainTextEdit(self)  # scrolls when long, so a long description never squeezes the table
        self.detail.setReadOnly(True)
        self.detail.setTabChangesFocus(True)
        self.detail.setAccessibleName(_("Details of the selected breach"))
        self.detail.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.detail.setFixedHeight(self.fontMetrics().lineSpacing() * 6 + 16)
        self.message = MessageLine(self)
        self.progress = ProgressPanel(self)

        self.record_button = button(_("&Record breach…"), _("Record a new data breach"), self, self.ask_record)
        self.select_button = button(
            _("&Select affected people…"), _("Choose the people affected"), self, self.ask_select
        )
        self.authority_button = button(
            _("&Mark authority notified…"), _("Record that the authority was told"), self, self.ask_authority
        )
        self.people_button = button(
            _("Mark &people notified"), _("Record that the affected people were told"), self, self.ask_people_notified
        )
        self.letters_button = button(
            _("&Write letters…"), _("Write a notification letter to each affected person"), self, self.ask_letters
        )
        self.report_button = button(
            _("Draft report for &the authority…"), _("Save a draft report for the authority"), self, self.ask_report
        )
        self.close_button = button(_("Clos&e breach"), _("Close the breach record"), self, self.ask_close)
        self._buttons = (
            self.record_button,
            self.select_button,
            self.authority_button,
            self.people_button,
            self.letters_button,
            self.report_button,
            self.close_button,
        )
        actions = FlowLayout()  # four a row made the tab 823 px wide at the least in German
        for push in self._buttons:
            actions.addWidget(push)

        self.lay_out(
            [banner_row, actions, self.table, self.detail],
            grows=self.table,
            buttons=self._buttons,
            data=[self.banner, self.banner_icon, self.table, self.detail],
            foot=[self.progress],
        )
        self.timer = QTimer(self)
        self.timer.setInterval(60_000)
        self.timer.timeout.connect(self.tick)

    # --- reading -------------------------------------------------------------------------------------------

    def refresh(self) -> None:
        if not self._may_read():
            self._show_banner()
            return
        breaches = BreachService(self.context.session).all()
        self._breaches = {b.id: b for b in breaches}
        self.tick()
        if breaches and not self.timer.isActive():
            self.timer.start()

    def tick(self) -> None:
        """Redraw the clocks from what is held; no database read."""
        keep = selected_key(self.table, self.model)
        now = self.clock()
        self.model.set_rows([self._row(b, now) for b in self._breaches.values()])
        select_key(self.table, self.model, keep if keep is not None else self._most_urgent(now))
        self._selection_changed()

    def _row(self, breach: Breach, now: datetime) -> Row:
        nature = " ".join(breach.nature.split())
        return Row(
            [
                str(breach.id),
                local_time(breach.discovered_at),
                nature,
                clock_text(breach, now),
                _("Yes") if breach.high_risk else _("No"),
                str(breach.selected),
                local_time(breach.people_notified_at)
                if breach.people_notified_at
                else (_("Not yet (required)") if breach.high_risk else _("Not yet")),
                _("Closed") if breach.status == "closed" else _("Open"),
            ],
            key=breach.id,
            alerts={_AUTHORITY} if breach.authority_overdue(now) and breach.status != "closed" else set(),
            tips={_NATURE: breach.nature},
        )

    def _most_urgent(self, now: datetime) -> int | None:
        waiting = [b for b in self._breaches.values() if b.authority_notified_at is None and b.status != "closed"]
        return min(waiting, key=lambda b: b.hours_left(now)).id if waiting else None

    def selected(self) -> Breach | None:
        key = selected_key(self.table, self.model)
        return self._breaches.get(key) if key is not None else None

    def _selection_changed(self) -> None:
        breach = self.selected()
        self._show_banner()
        if not self.allowed:
            return
        for push in self._buttons[1:]:
            push.setEnabled(breach is not None)
            push.setToolTip("" if breach is not None else _("Select a breach first."))
        if breach is None:
            self.detail.clear()
            return
        if breach.authority_notified_at:
            forbid(_("Already recorded: {text}").format(text=clock_text(breach, self.clock())), self.authority_button)
        if breach.selected == 0:
            forbid(_("Select the affected people first."), self.letters_button)
        if breach.status == "closed":
            forbid(_("This breach is closed."), self.close_button, self.select_button)
        self.detail.setPlainText(self._detail(breach))

    def _detail(self, breach: Breach) -> str:
        lines = [
            _("Data: {list}").format(list=", ".join(breach.data_categories) or "—"),
            _("People: {list}; about {n} affected").format(
                list=", ".join(breach.people_categories) or "—", n=breach.approx_affected
            ),
            _("Consequences: {text}").format(text=breach.consequences or "—"),
            _("Measures: {text}").format(text=breach.measures or "—"),
        ]
        if breach.delay_reason:
            lines.append(_("Reason for the delay: {text}").format(text=breach.delay_reason))
        if breach.high_risk and not breach.people_notified_at:
            lines.insert(0, _("High risk: the affected people must be told without undue delay (Art. 34)."))
        return "\n".join(lines)

    def _show_banner(self) -> None:
        """The clock of the selected breach, large: hours left, LATE, or already told."""
        breach = self.selected()
        now = self.clock()
        late = False
        if not self.allowed or self._cleared:
            text = ""
        elif breach is None:
            text = (
                _(
                    "No breach recorded. If personal data is lost, stolen or seen by someone who should not see it, "
                    "record it at once: the 72 hours start at discovery."
                )
                if not self._breaches
                else _("Select a breach to see its clock.")
            )
        elif breach.authority_notified_at or breach.status == "closed":
            text = _("Breach no. {id}: {state}").format(id=breach.id, state=clock_text(breach, now))
        elif breach.authority_overdue(now):
            late = True
            text = _(
                "Breach no. {id}: LATE — the authority had to be told by {deadline}. Tell them now and record "
                "the reason for the delay."
            ).format(id=breach.id, deadline=local_time(breach.authority_deadline))
        else:
            text = _("Breach no. {id}: {state} to tell the supervisory authority.").format(
                id=breach.id, state=clock_text(breach, now)
            )
        self.banner.setText(text)
        self.banner.setAccessibleName(text)
        palette = self.banner.palette()
        palette.setColor(
            QPalette.ColorRole.WindowText, ALERT if late else self.palette().color(QPalette.ColorRole.WindowText)
        )
        self.banner.setPalette(palette)
        waiting = breach is not None and not breach.authority_notified_at and breach.status != "closed"
        pixmap = QStyle.StandardPixmap.SP_MessageBoxWarning if late else QStyle.StandardPixmap.SP_MessageBoxInformation
        size = self.style().pixelMetric(QStyle.PixelMetric.PM_MessageBoxIconSize)
        self.banner_icon.setPixmap(
            self.style().standardIcon(pixmap).pixmap(size, size)
            if waiting and text
            else self.style().standardIcon(pixmap).pixmap(0, 0)
        )
        self.banner_icon.setVisible(waiting)

    # --- recording -----------------------------------------------------------------------------------------

    def ask_record(self) -> QDialog | None:
        if self.context.busy or not self.allowed:
            return None
        dialog = RecordBreachDialog(self.context, self.clock(), self)
        dialog.accepted.connect(lambda: self._recorded(dialog.breach_id))
        return self.open_dialog(dialog)

    def _recorded(self, breach_id: int | None) -> None:
        if breach_id is not None:
            select_key(self.table, self.model, breach_id)
            self.message.show_info(
                _(
                    "Breach no. {id} is recorded. Next: choose the affected people and tell the "
                    "authority within 72 hours."
                ).format(id=breach_id)
            )

    def ask_select(self) -> QDialog | None:
        breach = self.selected()
        if breach is None or self.context.busy:
            return None
        dialog = SelectAffectedDialog(self.context, breach, self)
        dialog.accepted.connect(lambda: self.select_affected(breach.id, dialog.choice))
        return self.open_dialog(dialog)

    def select_affected(self, breach_id: int, choice: AffectedChoice | None) -> None:
        if choice is None or self.context.busy:
            return
        session = self.context.session

        operation = self.context.run(
            choose_affected(session, breach_id, choice),
            description=_("Choosing the affected people…"),
            on_done=lambda n: self.message.show_info(
                ngettext(
                    "{n} person is chosen for breach no. {id}.", "{n} people are chosen for breach no. {id}.", int(n)
                ).format(n=n, id=breach_id)
            ),
            on_error=lambda exc: self.message.show_error(error_text(exc)),
        )
        self.progress.follow(operation, _("Choosing people…"))

    def ask_authority(self) -> QDialog | None:
        breach = self.selected()
        if breach is None or self.context.busy:
            return None
        return self.open_dialog(AuthorityDialog(self.context, breach, self.clock(), self))

    def ask_people_notified(self) -> QMessageBox | None:
        breach = self.selected()
        if breach is None or self.context.busy:
            return None
        self.dialog = confirm(
            self.window(),
            _("People notified"),
            _("Record that the affected people of breach no. {id} were told now?").format(id=breach.id),
            _("&Record"),
            lambda: self._quick(lambda: BreachService(self.context.session).people_notified(breach.id)),
        )
        return self.dialog

    def ask_close(self) -> QMessageBox | None:
        breach = self.selected()
        if breach is None or self.context.busy:
            return None
        detail = (
            ""
            if breach.authority_notified_at
            else _(
                "The authority has not been recorded as told. Close it only "
                "if you decided it need not be (the breach is unlikely to "
                "be a risk to people), and note why in the report."
            )
        )
        self.dialog = confirm(
            self.window(),
            _("Close the breach"),
            _("Close breach no. {id}?").format(id=breach.id),
            _("&Close breach"),
            lambda: self._quick(lambda: BreachService(self.context.session).close(breach.id)),
            detail,
        )
        return self.dialog

    def _quick(self, call: Callable[[], object]) -> None:
        if self.context.busy:
            return
        try:
            call()
        except CounterpartError as exc:
            self.message.show_error(str(exc))
            return
        self.context.changed.emit()

    # --- documents -----------------------------------------------------------------------------------------

    def ask_letters(self) -> QFileDialog | None:
        breach = self.selected()
        if breach is None or self.context.busy:
            return None
        start = documents_folder()
        dialog = QFileDialog(self.window(), _("Choose a folder for the letters"), str(start))
        dialog.setFileMode(QFileDialog.FileMode.Directory)
        dialog.setOption(QFileDialog.Option.ShowDirsOnly, True)
        dialog.fileSelected.connect(lambda path: self.write_letters(breach.id, Path(path)) if path else None)
        return self.open_dialog(dialog)

    def write_letters(self, breach_id: int, folder: Path) -> None:
        if self.context.busy:
            return
        session = self.context.session

        operation = self.context.run(
            breach_letters(session, breach_id, folder),
            description=_("Writing the letters…"),
            on_done=lambda result: show_letters_written(self.message, result, folder),
            on_error=lambda exc: self.message.show_error(error_text(exc)),
        )
        self.progress.follow(operation, _("Writing letters…"), cancellable=True)

    def ask_report(self) -> QFileDialog | None:
        breach = self.selected()
        if breach is None or self.context.busy:
            return None
        folder = documents_folder()
        suggested = folder / _("breach-{id}-report.pdf").format(id=breach.id)
        dialog = ask_save_path(
            self.window(),
            _("Save the draft report"),
            suggested,
            _("PDF documents (*.pdf)"),
            lambda path: self.write_report(breach.id, path),
            default_suffix="pdf",
        )
        self.dialog = dialog
        return dialog

    def write_report(self, breach_id: int, path: Path) -> None:
        if self.context.busy:
            return
        session, language = self.context.session, current_language()

        operation = self.context.run(
            breach_report(session, breach_id, path, language),
            description=_("Writing the draft report…"),
            on_done=lambda _r: self.message.show_info(
                _("Saved the draft report to {path}. Check it, complete it, and send it to the authority.").format(
                    path=path
                )
            ),
            on_error=lambda exc: self.message.show_error(error_text(exc)),
        )
        self.progress.follow(operation, _("Writing the report…"))

    def clear(self) -> None:
        self._cleared = True
        self.timer.stop()
        self.close_dialog()
        self._breaches = {}
        self.model.clear()
        self.detail.clear()
        self.message.clear()
        self._show_banner()
