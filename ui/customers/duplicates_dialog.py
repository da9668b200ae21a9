"""Find duplicates: groups of people sharing an email address or phone number, and merging a group into the
record chosen to keep. Finding runs on the worker (it looks at every contact detail); a merge cannot be
undone, so it is confirmed first and says what moves where.
"""

from __future__ import annotations

import re

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.crm.contacts import ContactSummary
from app.crm.duplicates import MERGE_PERMISSION, may_merge
from app.locale import _, ngettext
from ui.dialogs import confirm
from ui.operation import message_for
from ui.operations.customers import GROUP_LIMIT, find_groups, merge_into
from ui.session_context import SessionContext
from ui.widgets import MessageLine, busy_bar, paragraph

ID_ROLE = Qt.ItemDataRole.UserRole


def shared_detail(members: list[ContactSummary]) -> str:
    """What the group has in common, in words (the finder matches any email or phone, not only these)."""
    emails = {(m.email or "").casefold() for m in members}
    if len(emails) == 1 and "" not in emails:
        return _("same email address {email}").format(email=members[0].email)
    phones = {re.sub(r"\D", "", m.phone or "")[-9:] for m in members}
    if len(phones) == 1 and "" not in phones:
        return _("same phone number {phone}").format(phone=members[0].phone)
    return _("share an email address or phone number")


class DuplicatesDialog(QDialog):
    def __init__(self, context: SessionContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context = context
        self.setWindowTitle(_("Find duplicates"))
        self.groups: list[list[ContactSummary]] = []
        intro = paragraph(
            _(
                "These customers share an email address or a phone number. Select the record to "
                "keep in a group, then merge: the other records' contact details, notes, tags, deals "
                "and activities move to it, and the other records are removed. A merge cannot be "
                "undone."
            ),
            self,
        )
        self.tree = QTreeWidget(self)
        self.tree.setAccessibleName(_("Groups of possible duplicates"))
        self.tree.setColumnCount(5)
        self.tree.setHeaderLabels([_("Name"), _("No."), _("Email"), _("Phone"), _("Organisation")])
        self.tree.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.tree.setAlternatingRowColors(True)
        self.tree.header().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.tree.header().setStretchLastSection(True)
        self.tree.currentItemChanged.connect(lambda *_args: self._update_button())
        self.tree.itemActivated.connect(lambda *_args: self.ask_merge())
        self.status = QLabel(self)
        self.status.setWordWrap(True)
        self.busy = busy_bar(self)
        self.message = MessageLine(self)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        self.merge_button = self.buttons.addButton(
            _("&Keep selected, merge the others…"), QDialogButtonBox.ButtonRole.ActionRole
        )
        self.merge_button.setAccessibleName(_("Keep the selected customer and merge the rest of its group into it"))
        self.merge_button.clicked.connect(self.ask_merge)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.tree, 1)
        layout.addWidget(self.status)
        layout.addWidget(self.busy)
        layout.addWidget(self.message)
        layout.addWidget(self.buttons)
        self.resize(860, 520)
        self._update_button()

    # --- finding -------------------------------------------------------------------------------------------

    def load(self) -> None:
        if self.context.busy or not self.context.is_open:
            return
        session = self.context.session
        self.busy.show()
        self.status.setText(_("Looking for customers entered more than once…"))
        self.context.run(
            find_groups(session),
            description=_("Finding duplicates…"),
            on_done=self.show_groups,
            on_error=self._failed,
            changes_data=False,
        )

    def show_groups(self, groups: list[list[ContactSummary]]) -> None:
        self.busy.hide()
        self.groups = groups
        self.tree.clear()
        for number, members in enumerate(groups, 1):
            top = QTreeWidgetItem(
                [
                    _("Group {n}: {count} customers, {shared}").format(
                        n=number, count=len(members), shared=shared_detail(members)
                    )
                ]
            )
            top.setFlags(Qt.ItemFlag.ItemIsEnabled)
            font = top.font(0)
            font.setBold(True)
            top.setFont(0, font)
            for member in members:
                child = QTreeWidgetItem(
                    [member.name, str(member.id), member.email or "", member.phone or "", member.organisation or ""]
                )
                child.setData(0, ID_ROLE, member.id)
                child.setTextAlignment(1, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                top.addChild(child)
            self.tree.addTopLevelItem(top)
            top.setFirstColumnSpanned(True)
            top.setExpanded(True)
        if groups:
            self.status.setText(
                ngettext("{n} group of possible duplicates.", "{n} groups of possible duplicates.", len(groups)).format(
                    n=len(groups)
                )
                + (
                    " " + _("Only the first {n} groups are shown; merge some and look again.").format(n=GROUP_LIMIT)
                    if len(groups) >= GROUP_LIMIT
                    else ""
                )
            )
            first = self.tree.topLevelItem(0)
            first_member = first.child(0) if first is not None else None
            if first_member is not None:
                self.tree.setCurrentItem(first_member)
        else:
            self.status.setText(_("No duplicates found: no two customers share an email address or phone number."))
        self._update_button()

    def _failed(self, exc: object) -> None:
        self.busy.hide()
        self.status.clear()
        self.message.show_error(message_for(exc))

    # --- merging -------------------------------------------------------------------------------------------

    def selection(self) -> tuple[ContactSummary, list[ContactSummary]] | None:
        """The member chosen to keep and the others of its group."""
        item = self.tree.currentItem()
        parent = item.parent() if item is not None else None
        if item is None or parent is None:
            return None
        members = self.groups[self.tree.indexOfTopLevelItem(parent)]
        keep_id = item.data(0, ID_ROLE)
        keep = next(m for m in members if m.id == keep_id)
        return keep, [m for m in members if m.id != keep_id]

    def _update_button(self) -> None:
        if not may_merge(self.context.session):  # app/crm/duplicates decides who may
            self.merge_button.setEnabled(False)
            self.merge_button.setToolTip(
                self.context.why_not(MERGE_PERMISSION) + " " + _("Merging removes records for good.")
            )
            return
        chosen = self.selection()
        self.merge_button.setEnabled(chosen is not None)
        self.merge_button.setToolTip("" if chosen is not None else _("Select the customer to keep in a group."))

    def ask_merge(self) -> None:
        chosen = self.selection()
        if chosen is None or not self.merge_button.isEnabled() or self.context.busy:
            return
        keep, others = chosen
        names = ", ".join(_("{name} (no. {id})").format(name=o.name, id=o.id) for o in others)
        confirm(
            self,
            _("Merge customers"),
            _("Merge {others} into {keep} (no. {id})?").format(others=names, keep=keep.name, id=keep.id),
            _("&Merge"),
            lambda: self.merge(keep.id, [o.id for o in others]),
            _(
                "Their contact details, notes, tags, deals and activities move to {keep}; the other records are "
                "removed. This cannot be undone."
            ).format(keep=keep.name),
            destructive=True,
        )

    def merge(self, keep_id: int, other_ids: list[int]) -> None:
        if self.context.busy:
            return
        self.busy.show()
        self.message.clear()
        self.context.run(
            merge_into(self.context.session, keep_id, other_ids),
            description=_("Merging customers…"),
            on_done=self._merged,
            on_error=self._failed,
        )

    def _merged(self, count: int) -> None:
        self.busy.hide()
        self.message.show_info(ngettext("Merged {n} record.", "Merged {n} records.", count).format(n=count))
        self.load()

    def clear(self) -> None:
        self.groups = []
        self.tree.clear()
        self.status.clear()
        self.message.clear()
