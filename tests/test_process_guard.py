"""Customer data in memory stays out of core dumps and away from other same-user processes, and SQLCipher's
memory security stays off (app/process_guard.py explains the trade)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from app.store import database

ROOT = Path(__file__).resolve().parents[1]


def _run(code: str) -> str:
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    return done.stdout.strip()


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX resource limits")
def test_guarded_process_writes_no_core_dump_and_cannot_be_traced() -> None:
    before = _run("import resource; from app.process_guard import dumpable; "
                  "print(resource.getrlimit(resource.RLIMIT_CORE)[1] != 0 or None, dumpable())")
    after = _run("import resource; from app.process_guard import guard_process_memory, dumpable; "
                 "took = guard_process_memory(); "
                 "print(resource.getrlimit(resource.RLIMIT_CORE), dumpable(), took)")
    assert after.startswith("(0, 0)")
    if sys.platform.startswith("linux"):
        assert before.endswith("True") and " False " in after and "not dumpable" in after


def test_the_cli_guards_its_process_before_touching_a_vault(tmp_path: Path) -> None:
    out = _run("import resource, sys; from app import cli; "
               f"cli.main(['verify', {str(tmp_path / 'none.vault')!r}, '--user', 'x']); "
               "print(resource.getrlimit(resource.RLIMIT_CORE))") if sys.platform != "win32" else "(0, 0)"
    assert out.endswith("(0, 0)")


def test_vault_connections_leave_sqlcipher_memory_security_off(tmp_path: Path) -> None:
    conn = database.connect(tmp_path / "m.db", bytes(range(32)), create=True)
    assert conn.execute("PRAGMA cipher_memory_security").fetchone()[0] in ("0", 0)
    assert conn.execute("PRAGMA secure_delete").fetchone()[0] == 1
    conn.close()
