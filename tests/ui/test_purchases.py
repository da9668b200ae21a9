"""Issue #16: the customer editor shows the birthday and the shop's totals an import kept, read-only, in the
user's language."""

from __future__ import annotations

import csv
from pathlib import Path

from PySide6.QtWidgets import QLabel

from app.access.session import Session
from app.access.shop import ShopService
from app.crm.contacts import ContactInput, ContactService
from app.crm.importing.service import ImportService
from tests.ui import test_customers as customers
from tests.ui_helpers import open_import, press, wait_until
from ui.customers.contact_dialog import ContactDialog
from ui.customers.import_dialog import ImportDialog

SQUARE = Path(__file__).parents[1] / "fixtures" / "import" / "square_customers_birthdays.csv"


def test_the_editor_shows_the_birthday_and_the_totals(qtbot, owner: Session) -> None:  # type: ignore[no-untyped-def]
    ShopService(owner).update(currency="EUR")
    ImportService(owner).run(SQUARE)
    ContactService(owner).create(ContactInput(given_name="Walk-in", family_name="Customer"))
    _main, page = customers._window(qtbot, owner)

    customers._open(qtbot, page, "Lucía Serrano")
    press(qtbot, page.detail.edit_button)
    dialog = next(d for d in page._dialogs if isinstance(d, ContactDialog) and d.isVisible())
    assert dialog.birthday is not None and dialog.birthday.text() == "July 14, 1990"
    assert dialog.purchases is not None and dialog.purchases.text() == "23 orders, €1,204.50 spent"
    assert dialog.purchases.isVisible() and isinstance(dialog.purchases, QLabel)  # shown, not an input
    customers._shot(qtbot, dialog, "customer-edit-purchases")
    press(qtbot, dialog.buttons.button(dialog.buttons.StandardButton.Cancel))

    customers._open(qtbot, page, "Walk-in Customer")  # typed in, never imported: no such lines
    press(qtbot, page.detail.edit_button)
    other = next(d for d in page._dialogs if isinstance(d, ContactDialog) and d.isVisible())
    assert other.birthday is None and other.purchases is None


def test_the_import_preview_counts_birthdays_and_totals(qtbot, owner: Session) -> None:  # type: ignore[no-untyped-def]
    _main, page = customers._window(qtbot, owner)
    dialog = open_import(qtbot, page, SQUARE)
    assert isinstance(dialog, ImportDialog)
    wait_until(qtbot, lambda: not page.context.busy and dialog.last_preview is not None)
    summary = dialog.summary.text()
    assert "The file gives birthdays for 2 customers." in summary
    assert "The file gives the shop's total spent or order count for 4 customers." in summary
    assert dialog.import_button.isEnabled()
    fills = {
        dialog.columns.item(r, 0).text(): dialog.columns.cellWidget(r, 1).currentText()
        for r in range(dialog.columns.rowCount())
    }
    assert (fills["Birthday"], fills["Total Spend"], fills["Transaction Count"]) == (
        "Birthday",
        "Total spent",
        "Number of orders",
    )
    messages = [dialog.messages.item(i).text() for i in range(dialog.messages.count())]
    assert any(m.startswith('Line 4: column "Birthday": a day and month without a year') for m in messages)
    customers._shot(qtbot, dialog, "import-preview-purchases")


def test_a_file_without_birthdays_says_nothing_of_them(qtbot, owner: Session, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """Totals but no birthday column: the summary names what the file brings, not "Birthdays: 0"."""
    totals_only = tmp_path / "square_no_birthdays.csv"
    with SQUARE.open(encoding="utf-8", newline="") as source:
        rows = list(csv.reader(source))
    drop = rows[0].index("Birthday")
    with totals_only.open("w", encoding="utf-8", newline="") as target:
        csv.writer(target).writerows([cell for i, cell in enumerate(row) if i != drop] for row in rows)
    _main, page = customers._window(qtbot, owner)
    dialog = open_import(qtbot, page, totals_only)
    assert isinstance(dialog, ImportDialog)
    wait_until(qtbot, lambda: not page.context.busy and dialog.last_preview is not None)
    summary = dialog.summary.text()
    assert "The file gives the shop's total spent or order count for 4 customers." in summary
    assert "irthday" not in summary
