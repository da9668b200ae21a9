"""The signed-in window: a sidebar of pages, menus, and a status bar that says who is signed in and how
the vault is protected. It holds no state the controller cannot throw away at lock time."""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import (
    QApplication,
    QFrame,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from app.locale import _, formatting
from ui.about_dialog import show_about
from ui.consent.panel import ConsentPanel
from ui.customers.page import CustomersPage
from ui.dashboard.page import DashboardPage
from ui.help import HelpWindow, guide_page_for, show_guide
from ui.notice_bar import NoticeBar
from ui.privacy.page import PrivacyPage
from ui.resources import app_icon, icon
from ui.sales.activities_page import ActivitiesPage
from ui.sales.pipeline_page import PipelinePage
from ui.session_context import SessionContext
from ui.settings.page import SettingsPage
from ui.widgets import busy_bar, focus_first_control

PAGES = ("dashboard", "customers", "pipeline", "activities", "privacy", "settings")


class MainWindow(QMainWindow):
    lock_requested = Signal()
    switch_user_requested = Signal()
    quit_requested = Signal()
    idle_minutes_changed = Signal(int)
    restore_requested = Signal(str, str, object, object)  # backup folder, user, password, recovery key

    def __init__(self, context: SessionContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context = context
        self.discarded = False  # set by the controller at lock time: closing then is not quitting
        self._busy_description = ""  # what the running operation is doing, as the status bar says it
        user = context.session.user
        # The vault's name only: Qt adds the application's display name ("shop.vault — Counterpart" on Linux and
        # Windows; macOS shows it in the menu bar), so naming the app here too showed it twice.
        self.setWindowTitle(context.session.vault.paths.database.name)
        self.setWindowIcon(app_icon())
        self._build_pages()
        self._build_menus()
        self._build_status(user.name, user.role.label(), context.session.vault.keychain_bound)
        context.busy_changed.connect(self._busy_changed)
        context.progressed.connect(self._progressed)
        self.resize(1100, 720)

    # --- building ------------------------------------------------------------------------------------------

    def _build_pages(self) -> None:
        context = self.context
        self.privacy = PrivacyPage(context, self)
        self.settings = SettingsPage(context, self)
        self.privacy.settings_tab.connect(self.show_settings_tab)
        if self.settings.security is not None:
            self.settings.security.idle_minutes_changed.connect(self.idle_minutes_changed)
        if self.settings.backups is not None:
            self.settings.backups.restore_requested.connect(self.restore_requested)
        self.customers = CustomersPage(context, self)
        self.consent_panel = ConsentPanel(context)
        self.customers.detail.add_tab(self.consent_panel, _("C&onsent"))
        self.consent_panel.customer_created.connect(lambda _id: self.customers.refresh())
        self.dashboard = DashboardPage(context, self)
        self.pipeline = PipelinePage(context, self)
        self.activities = ActivitiesPage(context, self)
        self.dashboard.open_activities.connect(lambda: self.show_page("activities"))
        self.notices = NoticeBar(self)
        self.activities.reminder.connect(lambda _id, text: self.notices.add(text))
        pages = {
            "dashboard": (_("Dashboard"), self.dashboard),
            "customers": (_("Customers"), self.customers),
            "pipeline": (_("Pipeline"), self.pipeline),
            "activities": (_("Activities"), self.activities),
            "privacy": (_("Privacy"), self.privacy),
            "settings": (_("Settings"), self.settings),
        }
        self.sidebar = QListWidget(self)
        self.sidebar.setAccessibleName(_("Sections"))
        self.sidebar.setIconSize(QSize(20, 20))
        self.stack = QStackedWidget(self)
        for key in PAGES:
            title, page = pages[key]
            item = QListWidgetItem(icon(key), title)
            item.setData(Qt.ItemDataRole.UserRole, key)
            item.setSizeHint(QSize(0, 36))
            self.sidebar.addItem(item)
            self.stack.addWidget(page)
        self.sidebar.currentRowChanged.connect(self.stack.setCurrentIndex)
        self.sidebar.setFixedWidth(190)
        self.lock_button = QPushButton(icon("lock"), _("Lock"), self)
        self.lock_button.setAccessibleName(_("Lock the vault"))
        self.lock_button.setToolTip(_("Lock now (Ctrl+L): the next person signs in again."))
        self.lock_button.clicked.connect(self.lock_requested)
        self.lock_button.setFixedWidth(190)
        side = QVBoxLayout()
        side.setContentsMargins(0, 0, 0, 0)
        side.addWidget(self.sidebar, 1)
        side.addWidget(self.lock_button)
        central = QWidget(self)
        row = QHBoxLayout(central)
        row.setContentsMargins(8, 8, 8, 0)
        row.addLayout(side)
        main = QVBoxLayout()
        main.setContentsMargins(0, 0, 0, 0)
        main.addWidget(self.notices)
        main.addWidget(self.stack, 1)
        row.addLayout(main, 1)
        self.setCentralWidget(central)
        self.sidebar.setCurrentRow(0)

    def _build_menus(self) -> None:
        file_menu = self.menuBar().addMenu(_("&File"))
        self.lock_action = QAction(_("&Lock"), self)
        self.lock_action.setShortcut(QKeySequence("Ctrl+L"))
        self.lock_action.triggered.connect(self.lock_requested)
        self.switch_action = QAction(_("&Switch user"), self)
        self.switch_action.setShortcut(QKeySequence("Ctrl+Shift+L"))
        self.switch_action.triggered.connect(self.switch_user_requested)
        self.quit_action = QAction(_("&Quit"), self)
        self.quit_action.setShortcut(QKeySequence("Ctrl+Q"))
        self.quit_action.setMenuRole(QAction.MenuRole.QuitRole)
        self.quit_action.triggered.connect(self.quit_requested)
        file_menu.addAction(self.lock_action)
        file_menu.addAction(self.switch_action)
        file_menu.addSeparator()
        file_menu.addAction(self.quit_action)
        go_menu = self.menuBar().addMenu(_("&Go"))
        for row, key in enumerate(PAGES):
            action = QAction(self.sidebar.item(row).text(), self)
            action.setShortcut(QKeySequence(f"Ctrl+{row + 1}"))
            action.triggered.connect(lambda _checked=False, k=key: self.go_to(k))
            go_menu.addAction(action)
        help_menu = self.menuBar().addMenu(_("&Help"))
        self.guide_action = QAction(_("&User guide"), self)
        self.guide_action.setShortcut(QKeySequence(QKeySequence.StandardKey.HelpContents))  # F1: this screen's page
        self.guide_action.triggered.connect(self.show_guide)
        help_menu.addAction(self.guide_action)
        self.about_action = QAction(_("&About Counterpart…"), self)
        self.about_action.setMenuRole(QAction.MenuRole.AboutRole)
        self.about_action.triggered.connect(lambda: show_about(self))
        about_qt = QAction(_("About &Qt"), self)
        about_qt.setMenuRole(QAction.MenuRole.AboutQtRole)
        about_qt.triggered.connect(QApplication.aboutQt)
        help_menu.addAction(self.about_action)
        help_menu.addAction(about_qt)

    def _build_status(self, name: str, role: str, keychain_bound: bool) -> None:
        status = self.statusBar()
        self.busy = busy_bar(self)
        self.busy.setMaximumWidth(160)
        self.busy_text = QLabel(self)
        self.cancel_button = QPushButton(_("Cance&l"), self)  # for work that can stop
        self.cancel_button.setAccessibleName(_("Cancel the running work"))
        self.cancel_button.clicked.connect(self._cancel)
        self.cancel_button.hide()
        status.addWidget(self.busy)
        status.addWidget(self.busy_text)
        status.addWidget(self.cancel_button)
        self.backup_label = QLabel(self)  # when the last good backup was made, or what is wrong with backups
        status.addPermanentWidget(self.backup_label)
        self.user_label = QLabel(_("Signed in: {user} ({role})").format(user=name, role=role), self)
        self.user_label.setAccessibleName(self.user_label.text())
        status.addPermanentWidget(self.user_label)
        separator = QFrame(self)
        separator.setFrameShape(QFrame.Shape.VLine)
        separator.setFrameShadow(QFrame.Shadow.Sunken)
        status.addPermanentWidget(separator)
        self.protection_label = QLabel(self)
        if keychain_bound:
            self.protection_label.setText(_("Protection: password + keychain"))
        else:
            self.protection_label.setText(_("⚠ Password only: not tied to this computer"))
            self.protection_label.setToolTip(
                _("Anyone who has the vault file and a password can open it on any computer. See Settings › Security.")
            )
        self.protection_label.setAccessibleName(self.protection_label.text())
        status.addPermanentWidget(self.protection_label)

    # --- pages ---------------------------------------------------------------------------------------------

    def current_page(self) -> str:
        return PAGES[max(self.sidebar.currentRow(), 0)]

    def show_page(self, key: str) -> None:
        if key in PAGES:
            self.sidebar.setCurrentRow(PAGES.index(key))

    def go_to(self, key: str) -> None:
        """Go › page (Ctrl+1…): the page, with focus on where its work starts (the Customers page's search,
        else its first control), not wherever the focus chain happened to lead (Export CSV…)."""
        self.show_page(key)
        page = self.page(key)
        first = getattr(page, "first_focus", None)
        if isinstance(first, QWidget) and first.isEnabled():
            first.setFocus(Qt.FocusReason.ShortcutFocusReason)
        else:
            focus_first_control(page)

    def show_privacy_tab(self, tab: QWidget) -> None:
        """Privacy, at `tab` (a notice's "Show me")."""
        self.show_page("privacy")
        self.privacy.tabs.setCurrentWidget(tab)

    def show_settings_tab(self, name: str) -> None:
        """Settings at its "backups" or "shop" tab (a Privacy › Health line's button)."""
        self.show_page("settings")
        tab = {"backups": self.settings.backups, "shop": self.settings.shop}.get(name)
        if tab is not None:
            self.settings.tabs.setCurrentWidget(tab)

    def page(self, key: str) -> QWidget:
        page = self.stack.widget(PAGES.index(key))
        assert page is not None
        return page

    def show_guide(self) -> HelpWindow:
        """The user guide at the page about the screen shown (F1)."""
        return show_guide(self, guide_page_for(self))

    # --- busy, lock, quit ----------------------------------------------------------------------------------

    def _busy_changed(self, busy: bool, description: str) -> None:
        """While a worker holds the connection, nothing in the window may query it (see ui/operation.py); the
        status bar says what runs, how far it is, and offers Cancel when it can stop."""
        central = self.centralWidget()
        if central is not None:
            central.setEnabled(not busy)
        self._busy_description = description if busy else ""
        self.busy.setRange(0, 0)
        self.busy.setVisible(busy)
        self.busy_text.setText(self._busy_description)
        cancellable = busy and self.context.cancellable
        self.cancel_button.setEnabled(True)
        self.cancel_button.setVisible(cancellable)
        if cancellable:
            self.cancel_button.setFocus()  # the rest of the window is disabled: Space cancels, Alt+L too

    def _progressed(self, done: int, total: int) -> None:
        if not self.context.busy:
            return
        if total > 0:
            self.busy.setRange(0, total)
            self.busy.setValue(done)
        elif done > 0:  # a count without a total: said in words
            self.busy_text.setText(f"{self._busy_description} {formatting.count(done)}")

    def _cancel(self) -> None:
        self.context.cancel()
        self.cancel_button.setEnabled(False)
        self.busy_text.setText(_("Stopping after the current step…"))

    def say(self, text: str) -> None:
        self.busy_text.setText(text)

    def clear(self) -> None:
        """Forget every row the views hold, and the notices (lock)."""
        self.notices.dismiss()
        for page in (self.dashboard, self.customers, self.pipeline, self.activities, self.privacy, self.settings):
            page.clear()

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 - Qt override
        if self.discarded:
            event.accept()
            return
        event.ignore()
        self.quit_requested.emit()
