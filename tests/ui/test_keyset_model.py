"""The keyset table base: it reads exactly BATCH rows at a time after the last id held, and nothing more."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import Qt

from app.access.session import Session
from app.locale import N_
from ui.models.keyset_model import BATCH, KeysetTableModel
from ui.session_context import SessionContext


@dataclass(frozen=True)
class Row:
    id: int
    name: str


class RowsModel(KeysetTableModel[Row]):
    """Rows from a list instead of SQL, recording every read."""

    HEADERS = (N_("No."), N_("Name"))
    NUMBER_COLUMNS = frozenset({0})

    def __init__(self, context: SessionContext, rows: list[Row]) -> None:
        super().__init__(context)
        self.table = rows
        self.reads: list[tuple[int, int]] = []

    def _read_page(self, session: Session, after_id: int, limit: int) -> list[Row]:
        self.reads.append((after_id, limit))
        return [row for row in self.table if row.id > after_id][:limit]

    def text(self, item: Row, column: int) -> str:
        return str(item.id) if column == 0 else item.name

    def _other_data(self, item: Row, column: int, role: int) -> Any:
        return item.id if role == Qt.ItemDataRole.UserRole else None


def _rows(count: int) -> list[Row]:
    return [Row(n, f"Row {n}") for n in range(1, count + 1)]


def test_it_reads_a_batch_at_a_time_after_the_last_id(qtbot: object, owner_session: Session) -> None:
    total = 2 * BATCH + BATCH // 2
    model = RowsModel(SessionContext(owner_session), _rows(total))
    assert model.rowCount() == 0 and model.canFetchMore() and model.reads == []  # nothing read until asked
    counts = []
    while model.canFetchMore():
        model.fetchMore()
        counts.append(model.rowCount())
    assert counts == [BATCH, 2 * BATCH, total]
    assert model.reads == [(0, BATCH), (BATCH, BATCH), (2 * BATCH, BATCH)]
    model.fetchMore()
    assert len(model.reads) == 3  # a short page was the end


def test_cells_headers_and_roles(qtbot: object, owner_session: Session) -> None:
    model = RowsModel(SessionContext(owner_session), _rows(3))
    model.fetchMore()
    assert model.columnCount() == 2 and model.headerData(1, Qt.Orientation.Horizontal) == "Name"
    assert model.headerData(2, Qt.Orientation.Horizontal) is None
    assert model.headerData(0, Qt.Orientation.Vertical) is None
    assert model.data(model.index(2, 1)) == "Row 3"
    assert model.data(model.index(2, 0), Qt.ItemDataRole.TextAlignmentRole) == int(
        Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
    )
    assert model.data(model.index(2, 1), Qt.ItemDataRole.TextAlignmentRole) is None
    assert model.data(model.index(2, 1), Qt.ItemDataRole.UserRole) == 3
    assert model.data(model.index(2, 1), Qt.ItemDataRole.ToolTipRole) is None


def test_it_passes_the_model_tester(qtbot: object, qtmodeltester: Any, owner_session: Session) -> None:
    model = RowsModel(SessionContext(owner_session), _rows(2 * BATCH + BATCH // 2))
    model.fetchMore()
    qtmodeltester.check(model)
    assert all(limit == BATCH and after % BATCH == 0 for after, limit in model.reads)  # its own fetches too


def test_reload_reads_again_as_deep_as_before_and_clear_forgets(qtbot: object, owner_session: Session) -> None:
    model = RowsModel(SessionContext(owner_session), _rows(3 * BATCH))
    model.fetchMore()
    model.fetchMore()
    model.table = [Row(row.id, "renamed") for row in model.table]
    model.reads.clear()
    model.reload()
    assert model.rowCount() == 2 * BATCH and model.reads == [(0, BATCH), (BATCH, BATCH)]
    assert model.data(model.index(0, 1)) == "renamed" and model.canFetchMore()
    model.clear()
    assert model.rowCount() == 0 and not model.canFetchMore()
    model.fetchMore()
    model.reload()
    assert model.rowCount() == 0 and len(model.reads) == 2  # no session: nothing is read again
