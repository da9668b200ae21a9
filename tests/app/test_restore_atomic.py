"""Issue #18: restore is atomic (a kill at any step leaves the old vault or the new one), the erasure ledger
travels in every backup and the database, and person ids are never handed out twice across restores."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from filelock import FileLock

from app.access.session import Session, create_vault, open_session
from app.admin import restore
from app.crm.contacts import ContactInput, ContactService
from app.errors import VaultBusy
from app.privacy import erasure
from app.vault import backup, kdf, restore_journal
from app.vault.vault import Vault, VaultPaths
from tests.conftest import OWNER, OWNER_PASSWORD

ROOT = Path(__file__).resolve().parents[2]


def _names(path: Path) -> set[str]:
    with Vault.unlock(path, OWNER, OWNER_PASSWORD) as vault:
        return {str(r[0]) for r in vault.db.execute("SELECT display_name FROM contact")}


def _add(session: Session, *names: str) -> list[int]:
    return [ContactService(session).create(ContactInput(given_name=name, family_name="Test")) for name in names]


@pytest.fixture
def shop(tmp_path: Path) -> tuple[Path, Path]:
    """A password-only vault (a child process has no test keychain) with a backup holding Old, and New added
    after it: restoring gives {Old}, the vault before it {Old, New}."""
    path = tmp_path / "shop" / "shop.vault"
    session, _key = create_vault(path, OWNER, OWNER_PASSWORD, use_keychain=False, kdf_params=kdf.CHEAP)
    _add(session, "Old")
    made = backup.make_backup(session.vault, tmp_path)
    _add(session, "New")
    session.vault.close()
    return path, made


OLD, NEW = {"Old Test", "New Test"}, {"Old Test"}

RESTORE_AND_DIE = """
import os, signal, sys
from pathlib import Path
from app.admin import restore
from app.vault import restore_journal
stop = sys.argv[4]
def step(name):
    if name == stop:
        os.kill(os.getpid(), signal.SIGKILL)
