"""The customer list as a table model that never holds the whole table.

Without a query it walks everyone in name order with keyset pages of 256 (`canFetchMore`/`fetchMore`), keeping
every loaded id but the rows' text only for the last few pages shown (a page let go is read again by its ids
when it scrolls back into view). With a query it holds the ranked ids of the search results, at most
SEARCH_LIMIT of them, reads their text a page at a time as it is shown, and says when it stopped there.

A filter (tag, owner, consent state) narrows both, in the same SQL. A filtered walk may pass over many people
for each one it shows, so it looks through at most SCAN_SPAN people per read and goes on, a stretch per turn of
the event loop, until it has found a page (the window stays responsive; `looking` says it is still at it).

It reads on the UI thread only while no operation holds the connection (`context.busy`), and forgets
everything, the session included, when cleared at lock time.
"""

from __future__ import annotations

import functools
from collections import OrderedDict
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, QTimer, Signal

from app.crm.contacts import ContactFilter, ContactService, ContactSummary
from app.locale import _
from ui.models.background_search import BackgroundSearch
from ui.session_context import SessionContext

Index = QModelIndex | QPersistentModelIndex
ROOT = QModelIndex()  # the invisible root: a flat table

BATCH = 256
SEARCH_LIMIT = 500
CACHE_BLOCKS = 8  # pages of row text kept in memory (2,048 rows): more than any window shows at once
SCAN_SPAN = 2048  # people a filtered read looks through at most (about 50 ms at worst, at any size)
NAME, EMAIL, PHONE, ORGANISATION = range(4)
ID_ROLE = Qt.ItemDataRole.UserRole

Cursor = tuple[str, int]  # (sort key, id): where a keyset page starts


