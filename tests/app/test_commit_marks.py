"""Issue #18: commits lost to a damaged write-ahead log are detected (app/vault/marks.py), and a rekey killed
halfway is finished by the next sign-in, which shows the new recovery key once."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from app.access import rekey_due
from app.access.session import create_vault, open_session
from app.errors import AuthenticationFailed, VaultDamaged
from app.vault import kdf, marks
from app.vault.vault import Vault, VaultPaths
from tests.conftest import OWNER, OWNER_PASSWORD

ROOT = Path(__file__).resolve().parents[2]
ENV = dict(os.environ, PYTHONPATH=str(ROOT))

SAVE_THREE_AND_HANG = """
import os, sys, time
from app.access.session import open_session
from app.crm.contacts import ContactInput, ContactService
session = open_session(sys.argv[1], "Ana Owner", sys.argv[2])
print(os.path.getsize(sys.argv[1] + "-wal"), flush=True)
for name in ("Ada", "Ben", "Cleo"):
    ContactService(session).create(ContactInput(given_name=name, family_name="Saved"))
print("saved", flush=True)
time.sleep(120)
"""


def _killed_after_three_saves(path: Path) -> int:
    """A real process saves three customers and is killed before any checkpoint; returns the -wal's size
    before the first of them."""
    proc = subprocess.Popen(
        [sys.executable, "-c", SAVE_THREE_AND_HANG, str(path), OWNER_PASSWORD],
        stdout=subprocess.PIPE,
        text=True,
        env=ENV,
    )
    assert proc.stdout is not None
    before = int(proc.stdout.readline())
    assert proc.stdout.readline().strip() == "saved"
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    return before


@pytest.fixture
def killed(tmp_path: Path) -> tuple[Path, str, int]:
    path = tmp_path / "shop.vault"
    session, recovery_key = create_vault(path, OWNER, OWNER_PASSWORD, use_keychain=False, kdf_params=kdf.CHEAP)
    session.vault.close()
    return path, recovery_key, _killed_after_three_saves(path)


def _saved(vault: Vault) -> int:
    return int(vault.db.execute("SELECT count(*) FROM contact WHERE family_name = 'Saved'").fetchone()[0])


def test_killed_process_keeps_its_three_saves(killed: tuple[Path, str, int]) -> None:
    with Vault.unlock(killed[0], OWNER, OWNER_PASSWORD) as vault:
        assert _saved(vault) == 3


def test_a_flipped_byte_in_the_wal_is_lost_commits_not_silence(killed: tuple[Path, str, int], run_cli) -> None:  # type: ignore[no-untyped-def]
    path, recovery_key, before = killed
    wal = path.with_name(path.name + "-wal")
    assert wal.stat().st_size > before
    with wal.open("r+b") as handle:  # a byte inside the first page the three saves wrote
        handle.seek(before + 24 + 100)
        byte = handle.read(1)
        handle.seek(before + 24 + 100)
        handle.write(bytes([byte[0] ^ 0x01]))
    result = run_cli("verify", path, "--user", OWNER, "--password-stdin", stdin=OWNER_PASSWORD + "\n")
    assert result.code == 6, result
    assert "lost" in result.err and "backup" in result.err and result.err.count("\n") == 1
    with pytest.raises(VaultDamaged, match="saved changes"):
        Vault.unlock(path, OWNER, OWNER_PASSWORD)
    with Vault.open_with_recovery_key(path, recovery_key) as vault:  # keeps what is left, and counts from there
        assert _saved(vault) == 0
    with Vault.unlock(path, OWNER, OWNER_PASSWORD) as vault:
        assert _saved(vault) == 0


def test_the_marks_file_follows_every_commit_and_is_authenticated(tmp_path: Path) -> None:
    path = tmp_path / "shop.vault"
    session, _key = create_vault(path, OWNER, OWNER_PASSWORD, use_keychain=False, kdf_params=kdf.CHEAP)
    committed = marks.db_commits(session.conn)
    session.record("test.event")
    key = marks.marks_key(session.conn)
    found = marks.read(VaultPaths.of(path).marks, key)
    assert found is not None and found.authentic and found.commits == committed + 1 == marks.db_commits(session.conn)
    session.vault.close()
    forged = VaultPaths.of(path).marks
    forged.write_text(forged.read_text().replace(f'"commits": {committed + 1}', '"commits": 999'))
    with Vault.unlock(path, OWNER, OWNER_PASSWORD) as vault:  # an edited file is not trusted, and written again
        assert marks.read(VaultPaths.of(path).marks, marks.marks_key(vault.db)).commits == committed + 1  # type: ignore[union-attr]


# --- an interrupted rekey -----------------------------------------------------------------------------------

REKEY_AND_DIE = """
import os, signal, sys
from app.access import rekey_due
from app.admin import security
from app.access.session import open_session
from app.vault.vault import Vault
Vault._promote_next_key = lambda self: os.kill(os.getpid(), signal.SIGKILL)  # re-encrypted, slots not yet
session = open_session(sys.argv[1], "Ana Owner", sys.argv[2])
with session.change() as conn:
    rekey_due.mark_rekey_due(conn, "Sam Staff", rekey_due.DISABLED)  # why the owner rekeys
security.rekey(session)
"""


@pytest.fixture
def rekey_killed(tmp_path: Path) -> tuple[Path, str]:
    path = tmp_path / "shop.vault"
    session, recovery_key = create_vault(path, OWNER, OWNER_PASSWORD, use_keychain=False, kdf_params=kdf.CHEAP)
    session.vault.close()
    child = subprocess.run(
        [sys.executable, "-c", REKEY_AND_DIE, str(path), OWNER_PASSWORD],
        env=ENV,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert child.returncode == -signal.SIGKILL, child.stderr
    return path, recovery_key


def test_old_recovery_key_says_sign_in_to_finish_not_damaged(rekey_killed: tuple[Path, str]) -> None:
    path, old_key = rekey_killed
    with pytest.raises(AuthenticationFailed, match="Sign in with a password"):
        Vault.open_with_recovery_key(path, old_key)


def test_next_sign_in_finishes_the_rekey_and_shows_the_new_key_once(rekey_killed: tuple[Path, str], run_cli) -> None:  # type: ignore[no-untyped-def]
    path, old_key = rekey_killed
    first = run_cli("search", path, "--user", OWNER, "x", "--password-stdin", stdin=OWNER_PASSWORD + "\n")
    assert first.code == 0, first
    [line] = [line for line in first.err.splitlines() if line.startswith("Recovery key: ")]
    new_key = line.removeprefix("Recovery key: ")
    assert "Recovery key" not in first.out  # never in a command's piped output
    again = run_cli("search", path, "--user", OWNER, "x", "--password-stdin", stdin=OWNER_PASSWORD + "\n")
    assert again.code == 0 and "Recovery key" not in again.err  # once
    with Vault.open_with_recovery_key(path, new_key) as vault:
        assert vault.recovery_key() == new_key
    with pytest.raises(AuthenticationFailed):
        Vault.open_with_recovery_key(path, old_key)
    session = open_session(path, OWNER, OWNER_PASSWORD)
    try:  # the finished rekey counts as the rekey that was due, and the log says it happened
        assert rekey_due.rekey_due_reasons(session) == []
        assert session.conn.execute("SELECT count(*) FROM audit_event WHERE action = 'vault.rekey'").fetchone()[0] == 1
    finally:
        session.lock("logout")
