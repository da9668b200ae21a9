"""Privacy › Notice tasks: people an import added, who must still be told how the shop uses their data (GDPR
Art. 14: within a month, at the latest at first contact). Print their letters, then mark each one done with
how they were told."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QCheckBox, QComboBox, QFileDialog, QHBoxLayout, QLabel, QWidget

from app.access.roles import Permission
from app.errors import CounterpartError
from app.locale import _, ngettext
from app.privacy import notices
from app.privacy.notices import METHODS, NoticeTask
from app.vault.location import documents_folder
from ui.operations.privacy import notice_letters
from ui.privacy.common import (
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
from ui.widgets import MessageLine, paragraph

_PERSON, _SOURCE, _DUE, _DONE = range(4)


class NoticeTasksTab(RefreshedWhenShown):
    permission = Permission.CAPTURE_CONSENT

    def __init__(self, context: SessionContext, parent: QWidget | None = None, *, clock: Clock = system_clock) -> None:
        super().__init__(context, parent, clock=clock)
        self._tasks: dict[int, NoticeTask] = {}
        self.intro = paragraph(
            _(
                "People who came from an imported file have not seen your privacy notice. The law "
                "(GDPR Art. 14) asks you to tell them within a month, at the latest when you first "
                "contact them. Print their letters, then mark each person done."
            ),
            self,
        )
        self.model = RowsModel([_("Person"), _("From"), _("Due"), _("Done")], self)
        self.table = make_table(self.model, _("Art. 14 notice tasks, the oldest due first"), self)
        self.table.selectionModel().selectionChanged.connect(lambda *_args: self._update_actions())
        self.summary = QLabel(self)
        self.summary.setWordWrap(True)
        self.message = MessageLine(self)
        self.progress = ProgressPanel(self)

        self.letters_button = button(
            _("&Print letters…"), _("Save the letters for every open task as PDF"), self, self.ask_letters
        )
        self.method = QComboBox(self)
        for method in METHODS:
            self.method.addItem(notices.method_label(method), method)
        method_label = QLabel(_("Ho&w they were told:"), self)
        method_label.setBuddy(self.method)
        self.done_button = button(_("&Mark done"), _("Record that the selected person was told"), self, self.mark_done)
        self.show_done = QCheckBox(_("&Show done tasks"), self)
        self.show_done.toggled.connect(lambda _checked: self.refresh())
        actions = QHBoxLayout()
        actions.addWidget(self.letters_button)
        actions.addSpacing(16)
        actions.addWidget(method_label)
        actions.addWidget(self.method)
        actions.addWidget(self.done_button)
        actions.addStretch(1)
        actions.addWidget(self.show_done)
        self.lay_out(
            [self.summary, actions, self.table],
            lead=[self.intro],
            grows=self.table,
            buttons=[self.letters_button, self.method, self.done_button, self.show_done],
            data=[self.table, self.summary],
            foot=[self.progress],
        )

    def refresh(self) -> None:
        if not self._may_read():
            return
        keep = selected_key(self.table, self.model)
        try:
            found = notices.tasks(self.context.session, open_only=not self.show_done.isChecked())
            waiting = notices.open_count(self.context.session)
        except CounterpartError as exc:
            self.message.show_error(error_text(exc))
            return
        self._tasks = {t.contact_id: t for t in found if t.done_at is None}
        now = self.clock().isoformat(timespec="seconds")
        self.model.set_rows(
            [
                Row(
                    [
                        t.name or _("Customer no. {id}").format(id=t.contact_id),
                        t.source,
                        local_time(t.due_at)[:10],
                        f"{local_time(t.done_at)[:10]} ({notices.method_label(t.method)})"
                        if t.done_at and t.method
                        else "",
                    ],
                    key=t.contact_id if t.done_at is None else -t.contact_id,
                    alerts={_DUE} if t.done_at is None and t.due_at < now else set(),
                )
                for t in found
            ]
        )
        select_key(self.table, self.model, keep)
        self.summary.setText(
            ngettext("{n} person still to be told.", "{n} people still to be told.", waiting).format(n=waiting)
            if waiting
            else _("Everyone imported has been told.")
        )
        self._update_actions()

    def selected(self) -> NoticeTask | None:
        key = selected_key(self.table, self.model)
        return self._tasks.get(key) if key is not None else None

    def _update_actions(self) -> None:
        if not self.allowed:
            return
        for widget in (self.letters_button, self.done_button):
            widget.setEnabled(True)
            widget.setToolTip("")
        if not self._tasks:
            forbid(_("There is no open task."), self.letters_button)
        if self.selected() is None:
            forbid(_("Select a person with an open task first."), self.done_button)

    def mark_done(self) -> None:
        task = self.selected()
        if task is None or self.context.busy:
            return
        try:
            notices.mark_done(self.context.session, task.contact_id, str(self.method.currentData()))
        except CounterpartError as exc:
            self.message.show_error(error_text(exc))
            return
        self.context.changed.emit()
        self.message.show_info(
            _("{person} was told ({method}).").format(
                person=task.name, method=notices.method_label(str(self.method.currentData()))
            )
        )

    def ask_letters(self) -> QFileDialog | None:
        if not self._tasks or self.context.busy:
            return None
        dialog = QFileDialog(self.window(), _("Choose a folder for the letters"), str(documents_folder()))
        dialog.setFileMode(QFileDialog.FileMode.Directory)
        dialog.setOption(QFileDialog.Option.ShowDirsOnly, True)
        dialog.fileSelected.connect(lambda path: self.write_letters(Path(path)) if path else None)
        return self.open_dialog(dialog)

    def write_letters(self, folder: Path) -> None:
        if self.context.busy:
            return
        session = self.context.session

        operation = self.context.run(
            notice_letters(session, folder),
            description=_("Writing the letters…"),
            on_done=lambda result: show_letters_written(self.message, result, folder),
            on_error=lambda exc: self.message.show_error(error_text(exc)),
        )
        self.progress.follow(operation, _("Writing letters…"), cancellable=True)

    def clear(self) -> None:
        self._cleared = True
        self._tasks = {}
        self.model.clear()
        self.summary.clear()
        self.message.clear()
        self.close_dialog()
