"""The customer list as a table model that never holds the whole table.

Without a query it walks everyone in name order with keyset pages of 256 (`canFetchMore`/`fetchMore`),
keeping every loaded id but the rows' text only for the last few pages shown (an evicted page is read again
by its keyset cursor when it scrolls back into view). With a query it holds the ranked search results,
at most SEARCH_LIMIT of them, and says when it stopped there.

It reads on the UI thread only while no operation holds the connection (`context.busy`), and forgets
everything, the session included, when cleared at lock time.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt

from app.crm.contacts import ContactService, ContactSummary
from app.locale import _
from ui.session_context import SessionContext

Index = QModelIndex | QPersistentModelIndex
ROOT = QModelIndex()  # the invisible root: a flat table

BATCH = 256
SEARCH_LIMIT = 500
CACHE_BLOCKS = 8  # pages of row text kept in memory (2,048 rows): more than any window shows at once
NAME, EMAIL, PHONE, ORGANISATION = range(4)
ID_ROLE = Qt.ItemDataRole.UserRole

Cursor = tuple[str, int]  # (sort key, id): where a keyset page starts


class ContactListModel(QAbstractTableModel):
    def __init__(self, context: SessionContext, parent: Any = None) -> None:
        super().__init__(parent)
        self._context: SessionContext | None = context
        self._query = ""
        self._ids: list[int] = []
        self._cursors: list[Cursor | None] = []  # per page: the cursor it was read after (list mode)
        self._next: Cursor | None = None  # where the next page starts
        self._cache: OrderedDict[int, list[ContactSummary | None]] = OrderedDict()
        self._exhausted = False
        self._capped = False
        self._changing = False

    # --- state ---------------------------------------------------------------------------------------------

    @property
    def query(self) -> str:
        return self._query

    @property
    def capped(self) -> bool:
        """True when a search found more than SEARCH_LIMIT people and only the best are shown."""
        return self._capped

    @property
    def has_more(self) -> bool:
        """More people wait further down the list (whether or not they can be read right now)."""
        return not self._query and not self._exhausted

    @property
    def searching(self) -> bool:
        return bool(self._query)

    def _readable(self) -> bool:
        context = self._context
        return context is not None and context.is_open and not context.busy

    def _service(self) -> ContactService:
        assert self._context is not None
        return ContactService(self._context.session)

    def _forget(self) -> None:
        self._ids, self._cursors, self._next = [], [], None
        self._cache.clear()
        self._exhausted = self._capped = False

    @contextmanager
    def _reset(self) -> Iterator[None]:
        """A model reset during which nobody may fetch: views and testers that ask from inside the reset
        notification would otherwise insert rows before every listener has heard of the reset. Views ask
        again right after it."""
        self._changing = True
        self.beginResetModel()
        try:
            yield
        finally:
            self.endResetModel()
            self._changing = False

    def set_query(self, text: str) -> None:
        """Show the people matching `text` (ranked), or everyone in name order when it is blank."""
        with self._reset():
            self._query = " ".join(text.split())
            self._forget()
            if self._readable():
                if self._query:
                    self._load_search()
                else:
                    self._fetch_page()

    def _load_search(self) -> None:
        found = self._service().search(self._query, limit=SEARCH_LIMIT + 1)
        self._capped = len(found) > SEARCH_LIMIT
        rows: list[ContactSummary | None] = list(found[:SEARCH_LIMIT])
        self._ids = [row.id for row in rows if row is not None]
        for block, start in enumerate(range(0, len(rows), BATCH)):
            self._cache[block] = rows[start:start + BATCH]
        self._exhausted = True

    def refresh(self, keep_rows: int | None = None) -> None:
        """Read again after a change, as many rows as were loaded (at most `keep_rows`, at least one page), so
        the view keeps its place. Views pass the last row they show: each page read again costs a query."""
        if not self._readable():
            return
        wanted = len(self._ids) if keep_rows is None else min(keep_rows, len(self._ids))
        with self._reset():
            self._forget()
            if self._query:
                self._load_search()
            else:
                while not self._exhausted and (not self._ids or len(self._ids) < wanted):
                    self._fetch_page()

    def clear(self) -> None:
        """Forget every row, the query and the session (lock)."""
        with self._reset():
            self._forget()
            self._query = ""
            self._exhausted = True
            self._context = None

    # --- paging --------------------------------------------------------------------------------------------

    def canFetchMore(self, parent: Index = ROOT) -> bool:  # noqa: N802 - Qt override
        return (not parent.isValid() and not self._query and not self._exhausted and not self._changing
                and self._readable())

    def fetchMore(self, parent: Index = ROOT) -> None:  # noqa: N802 - Qt override
        if not self.canFetchMore(parent):
            return
        if self._fetch_page(announce=True):
            try:
                self.endInsertRows()
            finally:
                self._changing = False

    def _fetch_page(self, announce: bool = False) -> list[ContactSummary]:
        """Read the next keyset page; with `announce`, rows are inserted between begin/endInsertRows
        (the caller ends it when the page is not empty)."""
        service = self._service()
        cursor = self._next
        page = service.page(after=cursor, limit=BATCH)
        if len(page) < BATCH:
            self._exhausted = True
        if not page:
            return page
        self._next = service.sort_position(page[-1].id)
        if announce:
            self._changing = True  # until endInsertRows has told everyone (see _reset)
            self.beginInsertRows(QModelIndex(), len(self._ids), len(self._ids) + len(page) - 1)
        block = len(self._ids) // BATCH
        self._ids.extend(row.id for row in page)
        self._cursors.append(cursor)
        self._remember(block, list(page))
        return page

    def _remember(self, block: int, rows: list[ContactSummary | None]) -> None:
        self._cache[block] = rows
        self._cache.move_to_end(block)
        while not self._query and len(self._cache) > CACHE_BLOCKS:
            self._cache.popitem(last=False)

    def _block(self, block: int) -> list[ContactSummary | None] | None:
        """The text of one page of rows, read again by its cursor if it was let go (list mode only)."""
        rows = self._cache.get(block)
        if rows is not None:
            self._cache.move_to_end(block)
            return rows
        if self._query or block >= len(self._cursors) or not self._readable():
            return None
        ids = self._ids[block * BATCH:(block + 1) * BATCH]
        found = {row.id: row for row in self._service().page(after=self._cursors[block], limit=len(ids))}
        rows = [found.get(contact_id) for contact_id in ids]  # a person deleted since shows blank until refresh
        self._remember(block, rows)
        return rows

    # --- rows ----------------------------------------------------------------------------------------------

    def contact_id(self, row: int) -> int | None:
        return self._ids[row] if 0 <= row < len(self._ids) else None

    def row_of(self, contact_id: int) -> int | None:
        """The row of a loaded person, or None (not loaded yet, or not in the current results)."""
        try:
            return self._ids.index(contact_id)
        except ValueError:
            return None

    def summary(self, row: int) -> ContactSummary | None:
        if not 0 <= row < len(self._ids):
            return None
        rows = self._block(row // BATCH)
        return None if rows is None else rows[row % BATCH]

    @staticmethod
    def text(summary: ContactSummary, column: int) -> str:
        value = (summary.name, summary.email, summary.phone, summary.organisation)[column]
        return value or ""

    # --- the table -----------------------------------------------------------------------------------------

    def rowCount(self, parent: Index = ROOT) -> int:  # noqa: N802 - Qt override
        return 0 if parent.isValid() else len(self._ids)

    def columnCount(self, parent: Index = ROOT) -> int:  # noqa: N802 - Qt override
        return 0 if parent.isValid() else 4

    def headerData(self, section: int, orientation: Qt.Orientation,  # noqa: N802 - Qt override
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation != Qt.Orientation.Horizontal or role != Qt.ItemDataRole.DisplayRole or not 0 <= section < 4:
            return None
        return (_("Name"), _("Email"), _("Phone"), _("Organisation"))[section]

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._ids) or not 0 <= index.column() < 4:
            return None
        if role == ID_ROLE:
            return self._ids[index.row()]
        if role not in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return None
        summary = self.summary(index.row())
        if summary is None:
            return None
        return self.text(summary, index.column())