restore_journal._step = step
restore.restore(Path(sys.argv[1]), Path(sys.argv[2]), user="Ana Owner", password=sys.argv[3])
"""

STEPS = [
    "journal",
    "aside shop.vault",
    "aside shop.vault.keys",
    "aside shop.vault.marks",
    "in shop.vault",
    "in shop.vault.keys",
    "in shop.vault.marks",
]


@pytest.mark.parametrize("step", STEPS)
def test_sigkill_at_each_step_of_the_swap_leaves_a_whole_vault(shop: tuple[Path, Path], step: str) -> None:
    path, made = shop
    child = subprocess.run(
        [sys.executable, "-c", RESTORE_AND_DIE, str(made), str(path), OWNER_PASSWORD, step],
        env=dict(os.environ, PYTHONPATH=str(ROOT)),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert child.returncode == -signal.SIGKILL, child.stderr  # it really died at that step
    assert restore_journal.journal_path(VaultPaths.of(path)).exists()
    assert _names(path) == NEW  # the next open finished the swap from the journal
    assert not restore_journal.journal_path(VaultPaths.of(path)).exists()
    assert not list(path.parent.glob(".restore-*"))
    kept = next(path.parent.glob("shop.vault.before-restore-*"))
    assert (kept / "shop.vault").exists() and (kept / "shop.vault.keys").exists()


def test_the_unlock_screen_finishes_a_swap_that_moved_the_key_file_aside(shop: tuple[Path, Path]) -> None:
    from app.access.sign_in import sign_in_names

    path, made = shop
    child = subprocess.run(
        [sys.executable, "-c", RESTORE_AND_DIE, str(made), str(path), OWNER_PASSWORD, "aside shop.vault.keys"],
        env=dict(os.environ, PYTHONPATH=str(ROOT)),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert child.returncode == -signal.SIGKILL, child.stderr
    assert not VaultPaths.of(path).keyfile.exists()  # "key file missing" on the unlock screen, before
    assert sign_in_names(path) == [OWNER]
    assert _names(path) == NEW


def test_sigkill_before_the_swap_leaves_the_old_vault(shop: tuple[Path, Path]) -> None:
    path, made = shop
    script = RESTORE_AND_DIE.replace("restore_journal._step = step", "restore_journal.swap = lambda *a: step('x')")
    child = subprocess.run(
        [sys.executable, "-c", script, str(made), str(path), OWNER_PASSWORD, "x"],
        env=dict(os.environ, PYTHONPATH=str(ROOT)),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert child.returncode == -signal.SIGKILL, child.stderr
    assert _names(path) == OLD
    [left] = path.parent.glob(".restore-*")  # the staged copy of the backup (a whole vault's size)
    restore.restore(made, path, user=OWNER, password=OWNER_PASSWORD)
    assert not left.exists() and _names(path) == NEW


def test_a_restore_under_way_keeps_the_vault_busy(shop: tuple[Path, Path]) -> None:
    path, _made = shop
    paths = VaultPaths.of(path)
    restore_journal.journal_path(paths).write_text('{"staging": ".restore-x", "kept_aside": "a", "staged": []}')
    held = FileLock(paths.lockfile, timeout=0, thread_local=False)
    held.acquire()
    try:
        with pytest.raises(VaultBusy, match="being restored"):
            Vault.unlock(path, OWNER, OWNER_PASSWORD)
    finally:
        held.release()


# --- the erasure ledger is in the database and in every backup ------------------------------------------------


def _erased_after_a_backup(tmp_path: Path) -> tuple[Path, Path, Path]:
    """Ana, Bob, Cy; a backup; Bob erased; a second backup. Returns the vault, the first and the second backup."""
    path = tmp_path / "shop.vault"
    session, _key = create_vault(path, OWNER, OWNER_PASSWORD, use_keychain=False, kdf_params=kdf.CHEAP)
    folder = tmp_path / "backups"
    folder.mkdir()
    ids = _add(session, "Ana", "Bob", "Cy")
    first = backup.make_backup(session.vault, folder)
    erasure.erase(session, ids[1])
    second = backup.make_backup(session.vault, folder)
    session.vault.close()
    return path, first, second


def test_restore_re_erases_from_the_database_when_the_erasures_file_is_gone(tmp_path: Path) -> None:
    path, first, second = _erased_after_a_backup(tmp_path)
    shutil.rmtree(second)  # only the vault itself knows now
    VaultPaths.of(path).erasures.unlink()
    result = restore.restore(first, path, user=OWNER, password=OWNER_PASSWORD)
    assert result.reerased == 1
    assert _names(path) == {"Ana Test", "Cy Test"}
    assert erasure.read_outside(VaultPaths.of(path).erasures)  # the file is whole again


def test_restore_re_erases_from_a_newer_backup_when_the_vault_and_its_files_are_gone(tmp_path: Path) -> None:
    path, first, second = _erased_after_a_backup(tmp_path)
    manifest = json.loads((second / backup.MANIFEST).read_text())  # the newer backup carries the erasure
    assert len(manifest[backup.LEDGER_FIELD]) == 1 and manifest[backup.HIGH_WATER_FIELD] >= 3
    for gone in VaultPaths.of(path).database_files() + [VaultPaths.of(path).erasures]:
        gone.unlink(missing_ok=True)  # the disk died: only the backups are left (and the key file, for the lock)
    result = restore.restore(first, path, user=OWNER, password=OWNER_PASSWORD)
    assert result.reerased == 1 and result.ledger == 1
    assert _names(path) == {"Ana Test", "Cy Test"}


# --- person ids are never reused across restores ------------------------------------------------------------


def test_the_issues_story_no_innocent_newcomer_is_erased(tmp_path: Path) -> None:
    """Restore an old backup, add new customers, restore again: nobody new may carry an erased person's id."""
    path = tmp_path / "shop.vault"
    folder = tmp_path / "backups"
    folder.mkdir()
    session, _key = create_vault(path, OWNER, OWNER_PASSWORD, use_keychain=False, kdf_params=kdf.CHEAP)
    _add(session, "Ana", "Bob")
    old = backup.make_backup(session.vault, folder)
    [dora] = _add(session, "Dora")
    erasure.erase(session, dora)
    session.vault.close()
    restore.restore(old, path, user=OWNER, password=OWNER_PASSWORD)
    session = open_session(path, OWNER, OWNER_PASSWORD)
    [eve] = _add(session, "Eve")
    assert eve > dora  # not Dora's id again
    newer = backup.make_backup(session.vault, folder)
    session.vault.close()
    result = restore.restore(newer, path, user=OWNER, password=OWNER_PASSWORD)
    assert result.reerased == 0
    assert _names(path) == {"Ana Test", "Bob Test", "Eve Test"}


def test_ids_stay_above_the_mark_when_only_a_newer_backups_manifest_knows(tmp_path: Path) -> None:
    path = tmp_path / "shop.vault"
    folder = tmp_path / "backups"
    folder.mkdir()
    session, _key = create_vault(path, OWNER, OWNER_PASSWORD, use_keychain=False, kdf_params=kdf.CHEAP)
    _add(session, "Ana")
    old = backup.make_backup(session.vault, folder)
    added = _add(session, "Bob", "Cy")
    backup.make_backup(session.vault, folder)
    session.vault.close()
    for gone in VaultPaths.of(path).database_files() + [path.with_name("shop.vault.marks")]:
        gone.unlink(missing_ok=True)
    restore.restore(old, path, user=OWNER, password=OWNER_PASSWORD)
    session = open_session(path, OWNER, OWNER_PASSWORD)
    assert _add(session, "Dee")[0] > max(added)
    session.vault.close()
