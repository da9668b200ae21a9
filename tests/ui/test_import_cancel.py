"""Long work runs with progress and cancel: the Import dialog's Cancel (or Esc) stops reading a big file, or stops
an import halfway, which then keeps nothing; the dialog stays open with the file as it was read."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialogButtonBox

from app.access.session import Session
from tests.app.test_import_batches import shopify_row, write_export
from tests.ui import test_customers as customers
from tests.ui_helpers import open_import, press, shot, wait_until
from ui.customers.import_dialog import ImportDialog

ROWS = 12_000


def big_export(tmp_path: Path) -> Path:
    return write_export(tmp_path / "customers_export.csv", [shopify_row(n) for n in range(1, ROWS + 1)])


def customers_in(session: Session) -> int:
    return int(session.conn.execute("SELECT count(*) FROM contact").fetchone()[0])


def test_cancel_stops_an_import_halfway_and_nothing_is_kept(qtbot, owner: Session, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    _main, page = customers._window(qtbot, owner)
    dialog = open_import(qtbot, page, big_export(tmp_path))
    assert isinstance(dialog, ImportDialog)
    wait_until(qtbot, lambda: not page.context.busy and dialog.last_preview is not None)
    assert f"{ROWS:,}".replace(",", "") in dialog.summary.text().replace(",", "").replace("\u202f", "")

    press(qtbot, dialog.import_button)
    wait_until(qtbot, lambda: "so far" in dialog.summary.text())  # a thousand rows are in the transaction
    press(qtbot, dialog.buttons.button(QDialogButtonBox.StandardButton.Cancel))
    wait_until(qtbot, lambda: not page.context.busy)

    assert dialog.isVisible()
    assert "nothing was imported" in dialog.message.text()
    assert customers_in(owner) == 0
    assert not owner.conn.execute("SELECT 1 FROM audit_event WHERE action = 'contact.import'").fetchall()
    assert dialog.import_button.isEnabled()  # the file as read: importing again needs no new reading
    shot(dialog, "import-stopped")

    reports: list[object] = []
    dialog.imported.connect(reports.append)
    press(qtbot, dialog.import_button)
    wait_until(qtbot, lambda: bool(reports) and not page.context.busy, timeout=60_000)
    assert customers_in(owner) == ROWS


def test_escape_stops_reading_a_big_file(qtbot, owner: Session, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    _main, page = customers._window(qtbot, owner)
    dialog = open_import(qtbot, page, big_export(tmp_path))
    assert isinstance(dialog, ImportDialog)
    assert page.context.busy and "Reading" in dialog.summary.text()

    qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    assert dialog.isVisible()  # Esc stops the reading; it does not leave a worker behind a closed dialog
    wait_until(qtbot, lambda: not page.context.busy)

    assert dialog.isVisible() and "Reading stopped" in dialog.message.text()
    assert dialog.last_preview is None and not dialog.import_button.isEnabled()
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)  # nothing running now: Esc closes
    assert not dialog.isVisible()
