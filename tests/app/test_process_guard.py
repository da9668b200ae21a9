"""Customer data in memory stays out of core dumps and away from other same-user processes, and SQLCipher's
memory security stays off (app/process_guard.py explains the trade)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from app import process_guard
from app.store import database

ROOT = Path(__file__).resolve().parents[2]


def _run(code: str) -> str:
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    return done.stdout.strip()


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX resource limits")
def test_guarded_process_writes_no_core_dump_and_is_not_dumpable() -> None:
    before = _run(
        "import resource; from app.process_guard import dumpable; "
        "print(resource.getrlimit(resource.RLIMIT_CORE)[1] != 0 or None, dumpable())"
    )
    after = _run(
        "import resource; from app.process_guard import guard_process_memory, dumpable; "
        "took = guard_process_memory(); "
        "print(resource.getrlimit(resource.RLIMIT_CORE), dumpable(), took)"
    )
    assert after.startswith("(0, 0)")
    if sys.platform.startswith("linux"):
        assert before.endswith("True") and " False " in after and "not dumpable" in after


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX resource limits")
def test_the_cli_guards_its_process_before_touching_a_vault(tmp_path: Path) -> None:
    out = _run(
        "import resource, sys; from app import cli; "
        f"cli.main(['verify', {str(tmp_path / 'none.vault')!r}, '--user', 'x']); "
        "print(resource.getrlimit(resource.RLIMIT_CORE))"
    )
    assert out.endswith("(0, 0)")


def test_vault_connections_leave_sqlcipher_memory_security_off(tmp_path: Path) -> None:
    conn = database.connect(tmp_path / "m.db", bytes(range(32)), create=True)
    assert conn.execute("PRAGMA cipher_memory_security").fetchone()[0] in ("0", 0)
    assert conn.execute("PRAGMA secure_delete").fetchone()[0] == 1
    conn.close()


def test_bulk_work_and_locking_hand_freed_cache_pages_back(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[str] = []
    monkeypatch.setattr(database, "give_back_free_memory", lambda: calls.append("bulk") or True)
    conn = database.connect(tmp_path / "b.db", bytes(range(32)), create=True)
    with database.bulk_cache(conn):
        conn.execute("CREATE TABLE t (v BLOB)")
    assert calls == ["bulk"]
    conn.close()
    if sys.platform.startswith("linux"):
        assert process_guard.give_back_free_memory() is True


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's malloc_trim")
def test_freed_heap_pages_go_back_to_the_system() -> None:
    out = _run(
        "import ctypes; from app.process_guard import give_back_free_memory\n"
        "def rss(): return int(next(l.split()[1] for l in open('/proc/self/status') if l.startswith('VmRSS')))\n"
        "blocks = [bytearray(4000) for _ in range(50000)]\n"
        "pin = bytearray(4000)\n"  # allocated after them, it keeps glibc from trimming the heap's top itself
        "del blocks; kept = rss(); give_back_free_memory(); print(kept, rss())"
    )
    kept, after = (int(v) for v in out.split())
    assert kept > 150_000 and after < kept - 150_000  # ~200 MB of freed 4 KB blocks stayed resident until trimmed
