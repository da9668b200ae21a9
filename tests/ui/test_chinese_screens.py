"""The first screens a Chinese-speaking owner meets, in Chinese: the wizard's shop page, the empty customer
list, the Requests tab and a customer's Consent tab. Each is checked for translated words (not the English
source) and saved as a screenshot when COUNTERPART_SHOTS names a folder."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtWidgets import QLabel, QWidget

from app.crm.contacts import ContactInput, ContactService
from tests.conftest import OWNER, OWNER_PASSWORD
from tests.ui_helpers import catalog_as_written, open_session_for_ui, press, shot, shutdown_session
from ui.script_fonts import ensure_fonts

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def chinese(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The app in zh_CN with the catalog as it is in the .po file now (compiled here, like a build does)."""
    catalog_as_written(tmp_path, monkeypatch, "zh_CN")
    ensure_fonts("zh_CN")
    yield


def _texts(widget: QWidget) -> str:
    return " ".join(label.text() for label in widget.findChildren(QLabel) if label.isVisible())


def test_the_wizards_shop_page_in_chinese(qtbot, tmp_path: Path, chinese) -> None:
    from ui.wizard import WelcomeWizard

    wizard = WelcomeWizard(tmp_path / "shop.vault")
    qtbot.addWidget(wizard)
    wizard.show()
    press(qtbot, wizard.button(wizard.WizardButton.NextButton))
    assert wizard.currentPage() is wizard.shop
    assert wizard.shop.title() != "Your shop" and "店铺" in _texts(wizard.shop) + wizard.shop.title()
    assert "Shop" not in _texts(wizard.shop)
    shot(wizard, "zh-wizard-shop")


def test_the_empty_customer_list_requests_and_consent_in_chinese(qtbot, new_vault: tuple[Path, str], chinese) -> None:
    from ui.main_window import MainWindow
    from ui.session_context import SessionContext

    session = open_session_for_ui(new_vault[0], OWNER, OWNER_PASSWORD)
    context = SessionContext(session)
    main = MainWindow(context)
    qtbot.addWidget(main, before_close_func=lambda window: setattr(window, "discarded", True))
    main.show()
    main.show_page("customers")
    empty = main.customers.empty_state
    qtbot.waitUntil(empty.isVisible)
    assert empty.add_button.text() != "&Add your first customer" and "客户" in empty.add_button.text()
    shot(main, "zh-customers-empty")

    main.show_privacy_tab(main.privacy.requests)
    qtbot.waitUntil(main.privacy.requests.isVisible)
    headings = [str(main.privacy.requests.model.headerData(c, 1)) for c in range(7)]
    assert "Identity checked" not in headings and all(headings)
    shot(main, "zh-privacy-requests")

    ana = ContactService(session).create(ContactInput(given_name="芳", family_name="王", language="zh_CN"))
    context.changed.emit()
    main.show_page("customers")
    qtbot.waitUntil(lambda: main.customers.model.rowCount() == 1)
    main.customers.detail.show_contact(ana)
    tabs = main.customers.detail.tabs
    tabs.setCurrentWidget(main.consent_panel)
    qtbot.waitUntil(main.consent_panel.isVisible)
    table = main.consent_panel.states_table
    assert table.rowCount() > 0 and "Not granted" not in table.item(0, 1).text()
    shot(main, "zh-customer-consent")
    main.clear()
    shutdown_session(session)