class ContactListModel(QAbstractTableModel):
    looking_changed = Signal()  # a filtered walk started or stopped looking for more people
    searched = Signal()  # a search typed in the background has its results in

    def __init__(self, context: SessionContext, parent: Any = None) -> None:
        super().__init__(parent)
        self._context: SessionContext | None = context
        self._query = ""
        self._filter = ContactFilter()
        self._ids: list[int] = []
        self._next: Cursor | None = None  # where the next read starts
        self._cache: OrderedDict[int, list[ContactSummary | None]] = OrderedDict()
        self._exhausted = False
        self._capped = False
        self._changing = False
        self._wanted = 0  # people a filtered walk still looks for, a stretch at a time
        self._told_looking = False  # what listeners last heard (looking_changed)
        self._step_timer = QTimer(self)
        self._step_timer.setSingleShot(True)
        self._step_timer.setInterval(0)
        self._step_timer.timeout.connect(self._step)
        self._background = BackgroundSearch(context, self)
        self._background.found.connect(self._found)
        self._background.failed.connect(lambda ticket, _kind: self._found(ticket, None))
        self._pending: tuple[int, str] | None = None  # (ticket, query) of the search under way
        self._resume: str | None = None  # a search an operation interrupted
        context.busy_changed.connect(self._busy_changed)

    # --- state ---------------------------------------------------------------------------------------------

    @property
    def query(self) -> str:
        return self._query

    @property
    def filter(self) -> ContactFilter:
        return self._filter

    @property
    def filtering(self) -> bool:
        """A filter leaves some people out."""
        return self._filter.active

    @property
    def capped(self) -> bool:
        """True when a search found more than SEARCH_LIMIT people and only the best are shown."""
        return self._capped

    @property
    def has_more(self) -> bool:
        """More people wait further down the list (whether or not they can be read right now)."""
        return not self._query and not self._exhausted

    @property
    def looking(self) -> bool:
        """A filtered walk is still looking through the list for the people it was asked for."""
        return self._wanted > 0 and not self._exhausted

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
        self._ids, self._next = [], None
        self._cache.clear()
        self._exhausted = self._capped = False
        self._want(0)

    def _want(self, rows: int) -> None:
        """Go on looking (in the background, a stretch at a time) until `rows` more people are found."""
        self._wanted = max(rows, 0) if not self._exhausted else 0
        if self._wanted:
            self._step_timer.start()
        else:
            self._step_timer.stop()
        if self.looking != self._told_looking:
            self._told_looking = self.looking
            self.looking_changed.emit()

    def _busy_changed(self, busy: bool, _what: str) -> None:
        if busy and self._pending is not None:
            self._resume = self._pending[1]  # searched again when the operation is over
        if busy:
            self._drop_background_search()  # the operation may close the second connection (rekey)
        elif self._resume is not None:
            query, self._resume = self._resume, None
            self.search_in_background(query)
        if not busy and self._wanted:
            self._step_timer.start()  # the walk waited for the connection

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

    def set_query(self, text: str, where: ContactFilter | None = None) -> None:
        """Show the people matching `text` (ranked), or everyone in name order when it is blank; `where`
        replaces the filter (None keeps the one in force)."""
        self._pending = self._resume = None  # this answer replaces any search still running in the background
        with self._reset():
            self._query = " ".join(text.split())
            if where is not None:
                self._filter = where
            self._forget()
            if self._readable():
                if self._query:
                    self._load_search()
                else:
                    self._fetch_page()
                    self._want(BATCH - len(self._ids))

    @property
    def searching_in_background(self) -> bool:
        """A search typed in the box is still running; the rows shown are the previous ones."""
        return self._pending is not None

    def search_in_background(self, text: str) -> bool:
        """Like `set_query(text)` for search as you type: the ranked ids are found on a worker thread while the
        window keeps the previous rows, and arrive with `searched`. A newer call replaces an older one.
        A blank query (everyone, a keyset page) is read at once. Returns False when nothing can be read now."""
        query = " ".join(text.split())
        if not self._readable():
            return False
        statement = (
            self._service().search_statement(query, SEARCH_LIMIT + 1, self._filter, ids_only=True) if query else None
        )
        if statement is None:
            self._drop_background_search()
            self.set_query(query)
            return True
        self._pending = (self._background.start(statement), query)
        return True

    def _found(self, ticket: int, ids: list[int] | None) -> None:
        pending = self._pending
        if pending is None or pending[0] != ticket or not self._readable():
            return
        self._pending = None
        if ids is None:  # the worker failed (a damaged page, say): search here, as before searches ran on a worker
            self.set_query(pending[1])
        else:
            with self._reset():
                self._query = pending[1]
                self._forget()
                self._capped = len(ids) > SEARCH_LIMIT
                self._ids = ids[:SEARCH_LIMIT]
                self._exhausted = True
        self.searched.emit()

    def _drop_background_search(self) -> None:
        self._pending = None
        self._background.stop()

    def set_filter(self, where: ContactFilter) -> None:
        """Narrow the list (or the search results) to the people `where` lets through, read again from the
        start."""
        self.set_query(self._query, where)

    def _load_search(self) -> None:
        """The ranked ids only: each block's text is read when it is first shown (at 1M people, reading the
        summaries of all 500 took a third of a keystroke's search)."""
        found = self._service().search_ids(self._query, limit=SEARCH_LIMIT + 1, where=self._filter)
        self._capped = len(found) > SEARCH_LIMIT
        self._ids = found[:SEARCH_LIMIT]
        self._exhausted = True

    def refresh(self, keep_rows: int | None = None) -> None:
        """Read again after a change, as many rows as were loaded (at most `keep_rows`, at least one page), so
        the view keeps its place. Views pass the last row they show: each page read again costs a query.
        A filtered list reads its first stretch now and looks for the rest in the background."""
        if not self._readable():
            return
        wanted = max(len(self._ids) if keep_rows is None else min(keep_rows, len(self._ids)), BATCH)
        with self._reset():
            self._forget()
            if self._query:
                self._load_search()
                return
            self._fetch_page()
            while not self._filter.active and not self._exhausted and len(self._ids) < wanted:
                self._fetch_page()
            self._want(wanted - len(self._ids))

    def clear(self) -> None:
        """Forget every row, the query, the filter and the session (lock). The model is done with then: a new
        session gets a new page."""
        self._pending = self._resume = None
        self._background.shut_down()
        with self._reset():
            self._forget()
            self._query = ""
            self._filter = ContactFilter()
            self._exhausted = True
            self._context = None

    # --- paging --------------------------------------------------------------------------------------------

    def canFetchMore(self, parent: Index = ROOT) -> bool:  # noqa: N802 - Qt override
        return (
            not parent.isValid() and not self._query and not self._exhausted and not self._changing and self._readable()
        )

    def fetchMore(self, parent: Index = ROOT) -> None:  # noqa: N802 - Qt override
        if not self.canFetchMore(parent):
            return
        if not self._wanted:
            self._wanted = BATCH  # announced (looking_changed) only if it outlasts this call
        self._step()

    def _step(self) -> None:
        """Read one page (or, filtered, one stretch of the list) and insert what it found; go on later while
        people are still wanted."""
        self._step_timer.stop()
        if not self._wanted or not self.canFetchMore():
            return  # resumed when the connection is free again (busy_changed), or by the next fetchMore
        found = self._fetch_page(announce=True)
        if found:
            try:
                self.endInsertRows()
            finally:
                self._changing = False
        self._want(self._wanted - len(found))

    def _fetch_page(self, announce: bool = False) -> list[ContactSummary]:
        """Read the next keyset page, filtered ones no further than SCAN_SPAN people on; with `announce`, rows
        are inserted between begin/endInsertRows (the caller ends it when the page is not empty)."""
        service = self._service()
        cursor = self._next
        until = service.position_after(cursor, SCAN_SPAN) if self._filter.active else None
        page = service.page(after=cursor, limit=BATCH, where=self._filter, until=until)
        if len(page) == BATCH:
            self._next = service.sort_position(page[-1].id)
        elif until is None:
            self._exhausted = True
        else:
            self._next = until  # looked as far as that without filling a page: go on from there
        if not page:
            return page
        if announce:
            self._changing = True  # until endInsertRows has told everyone (see _reset)
            self.beginInsertRows(QModelIndex(), len(self._ids), len(self._ids) + len(page) - 1)
        start = len(self._ids)
        self._ids.extend(row.id for row in page)
        self._keep_text(start, list(page))
        return page

    def _keep_text(self, start: int, rows: list[ContactSummary | None]) -> None:
        """Remember the text of rows just read from row `start` on, in blocks of BATCH rows (a filtered read
        can end part-way through a block; the next one fills it up)."""
        while rows:
            block, within = divmod(start, BATCH)
            part, rows = rows[: BATCH - within], rows[BATCH - within :]
            cached = self._cache.get(block)
            if within == 0:
                self._remember(block, part)
            elif cached is not None and len(cached) == within:
                self._remember(block, cached + part)
            # else the block's text was let go meanwhile: it is read again by its ids when shown
            start += len(part)

    def _remember(self, block: int, rows: list[ContactSummary | None]) -> None:
        self._cache[block] = rows
        self._cache.move_to_end(block)
        while not self._query and len(self._cache) > CACHE_BLOCKS:
            self._cache.popitem(last=False)

    def _block(self, block: int) -> list[ContactSummary | None] | None:
        """The text of one page of rows, read by its ids when first shown (search) or let go (list)."""
        ids = self._ids[block * BATCH : (block + 1) * BATCH]
        rows = self._cache.get(block)
        if rows is not None and len(rows) == len(ids):
            self._cache.move_to_end(block)
            return rows
        if not ids or not self._readable():
            return None
        found = {row.id: row for row in self._service().summaries(ids)}
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
        if value and (column, True) in ((1, summary.email_unchecked), (2, summary.phone_unchecked)):
            return _("{value} (unchecked)").format(value=value)  # kept as typed: staff should correct it
        if column == 0 and summary.restricted:  # GDPR Art. 18: kept, but left out of lists and exports
            return _("{name} (restricted)").format(name=value)
        return value or ""

    # --- the table -----------------------------------------------------------------------------------------

    def rowCount(self, parent: Index = ROOT) -> int:  # noqa: N802 - Qt override
        return 0 if parent.isValid() else len(self._ids)

    def columnCount(self, parent: Index = ROOT) -> int:  # noqa: N802 - Qt override
        return 0 if parent.isValid() else 4

    def headerData(
        self,
        section: int,
        orientation: Qt.Orientation,  # noqa: N802 - Qt override
        role: int = Qt.ItemDataRole.DisplayRole,
    ) -> Any:
        if orientation != Qt.Orientation.Horizontal or role != Qt.ItemDataRole.DisplayRole or not 0 <= section < 4:
            return None
        return (_("Name"), _("Email"), _("Phone"), _("Organisation"))[section]

    @functools.cache  # noqa: B019 - one icon for the model's life; data() runs for every painted cell
    def _stop_icon(self) -> Any:
        from PySide6.QtWidgets import QApplication, QStyle  # widgets are loaded by the time a row is painted

        return QApplication.style().standardIcon(QStyle.StandardPixmap.SP_BrowserStop)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._ids) or not 0 <= index.column() < 4:
            return None
        if role == ID_ROLE:
            return self._ids[index.row()]
        if role == Qt.ItemDataRole.DecorationRole and index.column() == 0:
            marked = self.summary(index.row())
            if marked is not None and marked.restricted:  # a stop sign that survives a narrow column
                return self._stop_icon()
            return None
        if role not in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return None
        summary = self.summary(index.row())
        if summary is None:
            return None
        if role == Qt.ItemDataRole.ToolTipRole and index.column() == 0 and summary.restricted:
            return _("{name}: processing restricted (kept, but left out of lists and exports)").format(
                name=summary.name
            )
        return self.text(summary, index.column())
