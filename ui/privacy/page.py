"""Privacy: the audit log, consent settings, subject requests, retention, legal holds and the breach register,
as tabs.
Each tab checks the role itself and says why when it may not be used."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QTabWidget, QVBoxLayout, QWidget

from app.access.roles import Permission
from app.locale import _
from ui.consent.audience import AudienceView
from ui.consent.settings_page import ConsentSettingsView
from ui.not_allowed import NotAllowedPage
from ui.privacy.audit_log import AuditLogView
from ui.privacy.breach_tab import BreachTab
from ui.privacy.datamap_tab import DataMapTab
from ui.privacy.health_tab import HealthTab
from ui.privacy.holds_tab import HoldsTab
from ui.privacy.notice_tasks_tab import NoticeTasksTab
from ui.privacy.requests_tab import RequestsTab
from ui.privacy.retention_tab import RetentionTab
from ui.session_context import SessionContext
from ui.widgets import heading


class PrivacyPage(QWidget):
    settings_tab = Signal(str)  # Privacy › Health sends people to Settings › Backups or Shop ("backups", "shop")

    def __init__(self, context: SessionContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.tabs = QTabWidget(self)
        self.tabs.tabBar().setAccessibleName(_("Privacy sections"))  # what a screen reader says on its tab bar
        self.tabs.setAccessibleName(_("Privacy sections"))
        self.audit_view: AuditLogView | None = None
        if context.can(Permission.VIEW_AUDIT):
            self.audit_view = AuditLogView(context, self)
            self.tabs.addTab(self.audit_view, _("&Audit log"))
        else:
            index = self.tabs.addTab(NotAllowedPage(context.why_not(Permission.VIEW_AUDIT), self), _("&Audit log"))
            self.tabs.setTabToolTip(index, context.why_not(Permission.VIEW_AUDIT))
        self.consent_view: ConsentSettingsView | None = None
        if context.can(Permission.VIEW_CUSTOMERS):  # everyone reads them; only the owner changes them
            self.consent_view = ConsentSettingsView(context, self)
            self.consent_tab = self.tabs.addTab(self.consent_view, _("C&onsent"))
        else:
            self.consent_tab = self.tabs.addTab(
                NotAllowedPage(context.why_not(Permission.VIEW_CUSTOMERS), self), _("C&onsent")
            )
            self.tabs.setTabToolTip(self.consent_tab, context.why_not(Permission.VIEW_CUSTOMERS))
        self.lists = AudienceView(context, self)
        self.tabs.addTab(self.lists, _("L&ists"))
        self.requests = RequestsTab(context, self)
        self.tabs.addTab(self.requests, _("Re&quests"))
        self.retention = RetentionTab(context, self)
        self.tabs.addTab(self.retention, _("Rete&ntion"))
        self.holds = HoldsTab(context, self)
        self.tabs.addTab(self.holds, _("Legal hol&ds"))  # Alt+H is the Help menu
        self.breaches = BreachTab(context, self)
        self.tabs.addTab(self.breaches, _("&Breaches"))
        self.notice_tasks = NoticeTasksTab(context, self)
        self.tabs.addTab(self.notice_tasks, _("Notice tas&ks"))  # GDPR Art. 14: people from imported files
        self.datamap = DataMapTab(context, self)
        self.tabs.addTab(self.datamap, _("Data o&verview"))  # the data map: each field, its purpose and retention
        self.health = HealthTab(context, self)
        # Alt+Y: every letter of "Health" is taken on some tab of this page (or by the Help menu)
        self.tabs.addTab(self.health, _("Privac&y health"))
        self.health.go.connect(self.open_place)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 12, 16, 12)
        layout.addWidget(heading(_("Privacy"), self, 1.5))
        layout.addWidget(self.tabs, 1)

    def open_place(self, place: str) -> None:
        """Where a Privacy › Health line is fixed: a tab here, or a Settings tab (app.privacy.health.PLACES)."""
        tabs = {
            "lists": self.lists,
            "requests": self.requests,
            "retention": self.retention,
            "consent": self.consent_view,
        }
        tab = tabs.get(place)
        if tab is not None:
            self.tabs.setCurrentWidget(tab)
        elif place in ("backups", "shop"):
            self.settings_tab.emit(place)

    def clear(self) -> None:
        for tab in (
            self.lists,
            self.requests,
            self.retention,
            self.holds,
            self.breaches,
            self.notice_tasks,
            self.health,
            self.datamap,
        ):
            tab.clear()
        if self.audit_view is not None:
            self.audit_view.clear()
        if self.consent_view is not None:
            self.consent_view.clear()
