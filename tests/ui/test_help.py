"""Help › User guide: F1 opens the guide at the page about the screen shown, in the program's language; About keeps
its menu entry without F1; every page renders as formatted text."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QKeySequence, QTextCursor, QTextDocument
from PySide6.QtWidgets import QApplication

from app import guide
from app.crm.contacts import ContactInput, ContactService
from app.locale import set_language
from app.locale.i18n import SUPPORTED_LANGUAGES
from tests.conftest import OWNER, OWNER_PASSWORD
from tests.ui_helpers import make_controller, shot, shutdown, unlock_as, wait_until
from ui.controller import AppController
from ui.help import GUIDE_FOR_PLACE, HelpWindow, place_of
from ui.main_window import MainWindow


def _signed_in(qtbot, tmp_path: Path, vault: Path) -> AppController:  # type: ignore[no-untyped-def]
    controller = make_controller(tmp_path)
    unlock_as(qtbot, controller.show_unlock(vault), OWNER, OWNER_PASSWORD)
    wait_until(qtbot, lambda: controller.main_window is not None)
    main = controller.main_window
    main.activateWindow()
    qtbot.waitActive(main)  # shortcuts go to the active window
    return controller


def _press_f1(qtbot, main: MainWindow) -> HelpWindow:  # type: ignore[no-untyped-def]
    main.activateWindow()  # from the guide window, if it has the keyboard
    wait_until(qtbot, lambda: QApplication.activeWindow() is main)
    qtbot.keyClick(main, Qt.Key.Key_F1)
    help_window = main.findChild(HelpWindow)
    assert help_window is not None, "F1 opened no guide"
    qtbot.waitExposed(help_window)
    QApplication.processEvents()  # lay the page out, as the event loop would before anyone looks
    return help_window


def _heading(language: str, page: str) -> str:
    return guide.read_page(page, language).title


def test_f1_opens_the_guide_page_about_the_screen_shown(qtbot, tmp_path: Path, new_vault) -> None:  # type: ignore[no-untyped-def]
    controller = _signed_in(qtbot, tmp_path, new_vault[0])
    main = controller.main_window
    try:
        assert main.current_page() == "dashboard"
        help_window = _press_f1(qtbot, main)
        assert help_window.isVisible() and not help_window.isModal()
        assert (help_window.page, help_window.title()) == ("getting-started", "Getting started")
        assert help_window.windowTitle() == "Counterpart user guide"
        assert help_window.pages.currentItem().text() == "Getting started"
        assert [help_window.pages.item(i).text() for i in range(help_window.pages.count())] == [
            _heading("en", page) for page in guide.PAGES
        ]
        shot(help_window, "help-getting-started-en")

        main.show_privacy_tab(main.privacy.requests)
        assert place_of(main) == "privacy/requests"
        assert _press_f1(qtbot, main) is help_window  # one guide window, turned to the page
        assert (help_window.page, help_window.title()) == ("requests", "Privacy requests")
        assert "**" not in help_window.browser.toPlainText()
        shot(help_window, "help-requests-en")

        main.show_page("settings")
        main.settings.tabs.setCurrentWidget(main.settings.backups)
        assert _press_f1(qtbot, main).page == "backups"
        tab_bar = main.settings.tabs.tabBar()
        qtbot.mouseClick(tab_bar, Qt.MouseButton.LeftButton, pos=tab_bar.tabRect(main.settings.users_tab).center())
        assert main.settings.tabs.currentWidget() is main.settings.users
        assert (_press_f1(qtbot, main).page, help_window.title()) == ("staff", "Staff logins")
        main.show_page("customers")
        assert _press_f1(qtbot, main).page == "importing"
        session = controller.context.session
        lena = ContactService(session).create(ContactInput(given_name="Lena", family_name="Fischer"))
        assert main.customers.detail.show_contact(lena)
        main.customers.detail.tabs.setCurrentWidget(main.consent_panel)
        assert place_of(main) == "customers/consent"
        assert _press_f1(qtbot, main).title() == "Consent at the counter"

        main.show_page("pipeline")
        set_language("de")
        help_window = _press_f1(qtbot, main)
        assert (help_window.language, help_window.title()) == ("de", "Erste Schritte")
        assert help_window.pages.item(guide.PAGES.index("requests")).text() == "Datenschutzanfragen"
        main.show_privacy_tab(main.privacy.requests)
        assert _press_f1(qtbot, main).title() == "Datenschutzanfragen"
        shot(help_window, "help-requests-de")

        set_language("zh_CN")
        main.show_page("dashboard")
        help_window = _press_f1(qtbot, main)
        assert (help_window.language, help_window.title()) == ("zh_CN", "快速入门")
        shot(help_window, "help-getting-started-zh_CN")
    finally:
        set_language("en")
        shutdown(controller)
    QApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)  # the lock deletes the window and its guide
    assert not [w for w in QApplication.topLevelWidgets() if isinstance(w, HelpWindow) and w.isVisible()]


def _click_link(qtbot, window: HelpWindow, href: str) -> None:  # type: ignore[no-untyped-def]
    """Click the link to `href` on the page shown, where a person would: scrolled into view, on its text."""
    block = window.browser.document().begin()
    while block.isValid():
        fragments = block.begin()
        while not fragments.atEnd():
            fragment = fragments.fragment()
            if fragment.charFormat().anchorHref() == href:
                cursor = QTextCursor(window.browser.document())
                cursor.setPosition(fragment.position() + 1)
                window.browser.setTextCursor(cursor)
                window.browser.ensureCursorVisible()
                qtbot.mouseClick(
                    window.browser.viewport(), Qt.MouseButton.LeftButton, pos=window.browser.cursorRect(cursor).center()
                )
                return
            fragments += 1
        block = block.next()
    raise AssertionError(f"no link to {href} on the page")


def test_the_guide_window_follows_links_and_its_list(qtbot, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    window = HelpWindow()
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    window.show_page("importing")
    _click_link(qtbot, window, "consent.md")  # the link at the end of the page
    assert (window.page, window.title()) == ("consent", "Consent at the counter")
    assert window.pages.currentItem().text() == "Consent at the counter"

    reads: list[str] = []
    read_page = guide.read_page
    monkeypatch.setattr(guide, "read_page", lambda page, language: reads.append(page) or read_page(page, language))
    backups = window.pages.item(guide.PAGES.index("backups"))
    qtbot.mouseClick(
        window.pages.viewport(), Qt.MouseButton.LeftButton, pos=window.pages.visualItemRect(backups).center()
    )
    assert (window.page, window.title()) == ("backups", "Backups and recovery")
    assert window.pages.currentItem() is backups
    assert reads == ["backups"]  # the page chosen, not every page again for the list's titles
    qtbot.keyClick(window.browser, Qt.Key.Key_Escape)
    assert not window.isVisible()


def test_the_help_menu_has_the_guide_on_f1_and_about_without_it(qtbot, tmp_path: Path, new_vault) -> None:  # type: ignore[no-untyped-def]
    controller = _signed_in(qtbot, tmp_path, new_vault[0])
    main = controller.main_window
    try:
        help_menu = next(action.menu() for action in main.menuBar().actions() if action.text() == "&Help")
        items = [action for action in help_menu.actions() if not action.isSeparator()]
        assert [action.text() for action in items] == ["&User guide", "&About Counterpart…", "About &Qt"]
        assert main.guide_action.shortcut() == QKeySequence(QKeySequence.StandardKey.HelpContents)
        assert main.about_action.shortcut().isEmpty()
    finally:
        shutdown(controller)


def test_every_place_maps_to_a_guide_page() -> None:
    assert set(GUIDE_FOR_PLACE.values()) <= set(guide.PAGES)
    assert {"requests", "consent", "backups", "importing"} <= set(GUIDE_FOR_PLACE.values())


@pytest.mark.parametrize("language", SUPPORTED_LANGUAGES)
def test_every_page_renders_as_formatted_text(qapp, language: str) -> None:  # type: ignore[no-untyped-def]
    """No Markdown left over after rendering: emphasis closed (CommonMark's rules around CJK punctuation and French
    spaces are strict), headings turned into headings, links into links."""
    for page in guide.PAGES:
        document = QTextDocument()
        document.setMarkdown(guide.read_page(page, language).text)
        text = document.toPlainText()
        assert "**" not in text and "](" not in text, f"{language}/{page}.md shows raw Markdown"
        assert not [line for line in text.splitlines() if line.startswith("#")], f"{language}/{page}.md"
        first = document.firstBlock()
        assert first.blockFormat().headingLevel() == 1 and first.text() == _heading(language, page)
