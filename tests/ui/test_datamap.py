"""Privacy › Data overview (the data map) on screen: each field with its purpose, retention and how many
people have it (counted on
a worker), a field kept with no purpose in red; looked at in English and German."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QTabBar

from app.crm.contacts import ContactInput, ContactPointInput, ContactService
from tests.conftest import OWNER, OWNER_PASSWORD
from tests.ui_helpers import (
    catalog_as_written,
    open_session_for_ui,
    shot,
    shutdown,
    shutdown_session,
    signed_in,
    wait_until,
)
from ui.controller import AppController
from ui.privacy.common import ALERT
from ui.privacy.datamap_tab import DataMapTab


def _fill(vault: Path, shoe_size: bool = False) -> None:
    session = open_session_for_ui(vault, OWNER, OWNER_PASSWORD)
    contacts = ContactService(session)
    contacts.create(
        ContactInput(given_name="Lena", family_name="Vogel", points=[ContactPointInput("email", "lena@example.de")])
    )
    contacts.create(ContactInput(given_name="Chen", family_name="Li"))
    if shoe_size:  # a column a later version might add without saying why
        session.conn.execute("ALTER TABLE contact ADD COLUMN shoe_size TEXT")
        session.conn.execute("UPDATE contact SET shoe_size = '38' WHERE given_name = 'Lena'")
    shutdown_session(session)


def _open_tab(qtbot, controller: AppController) -> DataMapTab:  # type: ignore[no-untyped-def]
    """Click Privacy, then the Data overview tab, as a person does; wait for the counts."""
    main = controller.main_window
    assert main is not None and controller.context is not None
    main.show_page("privacy")
    tabs = main.privacy.tabs
    bar: QTabBar = tabs.tabBar()
    index = tabs.indexOf(main.privacy.datamap)
    qtbot.mouseClick(bar, Qt.MouseButton.LeftButton, pos=bar.tabRect(index).center())
    assert tabs.currentWidget() is main.privacy.datamap
    context = controller.context
    tab = main.privacy.datamap
    wait_until(qtbot, lambda: not context.busy and tab.model.rowCount() > 0)
    return tab


def _row(tab: DataMapTab, name: str) -> int:
    return next(r for r in range(tab.model.rowCount()) if tab.model.text(r, 0) == name)


def test_the_tab_lists_each_field_with_its_purpose_and_count(
    qtbot,
    tmp_path: Path,  # type: ignore[no-untyped-def]
    new_vault: tuple[Path, str],
) -> None:
    _fill(new_vault[0])
    controller = signed_in(qtbot, tmp_path, new_vault[0], OWNER, OWNER_PASSWORD)
    try:
        tab = _open_tab(qtbot, controller)
        email = _row(tab, "Email addresses")
        assert tab.model.text(email, 1).startswith("Answering the customer")
        assert tab.model.text(email, 2) == "Customers with no purchase or contact: 2190 days, then anonymised"
        assert tab.model.text(email, 3) == "1 of 2"
        assert tab.model.text(_row(tab, "Name"), 3) == "2 of 2"
        assert tab.summary.text() == "2 people in the vault. Every field has a purpose."
        assert not tab.model.row(email).alerts
        controller.main_window.resize(1200, 700)  # type: ignore[union-attr]
        shot(controller.main_window, "datamap-en")  # type: ignore[arg-type]
        tab.grab().save(str(tmp_path / "datamap-en.png"))
    finally:
        shutdown(controller)


def test_a_field_with_no_purpose_is_shown_in_red(
    qtbot,
    tmp_path: Path,  # type: ignore[no-untyped-def]
    new_vault: tuple[Path, str],
) -> None:
    _fill(new_vault[0], shoe_size=True)
    controller = signed_in(qtbot, tmp_path, new_vault[0], OWNER, OWNER_PASSWORD)
    try:
        tab = _open_tab(qtbot, controller)
        flagged = _row(tab, "contact: shoe_size")
        assert flagged == 0  # first, where it is seen
        assert tab.model.text(flagged, 1) == "No purpose: take it out, or give it one"
        assert tab.model.text(flagged, 3) == "1 of 2"
        index = tab.model.index(flagged, 1)
        assert tab.model.data(index, Qt.ItemDataRole.ForegroundRole).color() == ALERT
        assert "1 field is kept with no purpose." in tab.summary.text()
        assert tab.message.isVisible()
        shot(tab, "datamap-unlisted-en")
    finally:
        shutdown(controller)


def test_the_tab_in_german(
    qtbot,
    tmp_path: Path,
    monkeypatch,  # type: ignore[no-untyped-def]
    new_vault: tuple[Path, str],
) -> None:
    _fill(new_vault[0])
    catalog_as_written(tmp_path, monkeypatch, "de")
    controller = signed_in(qtbot, tmp_path, new_vault[0], OWNER, OWNER_PASSWORD)
    try:
        tab = _open_tab(qtbot, controller)
        assert tab.model.rowCount() >= 20
        tabs = controller.main_window.privacy.tabs  # type: ignore[union-attr]
        assert tabs.tabText(tabs.indexOf(controller.main_window.privacy.health)) != "Privac&y health"  # type: ignore[union-attr]
        assert tab.model.text(0, 3) == "2 von 2"  # the first field, filled for both people, counted in German
        assert tabs.tabText(tabs.indexOf(tab)) == "Datenbest&ände"
        controller.main_window.resize(1200, 700)  # type: ignore[union-attr]
        shot(controller.main_window, "datamap-de")  # type: ignore[arg-type]
        tab.grab().save(str(tmp_path / "datamap-de.png"))
    finally:
        shutdown(controller)
