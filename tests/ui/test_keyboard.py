"""A shop owner without a mouse (outside keyboard-only review): Tab was trapped cell by cell in the customer list,
the users' list and the audit log; the deal, request and new-user dialogs opened with focus on their OK button
(typing a deal's title pressed Add with its Space); Go › Customers (Ctrl+2) put the focus on Export CSV…"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractButton, QApplication, QDialogButtonBox, QLineEdit, QTableView, QWidget

from app.access.session import Session
from tests.ui import test_customers as customers
from tests.ui_helpers import press, type_text, wait_until
from ui.form_dialog import SubmitDialog
from ui.widgets import tab_stops


def _opened(main: QWidget, kind: type[SubmitDialog]) -> SubmitDialog:
    shown = [d for d in main.findChildren(kind) if d.isVisible()]
    assert len(shown) == 1, shown
    return shown[0]


def test_tab_leaves_every_table_of_the_window(qtbot, owner: Session) -> None:  # type: ignore[no-untyped-def]
    main, _page = customers._window(qtbot, owner)
    tables = main.findChildren(QTableView)  # QTableWidget too
    names = {t.accessibleName() for t in tables}
    assert {"Customers", "Deals", "Users", "Audit log entries"} <= names, names  # the ones that trapped Tab
    assert [t.accessibleName() or t.objectName() for t in tables if t.tabKeyNavigation()] == []


def test_ctrl_2_starts_at_the_search_and_tab_leaves_the_list(qtbot, owner: Session) -> None:  # type: ignore[no-untyped-def]
    customers._fill(owner, 5)
    main, page = customers._window(qtbot, owner)
    main.activateWindow()
    main.show_page("dashboard")
    qtbot.keyClick(main, Qt.Key.Key_2, Qt.KeyboardModifier.ControlModifier)
    wait_until(qtbot, lambda: QApplication.focusWidget() is page.search)
    page.table.setFocus()
    qtbot.keyClick(page.table, Qt.Key.Key_Tab)
    assert QApplication.focusWidget() is not page.table and not page.table.isAncestorOf(QApplication.focusWidget())


def test_form_dialogs_open_on_their_first_field_with_the_buttons_last(qtbot, owner: Session) -> None:  # type: ignore[no-untyped-def]
    from ui.privacy.request_dialogs import NewRequestDialog
    from ui.sales.deal_dialogs import DealDialog
    from ui.user_dialogs import AddUserDialog

    main, _page = customers._window(qtbot, owner)
    main.activateWindow()
    assert main.settings.users is not None
    for page_key, button, kind in (
        ("pipeline", main.pipeline.new_button, DealDialog),
        ("privacy", main.privacy.requests.new_button, NewRequestDialog),
        ("settings", main.settings.users.add_button, AddUserDialog),
    ):
        main.show_page(page_key)
        if page_key == "privacy":
            main.privacy.tabs.setCurrentWidget(main.privacy.requests)
        if page_key == "settings":
            main.settings.tabs.setCurrentWidget(main.settings.users)
        press(qtbot, button)
        dialog = _opened(main, kind)
        dialog.activateWindow()
        wait_until(
            qtbot,
            lambda d=dialog: QApplication.focusWidget() is not None and d.isAncestorOf(QApplication.focusWidget()),
        )
        first = QApplication.focusWidget()
        assert not isinstance(first, QAbstractButton), f"{kind.__name__} opened on {first}"
        buttons_at = [isinstance(w.parentWidget(), QDialogButtonBox) for w in tab_stops(dialog)]
        assert True in buttons_at and buttons_at == sorted(buttons_at), f"{kind.__name__}: a button before a field"
        if isinstance(first, QLineEdit):
            type_text(qtbot, first, "Kbd deal")  # typed into the field, not a Space pressing OK
            assert first.text().endswith("Kbd deal") and dialog.isVisible()
        dialog.reject()


def test_the_privacy_and_settings_tab_bars_have_names(qtbot, owner: Session) -> None:  # type: ignore[no-untyped-def]
    """Ctrl+5 and Ctrl+6 put the focus on a tab bar a screen reader announced as nothing."""
    main, _page = customers._window(qtbot, owner)
    assert main.privacy.tabs.tabBar().accessibleName() == "Privacy sections"
    assert main.settings.tabs.tabBar().accessibleName() == "Settings sections"


def test_a_user_is_added_with_the_keyboard_alone(qtbot, owner: Session) -> None:  # type: ignore[no-untyped-def]
    """Alt+A, the name, Tab, Tab, the temporary password twice, Return: the new user is in the list."""
    from ui.user_dialogs import AddUserDialog

    main, _page = customers._window(qtbot, owner)
    main.activateWindow()
    assert main.settings.users is not None
    main.show_page("settings")
    main.settings.tabs.setCurrentWidget(main.settings.users)
    press(qtbot, main.settings.users.add_button)
    dialog = _opened(main, AddUserDialog)
    dialog.activateWindow()
    wait_until(qtbot, lambda: QApplication.focusWidget() is dialog.name)
    type_text(qtbot, dialog.name, "Sam Staff")
    for key_target in ("role", "first", "again"):
        qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
        if key_target != "role":
            type_text(qtbot, QApplication.focusWidget(), "temporary-pass-42")
    assert QApplication.focusWidget() is dialog.passwords.again, QApplication.focusWidget()
    qtbot.keyClick(dialog.passwords.again, Qt.Key.Key_Return)
    users = main.settings.users
    # what the owner sees, once the worker that adds the user has let go of the connection (reading the vault
    # from the test meanwhile raced the worker's transaction)
    wait_until(qtbot, lambda: not main.context.busy and "Sam Staff" in users.model.names())


def test_the_pipeline_tabs_through_its_bar_before_the_columns(qtbot, owner: Session) -> None:  # type: ignore[no-untyped-def]
    from app.crm.deals import DealService
    from ui.sales.kanban import DealList

    deals = DealService(owner)
    lead = deals.pipelines()[0].stages[0]
    from app.crm.contacts import ContactInput, ContactService

    clara = ContactService(owner).create(ContactInput(given_name="Clara", family_name="Schmidt"))
    deals.create("Wedding flowers", value="100", currency="EUR", contact_id=clara, stage_id=lead.id)
    main, _page = customers._window(qtbot, owner)
    main.activateWindow()
    main.go_to("pipeline")
    pipeline = main.pipeline
    wait_until(qtbot, lambda: len(pipeline.board.columns) > 0 and pipeline.board.columns[0].deals.isVisible())
    visited = list(tab_stops(pipeline))
    first_column = next(i for i, w in enumerate(visited) if isinstance(w, DealList))
    assert visited.index(pipeline.new_button) < first_column and visited.index(pipeline.board_button) < first_column
    assert pipeline.board_area not in visited  # no empty stop between them


def test_after_mark_won_the_cursor_is_on_the_next_card(qtbot, owner: Session) -> None:  # type: ignore[no-untyped-def]
    """Alt+W left the column with nothing current: a keyboard user had nowhere to go on from."""
    from app.crm.contacts import ContactInput, ContactService
    from app.crm.deals import DealService

    deals = DealService(owner)
    lead = deals.pipelines()[0].stages[0]
    clara = ContactService(owner).create(ContactInput(given_name="Clara", family_name="Schmidt"))
    first = deals.create("Wedding flowers", value="300", currency="EUR", contact_id=clara, stage_id=lead.id)
    second = deals.create("Table bouquets", value="100", currency="EUR", contact_id=clara, stage_id=lead.id)
    main, _page = customers._window(qtbot, owner)
    main.activateWindow()
    main.go_to("pipeline")
    pipeline = main.pipeline
    wait_until(qtbot, lambda: bool(pipeline.board.columns) and pipeline.board.columns[0].deals.count() == 2)
    assert pipeline.select(first)
    qtbot.keyClick(pipeline.board.columns[0].deals, Qt.Key.Key_W, Qt.KeyboardModifier.AltModifier)
    wait_until(qtbot, lambda: pipeline.board.columns[0].deals.count() == 1)
    column = pipeline.board.columns[0].deals
    assert column.deal_id() == second and QApplication.focusWidget() is column
    qtbot.keyClick(column, Qt.Key.Key_W, Qt.KeyboardModifier.AltModifier)  # the last open deal
    wait_until(qtbot, lambda: pipeline.board.columns[0].deals.count() == 0)
    assert QApplication.focusWidget() is pipeline.new_button  # where the next deal starts, not nowhere


def test_a_tab_chosen_by_its_alt_letter_takes_the_focus(qtbot, owner: Session) -> None:  # type: ignore[no-untyped-def]
    """Alt+O showed the Consent tab, but the focus stayed in the customer list, whose Tab could not reach it."""
    names = customers._fill(owner, 3)
    main, page = customers._window(qtbot, owner)
    main.activateWindow()
    first = next(iter(names.values()))
    assert page.detail.show_contact(first)
    page.table.setFocus()
    wait_until(qtbot, lambda: QApplication.focusWidget() is page.table)
    qtbot.keyClick(page.table, Qt.Key.Key_O, Qt.KeyboardModifier.AltModifier)
    wait_until(qtbot, lambda: page.detail.tabs.currentWidget() is main.consent_panel)
    wait_until(qtbot, lambda: main.consent_panel.isAncestorOf(QApplication.focusWidget()))
