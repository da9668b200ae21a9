"""Privacy: for now the audit log; consent, retention and subject requests join it later as tabs."""

from __future__ import annotations

from PySide6.QtWidgets import QTabWidget, QVBoxLayout, QWidget

from app.access.roles import Permission
from app.locale import _
from ui.pages.audit_log import AuditLogView
from ui.pages.placeholder import NotAllowedPage
from ui.session_context import SessionContext
from ui.widgets import heading


class PrivacyPage(QWidget):
    def __init__(self, context: SessionContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.tabs = QTabWidget(self)
        self.tabs.setAccessibleName(_("Privacy sections"))
        self.audit_view: AuditLogView | None = None
        if context.can(Permission.VIEW_AUDIT):
            self.audit_view = AuditLogView(context, self)
            self.tabs.addTab(self.audit_view, _("&Audit log"))
        else:
            index = self.tabs.addTab(NotAllowedPage(context.why_not(Permission.VIEW_AUDIT), self), _("&Audit log"))
            self.tabs.setTabToolTip(index, context.why_not(Permission.VIEW_AUDIT))
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 12, 16, 12)
        layout.addWidget(heading(_("Privacy"), self, 1.5))
        layout.addWidget(self.tabs, 1)

    def clear(self) -> None:
        if self.audit_view is not None:
            self.audit_view.clear()
