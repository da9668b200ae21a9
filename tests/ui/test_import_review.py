"""Issue #16 in the Import dialog: a re-export of the same shop shows, per field, the customer's value beside the
file's, and the person decides, by pressing the dialog's own buttons, whether a differing value stays (the
default) or is replaced, for all at once or field by field.

Fixtures (tests/fixtures/import/README.md): shopify_customers_export.csv first, then shopify_customers_reexport_2027
(José's company, Zoë's family name, Olivia's phone and Ngozi's email changed) or _2026 (a new phone for Olivia,
a phone for Ngozi, a tag for Aiyana, two new people).
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QCheckBox

from app.access.session import Session
from app.crm.contacts import ContactRecord, ContactService
from app.crm.importing.model import ImportReport
from app.crm.importing.service import ImportService
from tests import ui_helpers
from tests.ui import test_customers as customers
from tests.ui_helpers import press, shot, wait_until
from ui.customers.import_dialog import ImportDialog
from ui.customers.page import CustomersPage

FIXTURES = Path(__file__).parents[1] / "fixtures" / "import"
SHOPIFY = FIXTURES / "shopify_customers_export.csv"
LATER = FIXTURES / "shopify_customers_reexport_2027.csv"
REEXPORT = FIXTURES / "shopify_customers_reexport_2026.csv"


def person(session: Session, name: str) -> ContactRecord:
    return ContactService(session).get(ContactService(session).search(name, 5)[0].id)


def table(dialog: ImportDialog) -> list[list[str]]:
    """The changes table as a person reads it: every cell's text, a check box by its state."""
    grid = dialog.changes.table
    rows = []
    for r in range(grid.rowCount()):
        cells = [grid.item(r, c).text() for c in range(5)]
        box = grid.cellWidget(r, 5)
        cells.append(
            ("[x] " if box.isChecked() else "[ ] ") + box.text()
            if isinstance(box, QCheckBox)
            else grid.item(r, 5).text()
        )
        rows.append(cells)
    return rows


def box(dialog: ImportDialog, field: str) -> QCheckBox:
    grid = dialog.changes.table
    row = next(r for r in range(grid.rowCount()) if grid.item(r, 2).text() == field)
    widget = grid.cellWidget(row, 5)
    assert isinstance(widget, QCheckBox)
    return widget


def open_import(qtbot, session: Session, path: Path) -> tuple[CustomersPage, ImportDialog]:  # type: ignore[no-untyped-def]
    ImportService(session).run(SHOPIFY)
    _main, page = customers._window(qtbot, session)
    dialog = ui_helpers.open_import(qtbot, page, path)
    assert isinstance(dialog, ImportDialog)
    wait_until(qtbot, lambda: not page.context.busy and dialog.last_preview is not None)
    return page, dialog


def run_import(qtbot, page: CustomersPage, dialog: ImportDialog) -> ImportReport:  # type: ignore[no-untyped-def]
    reports: list[ImportReport] = []
    dialog.imported.connect(reports.append)
    press(qtbot, dialog.import_button)
    wait_until(qtbot, lambda: bool(reports) and not page.context.busy)
    return reports[0]


def test_the_dialog_shows_each_change_and_keeps_the_customers_values_unless_told(qtbot, owner: Session) -> None:  # type: ignore[no-untyped-def]
    page, dialog = open_import(qtbot, owner, LATER)
    olivia = person(owner, "Olivia").id
    assert dialog.changes.isVisible() and dialog.changes.keep.isChecked() and dialog.changes.take.isVisible()
    keep = "[ ] Take the file's value"
    assert table(dialog) == [
        ["2", "José Núñez", "organisation", "Café Central", "Café Norte", keep],
        ["5", "Zoë Müller", "family name", "Müller", "Schmidt", keep],
        ["6", "Olivia Smith", "phone number", "+447700900123", "+447700900456", keep],
        ["8", "Ngozi Okafor", "email address", "ngozi.okafor@example.org", "ngozi@example.net", keep],
    ]
    assert "6 rows name customers already in the vault; for 4 of them" in dialog.changes.heading.text()
    assert dialog.rows.item(2, 4).text().startswith("Already a customer: same customer ID in the same source")
    assert dialog.import_button.isEnabled()  # nobody new, but four customers the file says something about
    shot(dialog, "import-review-conflicts")
    report = run_import(qtbot, page, dialog)
    assert (report.updated, len(report.conflicts), report.replaced) == (0, 4, [])
    assert person(owner, "Zoë").family_name == "Müller"
    assert {p.normalized for p in ContactService(owner).get(olivia).points} == {"+447700900123"}


def test_a_tick_takes_the_files_value_for_that_field_only(qtbot, owner: Session) -> None:  # type: ignore[no-untyped-def]
    page, dialog = open_import(qtbot, owner, LATER)
    press(qtbot, box(dialog, "family name"))
    press(qtbot, box(dialog, "phone number"))
    assert [row[5][:3] for row in table(dialog)] == ["[ ]", "[x]", "[x]", "[ ]"]
    assert dialog.changes.keep.isChecked()  # the choice for all is untouched
    report = run_import(qtbot, page, dialog)
    assert [line for line, _r in report.replaced] == [5, 6] and [line for line, _r in report.conflicts] == [2, 8]
    zoe = person(owner, "Zoë")
    assert (zoe.family_name, zoe.display_name) == ("Schmidt", "Zoë Schmidt")
    assert {p.normalized for p in person(owner, "Olivia").points} == {"+447700900456"}
    assert [name for _id, name, _t in person(owner, "José").organisations] == ["Café Central"]
    assert {p.value for p in person(owner, "Ngozi").points} == {"ngozi.okafor@example.org"}
    assert "2 values were replaced by the file's" in page.message.text()


def test_take_the_files_values_ticks_every_conflict_and_one_can_be_unticked(qtbot, owner: Session) -> None:  # type: ignore[no-untyped-def]
    page, dialog = open_import(qtbot, owner, LATER)
    press(qtbot, dialog.changes.take)
    assert [row[5][:3] for row in table(dialog)] == ["[x]"] * 4
    press(qtbot, box(dialog, "organisation"))  # but José still works at Café Central
    shot(dialog, "import-review-take")
    report = run_import(qtbot, page, dialog)
    assert [line for line, _r in report.replaced] == [5, 6, 8] and [line for line, _r in report.conflicts] == [2]
    assert [name for _id, name, _t in person(owner, "José").organisations] == ["Café Central"]
    assert person(owner, "Zoë").family_name == "Schmidt"
    assert {p.value for p in person(owner, "Ngozi").points} == {"ngozi@example.net"}


def test_fills_and_additions_are_listed_and_a_conflict_kept_by_default(qtbot, owner: Session) -> None:  # type: ignore[no-untyped-def]
    page, dialog = open_import(qtbot, owner, REEXPORT)
    rows = table(dialog)
    assert ["6", "Olivia Smith", "phone number", "+447700900123", "+447700900456", "[ ] Take the file's value"] in rows
    assert ["7", "Aiyana Redcloud", "tag", "", "weddings", "Added"] in rows
    assert ["8", "Ngozi Okafor", "phone number", "", "+447700900321", "Filled in"] in rows
    assert len(rows) == 3  # José, 王芳 and Zoë: nothing new but their consent
    run_import(qtbot, page, dialog)
    assert {p.normalized for p in person(owner, "Olivia").points} == {"+447700900123"}
    assert {p.normalized for p in person(owner, "Ngozi").points if p.kind == "phone"} == {"+447700900321"}
