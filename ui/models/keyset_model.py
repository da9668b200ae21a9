"""A table model over one keyset-paged query: it holds the rows read so far and reads BATCH more when the view
asks (`canFetchMore`/`fetchMore`), so it never loads the whole table.

It reads on the UI thread only while no operation holds the connection (`context.busy`), and forgets
everything, the session included, when cleared at lock time. A subclass says how to read one page, what its
columns are called and what each cell says.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, Generic, Protocol, TypeVar

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt

from app.access.session import Session
from app.locale import _
from ui.session_context import SessionContext

Index = QModelIndex | QPersistentModelIndex
ROOT = QModelIndex()  # the invisible root: these are flat tables

BATCH = 256
RIGHT_ALIGNED = int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)


class Keyed(Protocol):
    @property
    def id(self) -> int:
        """Pages come in id order: the last id held is where the next page starts (0: from the start)."""
        ...


Item = TypeVar("Item", bound=Keyed)


class KeysetTableModel(QAbstractTableModel, Generic[Item]):
    HEADERS: tuple[str, ...] = ()  # column titles marked with N_, translated when shown (the language can change)
    NUMBER_COLUMNS: frozenset[int] = frozenset()  # right-aligned

    def __init__(self, context: SessionContext, parent: Any = None) -> None:
        super().__init__(parent)
        self._context: SessionContext | None = context
        self._rows: list[Item] = []
        self._exhausted = False

    # --- what a subclass says ------------------------------------------------------------------------------

    def _read_page(self, session: Session, after_id: int, limit: int) -> list[Item]:
        """At most `limit` rows of the current query after `after_id`; fewer means the end."""
        raise NotImplementedError

    def text(self, item: Item, column: int) -> str:
        raise NotImplementedError

    def _other_data(self, item: Item, column: int, role: int) -> Any:
        """Roles besides the text and the number alignment (tooltips, ids): none unless a subclass says."""
        return None

    # --- paging --------------------------------------------------------------------------------------------

    def _readable(self) -> bool:
        context = self._context
        return context is not None and context.is_open and not context.busy

    @contextmanager
    def _new_query(self) -> Iterator[None]:
        """Change the query inside the `with`: the rows go in one model reset, and the next fetchMore reads the
        first page."""
        self.beginResetModel()
        try:
            yield
        finally:
            self._rows = []
            self._exhausted = False
            self.endResetModel()

    def canFetchMore(self, parent: Index = ROOT) -> bool:  # noqa: N802 - Qt override
        return not parent.isValid() and not self._exhausted and self._readable()

    def fetchMore(self, parent: Index = ROOT) -> None:  # noqa: N802 - Qt override
        if not self.canFetchMore(parent):
            return
        assert self._context is not None
        after = self._rows[-1].id if self._rows else 0
        page = self._read_page(self._context.session, after, BATCH)
        if len(page) < BATCH:
            self._exhausted = True
        if page:
            self.beginInsertRows(QModelIndex(), len(self._rows), len(self._rows) + len(page) - 1)
            self._rows.extend(page)
            self.endInsertRows()

    def reload(self) -> None:
        """Rows may have changed in place, so read again as far as we had read (the scroll depth)."""
        wanted = max(len(self._rows), 1)
        with self._new_query():
            pass  # the same query: only the rows go
        while len(self._rows) < wanted and self.canFetchMore():
            self.fetchMore()

    def clear(self) -> None:
        """Forget every row and the session (lock)."""
        self.beginResetModel()
        self._rows = []
        self._exhausted = True
        self._context = None
        self.endResetModel()

    # --- the table -----------------------------------------------------------------------------------------

    def rowCount(self, parent: Index = ROOT) -> int:  # noqa: N802 - Qt override
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = ROOT) -> int:  # noqa: N802 - Qt override
        return 0 if parent.isValid() else len(self.HEADERS)

    def headerData(
        self,
        section: int,
        orientation: Qt.Orientation,  # noqa: N802 - Qt override
        role: int = Qt.ItemDataRole.DisplayRole,
    ) -> Any:
        if (
            orientation != Qt.Orientation.Horizontal
            or role != Qt.ItemDataRole.DisplayRole
            or not 0 <= section < len(self.HEADERS)
        ):
            return None
        return _(self.HEADERS[section])

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        item, column = self._rows[index.row()], index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return self.text(item, column)
        if role == Qt.ItemDataRole.TextAlignmentRole and column in self.NUMBER_COLUMNS:
            return RIGHT_ALIGNED
        return self._other_data(item, column, role)
