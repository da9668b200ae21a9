"""Privacy › Requests: open data-subject requests, soonest deadline first, and what to do with each.

Overdue requests are marked in red with the word "Overdue" and an icon, so colour is never the only sign.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from PySide6.QtWidgets import QDialog, QLabel, QWidget

from app.access.roles import Permission
from app.crm.contacts import ContactService
from app.locale import _, ngettext
from app.privacy.reminders import SOON_DAYS
from app.privacy.requests import RequestService, SubjectRequest, due_date
from app.vault.location import documents_folder
from ui.dialogs import ask_save_path
from ui.flow_layout import FlowLayout
from ui.operations.privacy import complete_request, export_subject, subject_pdf
from ui.privacy.common import (
    Clock,
    ProgressPanel,
    RefreshedWhenShown,
    Row,
    RowsModel,
    TextPromptDialog,
    button,
    error_text,
    forbid,
    make_table,
    select_key,
    selected_key,
    system_clock,
)
from ui.privacy.labels import jurisdiction_label, person_label, request_type_label
from ui.privacy.request_dialogs import CompleteDialog, ExportChoice, ExportDialog, IdentityDialog, NewRequestDialog
from ui.session_context import SessionContext
from ui.widgets import MessageLine, paragraph

_ID, _TYPE, _PERSON, _LAW, _RECEIVED, _DUE, _IDENTITY = range(7)


def due_text(request: SubjectRequest, today: date) -> str:
    due = date.fromisoformat(request.due_at)
    text = due.isoformat()
    if request.extended:
        text = _("{date} (extended)").format(date=text)
    if request.overdue(today):
        days = (today - due).days
        return (
            _("{due} — Overdue").format(due=text)
            if days < 1
            else ngettext("{due} — Overdue by {n} day", "{due} — Overdue by {n} days", days).format(due=text, n=days)
        )
    left = (due - today).days
    if left == 0:
        return _("{due} — due today").format(due=text)
    if left <= SOON_DAYS:
        return ngettext("{due} — {n} day left", "{due} — {n} days left", left).format(due=text, n=left)
    return text


class RequestsTab(RefreshedWhenShown):
    permission = Permission.HANDLE_REQUESTS

    def __init__(self, context: SessionContext, parent: QWidget | None = None, *, clock: Clock = system_clock) -> None:
        super().__init__(context, parent, clock=clock)
        self._requests: dict[int, SubjectRequest] = {}
        self._names: dict[int, str] = {}  # linked customers' names, for whoever may see customers
        self.model = RowsModel(
            [_("No."), _("Type"), _("Person"), _("Law"), _("Received"), _("Answer by"), _("Identity checked")],
            self,
            right=(_ID,),
        )
        self.table = make_table(
            self.model, _("Open privacy requests, soonest deadline first"), self, (44, 175, 170, 120, 90, 245)
        )
        self.table.selectionModel().selectionChanged.connect(lambda *_args: self._update_actions())
        self.summary = QLabel(self)
        self.summary.setWordWrap(True)
        self.detail = QLabel(self)
        self.detail.setWordWrap(True)
        self.message = MessageLine(self)
        self.progress = ProgressPanel(self)

        self.new_button = button(_("Ne&w request…"), _("Register a new privacy request"), self, self.ask_new)
        self.identity_button = button(
            _("R&ecord identity check…"), _("Record the identity check"), self, self.ask_identity
        )
        self.extend_button = button(_("E&xtend…"), _("Extend the deadline once, with a reason"), self, self.ask_extend)
        self.export_button = button(
            _("Ex&port data…"), _("Export the person's data as PDF or ZIP"), self, self.ask_export
        )
        self.print_button = button(
            _("Print for &the customer…"), _("Print the person's data at the counter"), self, self.print_export
        )
        self.complete_button = button(_("&Complete…"), _("Complete the request"), self, self.ask_complete)
        self.refuse_button = button(_("&Refuse…"), _("Refuse the request, with the reason"), self, self.ask_refuse)
        self._buttons = (
            self.new_button,
            self.identity_button,
            self.extend_button,
            self.export_button,
            self.print_button,
            self.complete_button,
            self.refuse_button,
        )
        actions = FlowLayout()  # on further lines in a narrow window, instead of widening it (German: 889 px)
        for push in self._buttons:
            actions.addWidget(push)

        may_register = self.context.can(Permission.REGISTER_REQUESTS)
        forbidden = self._buttons[1:] if may_register else self._buttons  # staff at the counter may register
        # Staff stand at the counter: after "may not handle", what they can do and who answers.
        self.counter_note = paragraph("", self)
        if may_register and not self.allowed:
            self.counter_note.setText(
                _(
                    "You may register a request a customer makes at the counter (New "
                    "request…), so its deadline starts. Answering it is for {names}."
                ).format(names=self._handlers())
            )
        else:
            self.counter_note.hide()
        self.lay_out(
            [self.counter_note, self.summary, actions, self.table, self.detail],
            grows=self.table,
            buttons=forbidden,
            data=[self.table, self.summary, self.detail],
            foot=[self.progress],
        )

    # --- reading -------------------------------------------------------------------------------------------

    def _handlers(self) -> str:
        names = RequestService(self.context.session).handlers() if self.context.is_open else []
        return ", ".join(names) or _("the owner")

    def today(self) -> date:
        return self.clock().astimezone().date()

    def refresh(self) -> None:
        if not self._may_read():
            return
        keep = selected_key(self.table, self.model)
        today = self.today()
        requests = RequestService(self.context.session).open_requests(today=today)
        self._requests = {r.id: r for r in requests}
        linked = sorted({r.contact_id for r in requests if r.contact_id is not None})
        self._names = (
            ContactService(self.context.session).display_names(linked)
            if linked and self.context.can(Permission.VIEW_CUSTOMERS)
            else {}
        )
        self.model.set_rows([self._row(r, today) for r in requests])
        select_key(self.table, self.model, keep)
        overdue = sum(1 for r in requests if r.overdue(today))
        text = ngettext("{n} open request.", "{n} open requests.", len(requests)).format(n=len(requests))
        if overdue:
            text += " " + ngettext(
                "{n} is overdue: answer it first.", "{n} are overdue: answer them first.", overdue
            ).format(n=overdue)
        self.summary.setText(text)
        self._update_actions()

    def _row(self, request: SubjectRequest, today: date) -> Row:
        identity = (
            _("Yes — {method}").format(method=request.identity_method) if request.identity_method else _("Not yet")
        )
        return Row(
            [
                str(request.id),
                request_type_label(request.type),
                self.person(request),
                jurisdiction_label(request.jurisdiction),
                request.received_at[:10],
                due_text(request, today),
                identity,
            ],
            key=request.id,
            alerts={_DUE} if request.overdue(today) else set(),
        )

    def person(self, request: SubjectRequest) -> str:
        name = self._names.get(request.contact_id) if request.contact_id is not None else None
        return person_label(request.contact_id, request.requester, name)

    def selected(self) -> SubjectRequest | None:
        key = selected_key(self.table, self.model)
        return self._requests.get(key) if key is not None else None

    def _update_actions(self) -> None:
        if not self.allowed:
            return
        request = self.selected()
        for push in self._buttons[1:]:
            push.setEnabled(request is not None)
            push.setToolTip("")
        if request is None:
            self.detail.setText(_("Select a request to act on it."))
            return
        self.detail.setText(self._detail(request))
        if request.extended:
            forbid(_("This request was already extended once."), self.extend_button)
        if not self.context.can(Permission.EXPORT_SUBJECT):
            forbid(self.context.why_not(Permission.EXPORT_SUBJECT), self.export_button, self.print_button)
        elif request.contact_id is None:
            forbid(_("Link the customer first (Record identity check…)."), self.export_button, self.print_button)
        elif request.identity_method is None:  # a person's data goes to that person only (GDPR Art. 12(6))
            forbid(
                _(
                    "Check and record the requester's identity first (Record identity check…): the data may "
                    "go only to the person it is about."
                ),
                self.export_button,
                self.print_button,
            )
        if request.identity_method is None:
            forbid(_("Check and record the requester's identity before completing the request."), self.complete_button)
        elif request.type == "erasure" and not self.context.can(Permission.ERASE):
            forbid(self.context.why_not(Permission.ERASE), self.complete_button)
        elif request.type == "erasure" and request.contact_id is None:
            forbid(_("Link the customer to erase before completing the request."), self.complete_button)
        elif request.type in ("restriction", "objection") and request.contact_id is None:
            forbid(_("Link the customer this request is about before completing it."), self.complete_button)

    def _detail(self, request: SubjectRequest) -> str:
        text = _("Request no. {id}: {type} from {person}, received {date}.").format(
            id=request.id,
            type=request_type_label(request.type),
            person=self.person(request),
            date=request.received_at[:10],
        )
        if request.files:
            text += " " + ngettext(
                "{n} file handed over (its fingerprint is kept).",
                "{n} files handed over (their fingerprints are kept).",
                len(request.files),
            ).format(n=len(request.files))
        return text

    # --- actions -------------------------------------------------------------------------------------------

    def _ready(self) -> SubjectRequest | None:
        if self.context.busy:
            return None
        self.message.clear()
        return self.selected()

    def ask_new(self) -> QDialog | None:
        if self.context.busy or not self.context.can(Permission.REGISTER_REQUESTS):
            return None
        dialog = NewRequestDialog(self.context, self.today(), self)
        dialog.accepted.connect(lambda: self._created(dialog.request_id))
        return self.open_dialog(dialog)

    def _created(self, request_id: int | None) -> None:
        if request_id is None:
            return
        if not self.allowed:  # registered at the counter: say who takes it from here
            self.message.show_info(
                _("Request no. {id} is registered; its deadline is counting. Tell {names}: they answer it.").format(
                    id=request_id, names=self._handlers()
                )
            )
            return
        select_key(self.table, self.model, request_id)
        self.message.show_info(_("Request no. {id} is registered; its deadline is counting.").format(id=request_id))

    def ask_identity(self) -> QDialog | None:
        request = self._ready()
        return (
            None
            if request is None
            else self.open_dialog(IdentityDialog(self.context, request, self, who=self.person(request)))
        )

    def ask_extend(self) -> QDialog | None:
        request = self._ready()
        if request is None:
            return None
        service = RequestService(self.context.session)
        new_due = due_date(
            request.jurisdiction, date.fromisoformat(request.received_at), extended=True, pipl_days=service.pipl_days()
        )

        def extend(reason: str) -> None:
            service.extend(request.id, reason)
            self.context.changed.emit()

        return self.open_dialog(
            TextPromptDialog(
                self,
                _("Extend the deadline"),
                _(
                    "The law allows one extension when a request is complex or one of many. The new deadline would be "
                    "{date}. Tell the person within the first deadline, with this reason."
                ).format(date=new_due.isoformat()),
                _("&Reason you will give the person:"),
                _("&Extend"),
                extend,
            )
        )

    def ask_refuse(self) -> QDialog | None:
        request = self._ready()
        if request is None:
            return None

        def refuse(reason: str) -> None:
            RequestService(self.context.session).refuse(request.id, reason)
            self.context.changed.emit()

        return self.open_dialog(
            TextPromptDialog(
                self,
                _("Refuse the request"),
                _(
                    "Refuse only for a reason the law allows (for example, the request is manifestly unfounded or "
                    "excessive). The person must be told the reason and that they may complain to the supervisory "
                    "authority."
                ),
                _("Rea&son:"),
                _("&Refuse request"),
                refuse,
            )
        )

    def ask_complete(self) -> QDialog | None:
        request = self._ready()
        if request is None:
            return None
        dialog = CompleteDialog(request, self, who=self.person(request))
        dialog.accepted.connect(lambda: self.complete(request, dialog.response_text()))
        return self.open_dialog(dialog)

    def complete(self, request: SubjectRequest, response: str) -> None:
        """On a worker: completing an erasure request erases the person, which rewrites much of the vault."""
        if self.context.busy:
            return
        session = self.context.session
        erasure = request.type == "erasure"

        def done(_result: object) -> None:
            text = (
                _("Request no. {id} is completed and the person was erased.").format(id=request.id)
                if erasure
                else _("Request no. {id} is completed.").format(id=request.id)
            )
            recipients = RequestService(session).get(request.id).recipients
            if recipients:  # GDPR Art. 19: kept on the request too
                text += " " + _("Tell these recipients (GDPR Art. 19): {names}").format(names="; ".join(recipients))
            elif recipients is not None:
                text += " " + _("The record of processing names no recipients to tell.")
            self.message.show_info(text)

        operation = self.context.run(
            complete_request(session, request.id, response),
            description=_("Completing request no. {id}…").format(id=request.id),
            on_done=done,
            on_error=lambda exc: self.message.show_error(error_text(exc)),
        )
        self.progress.follow(operation, _("Erasing the person…") if erasure else _("Completing the request…"))

    def ask_export(self) -> QDialog | None:
        request = self._ready()
        if request is None or request.contact_id is None:
            return None
        dialog = ExportDialog(self.context, request, self)
        dialog.accepted.connect(lambda: self._ask_export_path(request, dialog.choice))
        return self.open_dialog(dialog)

    def _ask_export_path(self, request: SubjectRequest, choice: ExportChoice | None) -> None:
        if choice is None:
            return
        folder = documents_folder()
        suffix = "pdf" if choice.pdf else "zip"
        suggested = folder / _("privacy-request-{id}.{suffix}").format(id=request.id, suffix=suffix)
        name_filter = _("PDF documents (*.pdf)") if choice.pdf else _("ZIP files (*.zip)")
        self.dialog = ask_save_path(
            self.window(),
            _("Save the export"),
            suggested,
            name_filter,
            lambda path: self.export(request, choice, path),
            default_suffix=suffix,
        )

    def print_export(self) -> None:
        """The person's data on paper at the counter: made in memory, so no plaintext file is left behind."""
        request = self._ready()
        if request is None or request.contact_id is None or self.context.busy:
            return
        session, contact_id = self.context.session, request.contact_id

        def ready(pdf: bytes) -> None:
            from ui.printing import print_pdf

            print_pdf(pdf, self.window(), _("Print the person's data at the counter"))

        operation = self.context.run(
            subject_pdf(session, contact_id, request.id),
            description=_("Exporting the person's data…"),
            on_done=ready,
            on_error=lambda exc: self.message.show_error(error_text(exc)),
        )
        self.progress.follow(operation, _("Writing the export…"))

    def export(self, request: SubjectRequest, choice: ExportChoice, path: Path) -> None:
        """Write the files on a worker; the ZIP goes beside the PDF under the same name."""
        if self.context.busy or request.contact_id is None:
            return
        session, contact_id = self.context.session, request.contact_id
        pdf = path.with_suffix(".pdf") if choice.pdf else None
        zip_path = path.with_suffix(".zip") if choice.zip else None

        def done(hashes: dict[str, str]) -> None:
            self.message.show_info(
                _("Saved {files} in {folder}. Their fingerprints are recorded on the request.").format(
                    files=", ".join(sorted(hashes)), folder=path.parent
                )
            )

        work = export_subject(
            session,
            contact_id,
            request.id,
            pdf=pdf,
            zip_path=zip_path,
            language=choice.language,
            pdf_password=choice.password,
        )
        operation = self.context.run(
            work,
            description=_("Exporting the person's data…"),
            on_done=done,
            on_error=lambda exc: self.message.show_error(error_text(exc)),
        )
        self.progress.follow(operation, _("Writing the export…"))

    def clear(self) -> None:
        """Forget every row and close any open dialog (they hold names and customer choices)."""
        self._cleared = True
        self.close_dialog()
        self._requests = {}
        self._names = {}
        self.model.clear()
        self.summary.clear()
        self.detail.clear()
        self.message.clear()
