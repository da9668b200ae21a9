"""CRM figures on N synthetic customers (BENCH_CONTACTS, default 1,000,000): bulk load, search, lists, memory.

Each part runs in a process of its own, so its memory figure counts nothing done before it: the bulk load; the
search and list figures (a fresh process that unlocks the vault as the app does); the real main window
(`bench_window`).

Search times what the customer list runs for a query (ui/models/contacts_model.py): the ranked ids, at most
SEARCH_LIMIT + 1 of them, then the list text of the first BATCH rows (`ContactService.summaries`). Its raw twin
runs the same two SQL statements on a bare SQLCipher connection. Each side starts on a fresh connection (SQLite's
page cache empty: a person searching has rarely just run the same query) and the two take turns going first, so
neither reads pages the other has just decrypted. BENCH_SEARCH_ROUNDS rounds (default 10) of every query; the
ratio's spread is over the rounds. The wall-clock times are what a person waits; the ratios are also taken on the
thread's CPU time, which other programs on the machine do not inflate (the benchmark reads from the OS's file
cache, so the work is all CPU).
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import keyring
import keyring.backends.fail
import sqlcipher3

from app.access.session import Session, create_vault, open_session
from app.crm import demo
from app.crm.contacts import ContactService
from app.store import database
from app.vault import kdf
from bench.report import figure, peak_rss_mb, percentile, timed

QUERIES = [
    "ana",
    "mül",
    "garc",
    "王",
    "王芳",
    "nunez",
    "example",
    "7700 900",
    "139",
    "corner bak",
    "müller lukas",
    "Παπα",
    "Иван",
    "محمد",
    "cohen",
    "café",
    "lea",
    "wholesale",
    "vip",
    "0151",
]
ROUNDS = int(os.environ.get("BENCH_SEARCH_ROUNDS", "10"))
USER, PASSWORD = "Bench", "bench-password"


def _first_paint(session: Session) -> tuple[float, float, float, int]:
    """The Customers screen offscreen: building it (cold, the first Qt screen of the process), then opening it:
    the list read and its first frame painted. The first time in a process also pays for Qt's fonts and
    PySide's enums (in the app the window's other pages have paid it by then); then the median of five more
    openings, which is what the user waits for each time."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtWidgets import QApplication

    from ui.customers.page import CustomersPage
    from ui.session_context import SessionContext

    app = QApplication.instance() or QApplication([])
    context = SessionContext(session)
    page = CustomersPage(context)
    page.resize(1100, 700)

    def build() -> None:
        page.show()
        app.processEvents()

    built = timed(build)
    first = timed(lambda: (page.refresh(), page.grab()))  # what the main window does when the page is opened
    painted = statistics.median(timed(lambda: (page.refresh(), page.grab())) for _ in range(5))
    rows = page.model.rowCount()
    page.close()
    page.deleteLater()
    app.processEvents()
    return built, first, painted, rows


def main() -> None:
    count = int(os.environ.get("BENCH_CONTACTS", "1000000"))
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "bench.vault"
        for step in (["--load"], ["--measure"]):
            subprocess.run([sys.executable, "-m", "bench.bench_crm", *step, str(path), str(count)], check=True)
        subprocess.run([sys.executable, "-m", "bench.bench_window", str(path), USER, PASSWORD], check=True)


def load(path: Path, count: int) -> None:
    keyring.set_keyring(keyring.backends.fail.Keyring())  # type: ignore[no-untyped-call]
    session, _ = create_vault(path, USER, PASSWORD, kdf_params=kdf.CHEAP, use_keychain=False)
    seconds = timed(lambda: ContactService(session).create_many(demo.generate(count), source="bench"))
    session.vault.close()
    figure(f"bulk_load_{count}", seconds, "s")
    figure("bulk_load_rate", count / seconds, "contacts/s", digits=0)
    figure("bulk_load_max_rss", peak_rss_mb(), "MB", digits=0)


