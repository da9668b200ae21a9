"""Help › User guide: the guide's pages (app/guide.py) in the program's language, a list of them beside the page
shown. Not modal: it stays open beside the window it explains, and one window serves every F1 press.

F1 in the main window opens the page about the screen shown: GUIDE_FOR_PLACE maps a place (a sidebar page, or
page/tab) to a guide page; any other place gets Getting started.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, QUrl
from PySide6.QtGui import (
    QDesktopServices,
    QKeyEvent,
    QKeySequence,
    QShortcut,
    QTextBlockFormat,
    QTextCursor,
)
from PySide6.QtWidgets import QHBoxLayout, QListWidget, QListWidgetItem, QTabWidget, QTextBrowser, QWidget

from app import guide
from app.locale import _, current_language
from ui.consent.labels import font_for_language
from ui.resources import app_icon
from ui.script_fonts import ensure_fonts

if TYPE_CHECKING:
    from ui.main_window import MainWindow

# Where the main window is (see place_of) -> the guide page about it.
GUIDE_FOR_PLACE = {
    "customers": "importing",
    "customers/consent": "consent",  # a customer's Consent tab: hand to customer, record consent
    "privacy/consent": "consent",
    "privacy/requests": "requests",
    "settings/users": "staff",  # disabling someone who leaves, and the rekey that follows
    "settings/security": "backups",  # the recovery kit and rekey
    "settings/backups": "backups",
}


def place_of(window: MainWindow) -> str:
    """The sidebar page shown ("customers"), or "page/tab" when the tab shown there has a guide page of its own."""
    page = window.current_page()
    tabs: list[tuple[QTabWidget, str, QWidget | None]] = []
    if page == "customers":
        tabs = [(window.customers.detail.tabs, "consent", window.consent_panel)]
    elif page == "privacy":
        privacy = window.privacy
        tabs = [
            (privacy.tabs, "consent", privacy.tabs.widget(privacy.consent_tab)),
            (privacy.tabs, "requests", privacy.requests),
        ]
    elif page == "settings":
        settings = window.settings
        tabs = [
            (settings.tabs, "users", settings.tabs.widget(settings.users_tab)),
            (settings.tabs, "security", settings.tabs.widget(settings.security_tab)),
            (settings.tabs, "backups", settings.backups),
        ]
    for tab_widget, name, widget in tabs:
        if widget is not None and not tab_widget.isHidden() and tab_widget.currentWidget() is widget:
            return f"{page}/{name}"
    return page


def guide_page_for(window: MainWindow) -> str:
    return GUIDE_FOR_PLACE.get(place_of(window), guide.DEFAULT_PAGE)


class HelpWindow(QWidget):
    """The guide: pages listed on the left (titles in the program's language), the page on the right."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent, Qt.WindowType.Window)
        self.setWindowIcon(app_icon())
        self.page = guide.DEFAULT_PAGE
        self.language = guide.FALLBACK_LANGUAGE  # of the text shown
        self.listed_in: str | None = None  # the program language the page list was made in
        self.pages = QListWidget(self)
        self.pages.setSpacing(3)
        self.pages.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.pages.currentItemChanged.connect(self._chosen)
        self.browser = QTextBrowser(self)
        self.browser.setOpenLinks(False)  # links between pages are handled here, web links go to the browser
        self.browser.anchorClicked.connect(self._link)
        self.browser.document().setDocumentMargin(16)
        layout = QHBoxLayout(self)
        layout.addWidget(self.pages)
        layout.addWidget(self.browser, 1)
        QShortcut(QKeySequence(QKeySequence.StandardKey.Close), self).activated.connect(self.close)
        self.resize(920, 680)
        self.show_page(self.page)

    def show_page(self, page: str) -> None:
        """Show `page` in the program's language as it is now (English where that page is not translated)."""
        shown = guide.read_page(page, current_language())
        self.page, self.language = page, shown.language
        self.setWindowTitle(_("Counterpart user guide"))
        self.pages.setAccessibleName(_("Pages of the user guide"))
        ensure_fonts(shown.language)
        font = font_for_language(self.font(), shown.language)
        self.browser.setFont(font)
        self.browser.document().setDefaultFont(font)
        self.browser.setMarkdown(shown.text)
        self._space_headings()
        self.browser.setAccessibleName(shown.title)
        if self.listed_in != current_language():
            self._list_pages()  # titles only change with the language; reading every page per click is waste
        else:
            self._mark_current()

    def _space_headings(self) -> None:
        """Air above each section heading, so the sections of a page read as steps apart."""
        block = self.browser.document().firstBlock()
        while block.isValid():
            if block.blockFormat().headingLevel() >= 2:
                spacing = QTextBlockFormat()
                spacing.setTopMargin(14)
                spacing.setBottomMargin(4)
                QTextCursor(block).mergeBlockFormat(spacing)
            block = block.next()

    def _list_pages(self) -> None:
        self.pages.blockSignals(True)
        try:
            self.pages.clear()
            language = self.listed_in = current_language()
            for key in guide.PAGES:
                item = QListWidgetItem(guide.read_page(key, language).title, self.pages)
                item.setData(Qt.ItemDataRole.UserRole, key)
                if key == self.page:
                    self.pages.setCurrentItem(item)
        finally:
            self.pages.blockSignals(False)
        widest = max(
            self.pages.fontMetrics().horizontalAdvance(self.pages.item(row).text()) for row in range(self.pages.count())
        )
        self.pages.setFixedWidth(min(max(widest + 36, 180), 340))  # every title whole, in any language

    def _mark_current(self) -> None:
        for row in range(self.pages.count()):
            item = self.pages.item(row)
            if item.data(Qt.ItemDataRole.UserRole) == self.page and self.pages.currentItem() is not item:
                self.pages.blockSignals(True)
                self.pages.setCurrentItem(item)
                self.pages.blockSignals(False)

    def _chosen(self, item: QListWidgetItem | None, _previous: QListWidgetItem | None) -> None:
        if item is not None and item.data(Qt.ItemDataRole.UserRole) != self.page:
            self.show_page(str(item.data(Qt.ItemDataRole.UserRole)))

    def _link(self, url: QUrl) -> None:
        page = guide.page_of_link(url.toString())
        if page is not None:
            self.show_page(page)
        elif url.scheme() in ("http", "https", "mailto"):
            QDesktopServices.openUrl(url)

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 - Qt override
        """Escape closes the guide, as it closes a dialog."""
        if event.key() == Qt.Key.Key_Escape:
            self.close()
        else:
            super().keyPressEvent(event)

    def title(self) -> str:
        """The first heading of the page as the browser holds it (rendered, then written back as Markdown)."""
        return guide.title_of(self.browser.toMarkdown())


def show_guide(parent: QWidget, page: str) -> HelpWindow:
    """Open the guide at `page`, reusing the guide window `parent` already has."""
    window = parent.findChild(HelpWindow)
    if window is None:
        window = HelpWindow(parent)
    window.show_page(page)
    window.show()
    window.raise_()
    window.activateWindow()
    return window
