"""CRM figures on N synthetic customers (BENCH_CONTACTS, default 1,000,000): bulk load, search, lists, size.

Each figure that has a 'raw' twin is measured against raw SQLCipher running the same SQL statement in the same
process (for search, the very statement `ContactService.search` runs, from `search_statement`), so the ratio is
the app's own overhead and holds on any machine. Prints `NAME VALUE UNIT` lines.
"""

from __future__ import annotations

import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import keyring
import keyring.backends.fail

from app.access.session import create_vault, open_session
from app.crm import demo
from app.crm.contacts import ContactService
from app.vault import kdf

QUERIES = ["ana", "mül", "garc", "王", "王芳", "nunez", "example", "7700 900", "139", "corner bak", "müller lukas",
           "Παπα", "Иван", "محمد", "cohen", "café", "lea", "wholesale", "vip", "0151"]


def _percentile(samples: list[float], fraction: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))]


def _time(action, repeat: int = 1) -> list[float]:  # type: ignore[no-untyped-def]
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        action()
        samples.append(time.perf_counter() - started)
    return samples


def _first_paint(session) -> tuple[float, float, int]:  # type: ignore[no-untyped-def]
    """The Customers screen offscreen: building it (cold, the first Qt screen of the process), then opening it:
    the list read and its first frame painted, which is what the user waits for each time."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtWidgets import QApplication

    from ui.pages.customers import CustomersPage
    from ui.session_context import SessionContext

    app = QApplication.instance() or QApplication([])
    context = SessionContext(session)
    started = time.perf_counter()
    page = CustomersPage(context)
    page.resize(1100, 700)
    page.show()
    app.processEvents()
    built = time.perf_counter() - started
    started = time.perf_counter()
    page.refresh()  # what the main window does when the page is opened
    page.grab()
    painted = time.perf_counter() - started
    rows = page.model.rowCount()
    page.close()
    page.deleteLater()
    app.processEvents()
    return built, painted, rows


def _peak_rss_mb() -> float:
    """This process's peak RSS. Linux's VmHWM starts afresh at exec; ru_maxrss would keep the parent's peak."""
    try:
        status = Path("/proc/self/status").read_text()
        return int(next(line.split()[1] for line in status.splitlines() if line.startswith("VmHWM:"))) / 1024
    except (OSError, StopIteration):
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    count = int(os.environ.get("BENCH_CONTACTS", "1000000"))
    keyring.set_keyring(keyring.backends.fail.Keyring())
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "bench.vault"
        session, _ = create_vault(path, "Bench", "bench-password", kdf_params=kdf.CHEAP, use_keychain=False)
        load = _time(lambda: ContactService(session).create_many(demo.generate(count), source="bench"))[0]
        session.vault.close()
        print(f"bulk_load_{count} {load:.1f} s")
        print(f"bulk_load_rate {count / load:.0f} contacts/s")
        print(f"bulk_load_max_rss {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB", flush=True)
        # The rest in a fresh process that unlocks the vault as the app does: its memory is the app's with
        # a million customers, not the loader's (whose page cache is enlarged while it writes).
        subprocess.run([sys.executable, "-m", "bench.bench_crm", "--measure", str(path), str(count)], check=True)


def measure(path: Path, count: int) -> None:
    keyring.set_keyring(keyring.backends.fail.Keyring())
    session = open_session(path, "Bench", "bench-password")
    contacts = ContactService(session)

    conn = session.conn
    app_times, raw_times = [], []
    for query in QUERIES:  # warm up once, then take turns going first: the first run of a query pays for
        contacts.search(query, limit=50)  # reading its pages, and a fixed order gave that to one side only
    for turn, query in enumerate(QUERIES * 10):
        statement = contacts.search_statement(query, limit=50)
        assert statement is not None
        pairs = [(lambda q=query: contacts.search(q, limit=50), app_times),
                 (lambda sql=statement[0], args=statement[1]: conn.execute(sql, args).fetchall(), raw_times)]
        for action, samples in pairs[::-1] if turn % 2 else pairs:
            samples += _time(action)
    p95, raw_p95 = _percentile(app_times, 0.95), _percentile(raw_times, 0.95)
    print(f"search_p50 {statistics.median(app_times) * 1000:.1f} ms")
    print(f"search_p95 {p95 * 1000:.1f} ms")
    print(f"search_raw_p95 {raw_p95 * 1000:.1f} ms")
    print(f"search_p95_ratio {p95 / raw_p95:.2f} x")

    first = _time(lambda: contacts.page(limit=256), 5)
    same_sql = (ContactService._SUMMARY + "WHERE c.deleted_at IS NULL AND (c.sort_key, c.id) > (?, ?) "
                "ORDER BY c.sort_key, c.id LIMIT ?")
    raw_first = _time(lambda: conn.execute(same_sql, ("", 0, 256)).fetchall(), 5)
    print(f"list_first_page {statistics.median(first) * 1000:.1f} ms")
    print(f"list_first_page_ratio {statistics.median(first) / statistics.median(raw_first):.2f} x")
    deep_key = conn.execute("SELECT sort_key, id FROM contact ORDER BY sort_key, id LIMIT 1 OFFSET ?",
                            (max(0, count - 300),)).fetchone()
    deep = _time(lambda: contacts.page(after=(str(deep_key[0]), int(deep_key[1])), limit=200), 5)
    print(f"list_keyset_page_at_depth {statistics.median(deep) * 1000:.2f} ms")

    built, paint, rows_shown = _first_paint(session)
    print(f"list_screen_build_cold {built * 1000:.0f} ms")
    print(f"list_first_paint {paint * 1000:.0f} ms")
    print(f"list_first_paint_rows {rows_shown} rows")

    fts = conn.execute("SELECT coalesce(sum(length(block)), 0) FROM contact_search_data").fetchone()[0]
    fts += conn.execute("SELECT coalesce(sum(length(block)), 0) FROM contact_phone_search_data").fetchone()[0]
    text = conn.execute("SELECT sum(length(display_name) + length(given_name) + length(family_name)) "
                        "FROM contact").fetchone()[0]
    text += conn.execute("SELECT sum(length(value) + length(normalized)) FROM contact_point").fetchone()[0]
    print(f"search_index_size {fts / 1e6:.1f} MB")
    print(f"search_index_to_text_ratio {fts / text:.2f} x")
    print(f"process_max_rss {_peak_rss_mb():.0f} MB")
    session.vault.close()


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "--measure":
        measure(Path(sys.argv[2]), int(sys.argv[3]))
    else:
        main()
