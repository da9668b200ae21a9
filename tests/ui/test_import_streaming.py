"""The Import dialog on a file with thousands of problems (issue #18's huge file): the summary counts every row,
the list shows the first messages and says how many more there are, and "Import the possible duplicates as well"
imports every repeat, also those the report does not list."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QPoint, Qt

from app.access.session import Session
from tests.app.test_import_streaming import BAD, GOOD, REPEATS, write_big_export
from tests.ui import test_customers as customers
from tests.ui_helpers import open_import, press, shot, wait_until
from ui.customers.import_dialog import MESSAGES_SHOWN, ImportDialog


def test_the_dialog_counts_every_problem_and_imports_every_kept_duplicate(
    qtbot,
    owner: Session,  # type: ignore[no-untyped-def]
    tmp_path: Path,
) -> None:
    path = tmp_path / "kassen_export.csv"
    write_big_export(path)
    _main, page = customers._window(qtbot, owner)
    dialog = open_import(qtbot, page, path)
    assert isinstance(dialog, ImportDialog)
    wait_until(qtbot, lambda: not page.context.busy and dialog.last_preview is not None)
    assert f"{BAD} rows have problems and are left out." in dialog.summary.text()
    assert f"{REPEATS} rows look like customers already there" in dialog.summary.text()
    shown = [dialog.messages.item(i).text() for i in range(dialog.messages.count())]
    assert len(shown) == MESSAGES_SHOWN + 1  # 2,000 listed by the report, 5,000 more only counted
    assert shown[-1] == f"… and {BAD + REPEATS - MESSAGES_SHOWN} more."
    assert dialog.keep_duplicates.text() == f"Import the {REPEATS} possible duplicates as well"
    shot(dialog, "import_huge_file")
    reports = []
    dialog.imported.connect(reports.append)
    box = dialog.keep_duplicates  # clicked on its tick box, as a person does (a wide box's middle may be empty)
    qtbot.mouseClick(box, Qt.MouseButton.LeftButton, pos=QPoint(8, box.height() // 2))
    assert box.isChecked()
    press(qtbot, dialog.import_button)
    wait_until(qtbot, lambda: bool(reports) and not page.context.busy, timeout=60_000)
    assert reports[0].imported == GOOD + REPEATS  # the 500 repeats beyond the listed 1,000 too
    count = owner.conn.execute("SELECT count(*) FROM contact WHERE deleted_at IS NULL").fetchone()[0]
    assert count == GOOD + REPEATS
