"""The detail pane: one person's record in tabs (Overview, Deals, Activities, Notes, History, and any tab the
main window adds, such as Consent).

Opening a person reads their full record, which the service records in the audit log, so the pane reads it
only when someone opens a record or saves a change to it; other changes refresh the tabs that are not
audited reads (deals, activities, history).

A deal or activity row opens in the same editor as on the Pipeline and Activities pages (double-click, Enter
or F2). The editor announces its change on `context.changed`, like every other edit, so this pane (through
the Customers page) and the other pages read again.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TypeVar

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal, SignalInstance
from PySide6.QtWidgets import (
    QDialog,
    QLabel,
    QPushButton,
    QSizePolicy,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from app.access.roles import Permission
from app.consent.restriction import RestrictionService
from app.crm.activities import ActivityService
from app.crm.contacts import ContactRecord, ContactService
from app.crm.deals import Deal, DealService, Pipeline
from app.crm.sensitive_text import SensitiveTextFound
from app.errors import CounterpartError
from app.locale import _
from app.privacy import audit_service
from app.store import audit
from ui.customers.notes import NotesTab
from ui.customers.overview import OverviewTab, start_alignment
from ui.customers.restriction_banner import RestrictionBanner
from ui.customers.tables import RecordTable, activity_rows, deal_rows, history_rows
from ui.customers.text import local_moment
from ui.flow_layout import FlowLayout
from ui.operation import message_for
from ui.privacy.common import TextPromptDialog
from ui.sales.activity_dialog import ActivityDialog
from ui.sales.deal_dialogs import DealDialog
from ui.sales.quick import Refused, quick_read
from ui.session_context import SessionContext
from ui.widgets import MessageLine, focus_first_control, heading, paragraph

HISTORY_LIMIT = 100
DialogT = TypeVar("DialogT", bound=QDialog)


class ContactDetail(QWidget):
    edit_requested = Signal(int)
    delete_requested = Signal(int)

    def __init__(self, context: SessionContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context = context
        self._record: ContactRecord | None = None
        self._extra: list[QWidget] = []
        self.name = heading("", self, 1.4)
        self.name.setTextFormat(Qt.TextFormat.PlainText)
        self.name.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.name.setAlignment(start_alignment())
        self.name.setWordWrap(True)  # a long name goes onto a second line instead of widening the window
        self.number = QLabel(self)
        self.edit_button = QPushButton(_("&Edit…"), self)
        self.edit_button.setAccessibleName(_("Edit this customer"))
        self.edit_button.clicked.connect(lambda: self._emit(self.edit_requested))
        self.delete_button = QPushButton(_("&Delete"), self)
        self.delete_button.setAccessibleName(_("Delete this customer"))
        self.delete_button.setToolTip(_("Move this customer to the bin (Delete); you can undo it."))
        self.delete_button.clicked.connect(lambda: self._emit(self.delete_requested))
        self.restrict_button = QPushButton(_("Restrict processing…"), self)
        self.restrict_button.setAccessibleName(_("Restrict processing of this customer"))
        self.restrict_button.clicked.connect(lambda: self.restrict())
        self.restrict_dialog: TextPromptDialog | None = None
        if not context.can(Permission.EDIT_CUSTOMERS):
            for button in (self.edit_button, self.delete_button):
                button.setEnabled(False)
                button.setToolTip(context.why_not(Permission.EDIT_CUSTOMERS))
        self.message = MessageLine(self)
        self.restriction = RestrictionBanner(context, self)
        context.changed.connect(self._sync_restrict)  # the banner lifted it: Restrict is offered again
        self.placeholder = paragraph(_("Select a customer in the list to see their details here."), self)
        self.placeholder.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)

        self.tabs = QTabWidget(self)
        self.tabs.setAccessibleName(_("Customer details"))
        self.overview = OverviewTab(self)
        self.deals = RecordTable(
            (_("Deal"), _("Stage"), _("Value"), _("Close by")),
            _("Deals of this customer"),
            _("No deals with this customer yet."),
            self,
            right_aligned=(2,),
        )
        self.activities = RecordTable(
            (_("Type"), _("Subject"), _("Due"), _("Status")),
            _("Activities with this customer"),
            _("No calls, meetings or tasks yet."),
            self,
            stretch=1,
        )
        self.notes = NotesTab(self)
        self.notes.add_requested.connect(self._add_note)
        self.notes.keep_requested.connect(self._add_note)
        self.editable = context.can(Permission.EDIT_CUSTOMERS)  # as the Pipeline and Activities pages decide
        if not self.editable:
            self.notes.set_editable(False, context.why_not(Permission.EDIT_CUSTOMERS))
        self._editors: list[QDialog] = []
        for table, hint, slot in (
            (self.deals, _("Edit the selected deal (F2, Enter or a double-click on it)"), self.edit_deal),
            (self.activities, _("Edit the selected activity (F2, Enter or a double-click on it)"), self.edit_activity),
        ):
            table.hint = hint if self.editable else context.why_not(Permission.EDIT_CUSTOMERS)
            table.table.setAccessibleDescription(table.hint)
            table.activated.connect(slot)
        self.history = RecordTable(
            (_("Time"), _("By"), _("What")), _("History of this record"), _("Nothing recorded yet."), self, stretch=2
        )
        for widget, title in (
            (self.overview, _("Overview")),
            (self.deals, _("Dea&ls")),
            (self.activities, _("Acti&vities")),
            (self.notes, _("No&tes")),
            (self.history, _("Hi&story")),
        ):
            self.tabs.addTab(widget, title)

        # The name on a line of its own, wrapped, and the buttons under it on as many lines as the pane needs:
        # side by side, a long name and the buttons widened the window (issue #15).
        self.name.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        actions = FlowLayout()
        for push in (self.edit_button, self.delete_button, self.restrict_button):
            actions.addWidget(push)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 0, 0, 0)
        layout.addWidget(self.name)
        layout.addWidget(self.number)
        layout.addLayout(actions)
        layout.addWidget(self.message)
        layout.addWidget(self.restriction)
        layout.addWidget(self.placeholder)
        layout.addWidget(self.tabs, 1)
        self._actions = actions
        self.tabs.tabBar().installEventFilter(self)  # Alt+letter on a tab: the focus goes into it (eventFilter)
        self._reserve_width()
        self._show_empty()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt override
        """A tab chosen by its Alt letter (Alt+O: Consent) showed, but the focus stayed in the customer list,
        and Tab could not reach the tab's controls: after the switch, the focus goes to its first control."""
        if watched is self.tabs.tabBar() and event.type() == QEvent.Type.Shortcut:
            QTimer.singleShot(0, lambda: focus_first_control(self.tabs.currentWidget()))
        return super().eventFilter(watched, event)

    def _reserve_width(self) -> None:
        """Empty, the pane needs less than with a customer (their buttons, their tabs): it keeps the latter from
        the start, so that showing the first customer never widens a window made as narrow as it goes. What a
        tab holds beyond that scrolls (the Consent tab's table, in German ~450 px wide) rather than make the
        window too wide for a 1024-pixel screen."""
        shown = max(self._actions.minimumSize().width(), self.tabs.minimumSizeHint().width())
        self.setMinimumWidth(8 + shown)  # the layout's left margin

    # --- for the main window -------------------------------------------------------------------------------

    def add_tab(self, widget: QWidget, title: str) -> int:
        """Add a tab that follows the shown person: it gets `show_contact(id | None)` and `clear()` if it has them."""
        self._extra.append(widget)
        index = self.tabs.addTab(widget, title)
        self._reserve_width()
        self._tell_extra(self.contact_id)
        return index

    def _tell_extra(self, contact_id: int | None) -> None:
        for widget in self._extra:
            show = getattr(widget, "show_contact", None)
            if callable(show):
                show(contact_id)

    # --- showing -------------------------------------------------------------------------------------------

    @property
    def contact_id(self) -> int | None:
        return None if self._record is None else self._record.id

    @property
    def record(self) -> ContactRecord | None:
        return self._record

    def show_contact(self, contact_id: int | None) -> bool:
        """Open a person's record (an audited read), or show nothing for None. False if it cannot be read."""
        self.message.clear()
        if contact_id is None or not self.context.is_open or self.context.busy:
            self._show_empty()
            return False
        try:
            record = ContactService(self.context.session).get(contact_id)
        except CounterpartError as exc:
            self._show_empty()
            self.message.show_error(message_for(exc))
            return False
        self._record = record
        self.name.setText(record.display_name)
        self.number.setText(_("Customer no. {id}").format(id=record.id))
        self.overview.show_record(record)
        self.notes.set_notes(record.notes)
        self.refresh_related()
        for widget in (self.name, self.number, self.tabs, self.edit_button, self.delete_button):
            widget.show()
        self.placeholder.hide()
        self.restriction.show_contact(record.id)
        self._sync_restrict()
        self._tell_extra(record.id)
        return True

    def refresh_related(self) -> None:
        """Deals, activities and history again (after any change in the vault); not the audited record."""
        record = self._record
        if record is None or not self.context.is_open or self.context.busy:
            return
        session = self.context.session
        try:
            deals = DealService(session)
            stages = {stage.id: stage.name for pipeline in deals.pipelines() for stage in pipeline.stages}
            their_deals = deals.for_contact(record.id)
            self.deals.set_rows(deal_rows(their_deals, stages), ids=[deal.id for deal in their_deals])
            activities = ActivityService(session).for_contact(record.id)
            self.activities.set_rows(activity_rows(activities), ids=[activity.id for activity in activities])
            self._show_history(record)
        except CounterpartError as exc:
            self.message.show_error(message_for(exc))

    def _show_history(self, record: ContactRecord) -> None:
        if not self.context.can(Permission.VIEW_AUDIT):
            times = _("Added {created}. Last changed {updated}.").format(
                created=local_moment(record.created_at), updated=local_moment(record.updated_at)
            )
            self.history.set_rows([], note=times + "\n" + self.context.why_not(Permission.VIEW_AUDIT))
            return
        entries = audit_service.page(
            self.context.session,
            audit.AuditFilter(entity_type="contact", entity_id=str(record.id)),
            newest_first=True,
            limit=HISTORY_LIMIT,
        )
        note = (
            _("The latest {n} entries; the audit log under Privacy has them all.").format(n=HISTORY_LIMIT)
            if len(entries) == HISTORY_LIMIT
            else ""
        )
        self.history.set_rows(history_rows(entries), note=note)

    # --- editing a deal or an activity -------------------------------------------------------------------

    def edit_deal(self, deal_id: int) -> DealDialog | None:
        """The deal as it is in the vault now, in the Pipeline page's editor (the stage stays the board's)."""
        if not self._may_edit():
            return None

        def read() -> tuple[Deal, list[Pipeline]]:
            service = DealService(self.context.session)
            return service.get(deal_id), service.pipelines()

        try:
            deal, pipelines = quick_read(self.context, read)
        except Refused as exc:
            self.message.show_error(str(exc))
            return None
        pipeline = next((p for p in pipelines if p.id == deal.pipeline_id), None)
        if pipeline is None:
            return None
        return self._open(DealDialog(self.context, pipeline, deal.stage_id, deal.currency, self.window(), deal=deal))

    def edit_activity(self, activity_id: int) -> ActivityDialog | None:
        """The activity as it is in the vault now, in the Activities page's editor."""
        if not self._may_edit():
            return None
        try:
            activity = quick_read(self.context, lambda: ActivityService(self.context.session).get(activity_id))
        except Refused as exc:
            self.message.show_error(str(exc))
            return None
        return self._open(ActivityDialog(self.context, self.window(), activity=activity))

    def _may_edit(self) -> bool:
        """Say why instead of offering an editor the service would refuse to save."""
        self.message.clear()
        if not self.editable:
            self.message.show_info(self.context.why_not(Permission.EDIT_CUSTOMERS))
        return self.editable

    def _open(self, dialog: DialogT) -> DialogT:
        """Open an editor and remember it while open, so clear() can close it at lock time."""
        self._editors.append(dialog)
        dialog.finished.connect(lambda _result: self._editors.remove(dialog) if dialog in self._editors else None)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)  # one per edit: they do not pile up
        dialog.open()
        return dialog

    def _add_note(self, text: str, keep_reason: str = "") -> None:
        """Save a note; one that looks sensitive comes back refused, and the Notes tab asks what to do."""
        record = self._record
        if record is None or self.context.busy:
            return
        try:
            ContactService(self.context.session).add_note(record.id, text, keep_reason=keep_reason)
        except SensitiveTextFound as refusal:
            self.notes.show_findings(refusal)
            return
        except CounterpartError as exc:
            self.notes.message.show_error(message_for(exc))
            return
        self.notes.note_added(datetime.now(UTC).isoformat(timespec="seconds"), text.strip())
        self.context.changed.emit()

    # --- restricting processing (GDPR Art. 18; the banner above the tabs shows it and lifts it) ---------------

    def restrict(self) -> TextPromptDialog | None:
        """Ask why, then restrict processing of the shown person (the service checks the role and audits)."""
        record = self._record
        if record is None or self.context.busy or not self.restrict_button.isEnabled():
            return None
        session = self.context.session

        def submit(reason: str) -> None:
            RestrictionService(session).restrict(record.id, reason)

        dialog = TextPromptDialog(
            self.window(),
            _("Restrict processing"),
            _(
                "{name} stays in the vault, but is left out of marketing lists, exports, bulk actions and the "
                "retention "
                "sweep until the restriction is lifted (GDPR Art. 18)."
            ).format(name=record.display_name),
            _("&Reason:"),
            _("&Restrict"),
            submit,
            placeholder=_("e.g. the customer contests the address; an objection is being weighed"),
        )
        dialog.accepted.connect(self._restricted)
        self.restrict_dialog = self._open(dialog)
        return dialog

    def _restricted(self) -> None:
        self.restriction.show_contact(self.contact_id)
        self._sync_restrict()
        self.context.changed.emit()

    def _sync_restrict(self) -> None:
        """Offered for a person shown and not restricted now; a role that may not restrict sees why."""
        shown = self._record is not None
        self.restrict_button.setVisible(shown)
        if not self.context.can(Permission.HANDLE_REQUESTS):
            self.restrict_button.setEnabled(False)
            self.restrict_button.setToolTip(self.context.why_not(Permission.HANDLE_REQUESTS))
            return
        restricted = shown and not self.restriction.isHidden()
        self.restrict_button.setEnabled(shown and not restricted)
        self.restrict_button.setToolTip(
            _("Processing of this customer is restricted already: the banner above lifts it.")
            if restricted
            else _("Keep this customer but leave them out of lists, exports and marketing (GDPR Art. 18)")
        )

    def _emit(self, signal: SignalInstance) -> None:
        if self._record is not None:
            signal.emit(self._record.id)

    def _show_empty(self) -> None:
        self._record = None
        self.name.clear()
        self.number.clear()
        for tab in (self.overview, self.deals, self.activities, self.notes, self.history):
            tab.clear()
        for widget in (self.name, self.number, self.tabs, self.edit_button, self.delete_button):
            widget.hide()
        self.placeholder.show()
        self.restriction.show_contact(None)
        self._sync_restrict()
        self._tell_extra(None)

    def clear(self) -> None:
        """Forget the shown person everywhere, added tabs included, and close any open editor (lock)."""
        for dialog in list(self._editors):
            dialog.close()
        self._editors.clear()
        self._show_empty()
        self.message.clear()
        for widget in self._extra:
            clear = getattr(widget, "clear", None)
            if callable(clear):
                clear()
