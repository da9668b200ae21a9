"""Settings: My account for everyone; Users and Security only for roles that may use them."""

from __future__ import annotations

from PySide6.QtWidgets import QTabWidget, QVBoxLayout, QWidget

from app.access.roles import Permission
from app.locale import _
from ui.not_allowed import NotAllowedPage
from ui.privacy.backups_tab import BackupsTab
from ui.session_context import SessionContext
from ui.settings.account import AccountPage
from ui.settings.security import SecurityPage
from ui.settings.shop_details import ShopDetailsPage
from ui.settings.users import UsersPage
from ui.widgets import heading


class SettingsPage(QWidget):
    def __init__(self, context: SessionContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context = context
        self.tabs = QTabWidget(self)
        self.tabs.tabBar().setAccessibleName(_("Settings sections"))  # what a screen reader says on its tab bar
        self.tabs.setAccessibleName(_("Settings sections"))
        self.account = AccountPage(context, self)
        self.tabs.addTab(self.account, _("&My account"))
        self.users: UsersPage | None = None
        self.security: SecurityPage | None = None
        if context.can(Permission.MANAGE_USERS):
            self.users = UsersPage(context, self)
            self.users_tab = self.tabs.addTab(self.users, _("&Users"))
        else:
            self.users_tab = self._not_allowed(_("&Users"), Permission.MANAGE_USERS)
        if context.can(Permission.MANAGE_SECURITY) or context.can(Permission.MANAGE_SETTINGS):
            self.security = SecurityPage(context, self)
            self.security_tab = self.tabs.addTab(self.security, _("&Security"))
        else:
            self.security_tab = self._not_allowed(_("&Security"), Permission.MANAGE_SECURITY)
        self.backups: BackupsTab | None = BackupsTab(context, self)
        self.tabs.addTab(self.backups, _("&Backups"))
        self.shop = ShopDetailsPage(context, self)
        self.tabs.addTab(self.shop, _("Sh&op"))
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 12, 16, 12)
        layout.addWidget(heading(_("Settings"), self, 1.5))
        layout.addWidget(self.tabs, 1)

    def _not_allowed(self, title: str, permission: Permission) -> int:
        reason = self.context.why_not(permission)
        index = self.tabs.addTab(NotAllowedPage(reason, self), title)
        self.tabs.setTabEnabled(index, False)
        self.tabs.setTabToolTip(index, reason)
        return index

    def clear(self) -> None:
        self.shop.clear()
        if self.backups is not None:
            self.backups.clear()
        if self.users is not None:
            self.users.clear()