def _search_list(session: Session, contacts: ContactService) -> None:
    """The customer list's search, app and raw, each on a fresh connection in turn (see the module's doc)."""
    from ui.models.contacts_model import BATCH, SEARCH_LIMIT

    path, key = session.vault.paths.database, session.vault.data_key()
    statements = {}
    for query in QUERIES:
        statement = contacts.search_statement(query, SEARCH_LIMIT + 1, ids_only=True)
        assert statement is not None
        statements[query] = statement
    summaries_sql = ContactService._SUMMARY + "JOIN json_each(?) j ON c.id = j.value WHERE c.deleted_at IS NULL"

    def app_side(query: str) -> tuple[float, float]:
        old, session.vault.db = session.vault.db, database.connect(path, key)  # the app's own settings, cold
        old.close()
        database.bound_cache(session.vault.db)  # and the window's page cache (ui/session_context.py)

        def run() -> None:
            contacts.summaries(contacts.search_ids(query, limit=SEARCH_LIMIT + 1)[:BATCH])

        return _wall_and_cpu(run)

    def raw_side(query: str) -> tuple[float, float]:
        conn = sqlcipher3.connect(str(path))
        conn.execute(database.key_pragma(key))
        conn.execute("SELECT count(*) FROM sqlite_schema").fetchone()  # as the app's connect reads the schema
        sql, args = statements[query]

        def run() -> None:
            ids = [row[0] for row in conn.execute(sql, args)]
            conn.execute(summaries_sql, (json.dumps(ids[:BATCH]),)).fetchall()

        try:
            return _wall_and_cpu(run)
        finally:
            conn.close()

    for query in QUERIES:  # once each, unmeasured: the OS's file cache holds the pages for both sides alike
        app_side(query), raw_side(query)
    app_rounds: list[list[tuple[float, float]]] = []
    raw_rounds: list[list[tuple[float, float]]] = []
    for round_number in range(ROUNDS):
        app_times, raw_times = [], []
        for turn, query in enumerate(QUERIES):
            if (round_number + turn) % 2:
                raw_times.append(raw_side(query))
                app_times.append(app_side(query))
            else:
                app_times.append(app_side(query))
                raw_times.append(raw_side(query))
        app_rounds.append(app_times)
        raw_rounds.append(raw_times)
    figure(
        "search_list_runs",
        ROUNDS * len(QUERIES),
        f"searches per side ({len(QUERIES)} queries x {ROUNDS} rounds, {SEARCH_LIMIT + 1} ids then {BATCH} rows)",
        digits=0,
    )
    for kind, which in (("", 0), ("_cpu", 1)):
        app = [[sample[which] * 1000 for sample in samples] for samples in app_rounds]
        raw = [[sample[which] * 1000 for sample in samples] for samples in raw_rounds]
        every_app, every_raw = [t for r in app for t in r], [t for r in raw for t in r]
        figure(f"search_list{kind}_raw_p50", statistics.median(every_raw), "ms")
        figure(f"search_list{kind}_raw_p95", percentile(every_raw, 0.95), "ms")
        # Each round's median of the query-by-query ratios: the same query on both sides, a turn apart
        paired = [statistics.median(x / y for x, y in zip(a, r, strict=True)) for a, r in zip(app, raw, strict=True)]
        figure(
            f"search_list{kind}_p50",
            statistics.median(every_app),
            "ms",
            floor=f"search_list{kind}_raw_p50",
            ratios=paired,
        )
        figure(
            f"search_list{kind}_p95",
            percentile(every_app, 0.95),
            "ms",
            goal="< 100 ms and <= 1.3 x raw" if not kind else "<= 1.3 x raw",
            floor=f"search_list{kind}_raw_p95",
            ratios=[percentile(a, 0.95) / percentile(r, 0.95) for a, r in zip(app, raw, strict=True)],
        )


def _wall_and_cpu(action: Callable[[], object]) -> tuple[float, float]:
    started, started_cpu = time.perf_counter(), time.thread_time()
    action()
    return time.perf_counter() - started, time.thread_time() - started_cpu


def measure(path: Path, count: int) -> None:
    keyring.set_keyring(keyring.backends.fail.Keyring())  # type: ignore[no-untyped-call]
    session = open_session(path, USER, PASSWORD)
    contacts = ContactService(session)
    _search_list(session, contacts)

    conn = session.conn
    database.bound_cache(conn)  # the window's page cache (both sides of the list figures read through it)
    same_sql = (
        ContactService._SUMMARY + "WHERE c.deleted_at IS NULL AND (c.sort_key, c.id) > (?, ?) "
        "ORDER BY c.sort_key, c.id LIMIT ?"
    )
    first, raw_first = [], []
    for turn in range(21):  # warm, both, taking turns: the list's first page is read whenever it is opened
        sides = [
            (first, lambda: contacts.page(limit=256)),
            (raw_first, lambda: conn.execute(same_sql, ("", 0, 256)).fetchall()),
        ]
        for samples, action in sides[::-1] if turn % 2 else sides:
            samples.append(_wall_and_cpu(action))
    figure("list_first_page_raw", statistics.median(t[0] for t in raw_first) * 1000, "ms")
    figure(
        "list_first_page",
        statistics.median(t[0] for t in first) * 1000,
        "ms",
        floor="list_first_page_raw",
        ratios=[statistics.median(a[0] for a in first) / statistics.median(r[0] for r in raw_first)],
    )
    figure("list_first_page_raw_cpu", statistics.median(t[1] for t in raw_first) * 1000, "ms")
    figure(
        "list_first_page_cpu",
        statistics.median(t[1] for t in first) * 1000,
        "ms",
        floor="list_first_page_raw_cpu",
        ratios=[a[1] / r[1] for a, r in zip(first, raw_first, strict=True)],
    )
    deep_key = conn.execute(
        "SELECT sort_key, id FROM contact ORDER BY sort_key, id LIMIT 1 OFFSET ?", (max(0, count - 300),)
    ).fetchone()
    deep = [
        timed(lambda: contacts.page(after=(str(deep_key[0]), int(deep_key[1])), limit=200)) * 1000 for _ in range(5)
    ]
    figure("list_keyset_page_at_depth", statistics.median(deep), "ms", digits=2)

    built, first, paint, rows_shown = _first_paint(session)
    figure("list_screen_build_cold", built * 1000, "ms", digits=0)
    figure("list_first_paint_first_in_process", first * 1000, "ms", digits=0)
    figure("list_first_paint", paint * 1000, "ms", digits=0, goal="< 100 ms")
    figure("list_first_paint_rows", rows_shown, "rows", digits=0)

    fts = conn.execute("SELECT coalesce(sum(length(block)), 0) FROM contact_search_data").fetchone()[0]
    fts += conn.execute("SELECT coalesce(sum(length(block)), 0) FROM contact_phone_search_data").fetchone()[0]
    text = conn.execute(
        "SELECT sum(length(display_name) + length(given_name) + length(family_name)) FROM contact"
    ).fetchone()[0]
    text += conn.execute("SELECT sum(length(value) + length(normalized)) FROM contact_point").fetchone()[0]
    figure("search_index_size", fts / 1e6, "MB")
    figure("search_index_to_text_ratio", fts / text, "x", digits=2)
    session.vault.close()


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] in ("--load", "--measure"):
        (load if sys.argv[1] == "--load" else measure)(Path(sys.argv[2]), int(sys.argv[3]))
    else:
        main()
