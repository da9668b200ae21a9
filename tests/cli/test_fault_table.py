"""Issue #18's table: every fault case it lists, run for real, with the exit code it must give (README's
exit-code table) and the fact that nothing was lost. The detailed tests are in test_faults.py,
test_restore_atomic.py, test_commit_marks.py and test_backup.py; each row here runs its case again end to end."""

from __future__ import annotations

import errno
import json
import os
import signal
import subprocess
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import sqlcipher3

from app.access.session import Session, create_vault, open_session
from app.crm.contacts import ContactInput, ContactPointInput, ContactService
from app.errors import VaultDamaged
from app.privacy import erasure
from app.store import database
from app.vault import backup, kdf, lockout
from app.vault.vault import Vault, VaultPaths
from tests.app.test_commit_marks import REKEY_AND_DIE, _killed_after_three_saves
from tests.app.test_restore_atomic import RESTORE_AND_DIE
from tests.cli.test_faults import _cap_growth, _leftover, _people_csv
from tests.conftest import OWNER, OWNER_PASSWORD, CliResult

ROOT = Path(__file__).resolve().parents[2]
LOGIN = OWNER_PASSWORD + "\n"
Run = Callable[..., CliResult]


class Case:
    """One row: a fresh password-only vault with Ana and Bob, a backup folder, and the tools to break things."""

    def __init__(self, tmp_path: Path, run_cli: Run, monkeypatch: pytest.MonkeyPatch) -> None:
        self.tmp, self.cli, self.patch = tmp_path, run_cli, monkeypatch
        self.path = tmp_path / "shop" / "shop.vault"
        self.folder = tmp_path / "usb"
        self.folder.mkdir()
        session, self.recovery_key = create_vault(
            self.path, OWNER, OWNER_PASSWORD, use_keychain=False, kdf_params=kdf.CHEAP
        )
        contacts = ContactService(session)
        self.ids = [contacts.create(ContactInput(given_name=n, family_name="Row")) for n in ("Ana", "Bob")]
        session.vault.close()

    @contextmanager
    def session(self) -> Iterator[Session]:
        session = open_session(self.path, OWNER, OWNER_PASSWORD)
        try:
            yield session
        finally:
            session.vault.close()

    def run(self, *argv: object, stdin: str = LOGIN) -> CliResult:
        return self.cli(*[str(a) for a in argv], stdin=stdin)

    def signed_in(self, command: str, *argv: object, stdin: str = LOGIN) -> CliResult:
        return self.run(command, self.path, "--user", OWNER, *argv, "--password-stdin", stdin=stdin)

    def names(self) -> set[str]:
        with Vault.unlock(self.path, OWNER, OWNER_PASSWORD) as vault:
            return {str(r[0]) for r in vault.db.execute("SELECT given_name FROM contact")}

    def backup(self) -> Path:
        with self.session() as session:
            return backup.make_backup(session.vault, self.folder)

    def restore(self, made: Path, *extra: object, user: str = OWNER, stdin: str = LOGIN) -> CliResult:
        return self.run("restore", made, "--to", self.path, "--user", user, *extra, "--password-stdin", stdin=stdin)


def restore_while_open(c: Case) -> CliResult:
    made = c.backup()
    with c.session():
        result = c.restore(made)
    assert not list(c.path.parent.glob("*.before-restore-*"))
    return result


def restore_by_staff(c: Case) -> CliResult:
    from app.access.users import UserService

    with c.session() as session:
        UserService(session).add("Sam", "staff", "temporary-1")
        made = backup.make_backup(session.vault, c.folder)
    result = c.restore(made, user="Sam", stdin="temporary-1\n")
    assert not list(c.path.parent.glob("*.before-restore-*"))
    return result


def restore_of_another_vault(c: Case) -> CliResult:
    other, _key = create_vault(c.tmp / "other" / "other.vault", OWNER, OWNER_PASSWORD, kdf_params=kdf.CHEAP)
    made = backup.make_backup(other.vault, c.folder)
    other.vault.close()
    result = c.restore(made)
    assert "--replace-with-other-vault" in result.err and c.names() == {"Ana", "Bob"}
    return result


def sigkill_during_restore_renames(c: Case) -> CliResult:
    made = c.backup()
    with c.session() as session:
        ContactService(session).create(ContactInput(given_name="Cy", family_name="Row"))
    child = subprocess.run(
        [sys.executable, "-c", RESTORE_AND_DIE, str(made), str(c.path), OWNER_PASSWORD, "aside shop.vault.keys"],
        env=dict(os.environ, PYTHONPATH=str(ROOT)),
        capture_output=True,
        timeout=120,
    )
    assert child.returncode == -signal.SIGKILL  # killed with the database aside and the key file not yet
    result = c.signed_in("verify")
    assert c.names() == {"Ana", "Bob"}  # the new vault, whole
    return result


def restore_after_erasure_without_erasures_file(c: Case) -> CliResult:
    made = c.backup()
    with c.session() as session:
        erasure.erase(session, c.ids[1])
    VaultPaths.of(c.path).erasures.unlink()
    result = c.restore(made)
    assert c.names() == {"Ana"} and "Erased again 1" in result.out
    return result


def restore_twice_with_newcomers_between(c: Case) -> CliResult:
    made = c.backup()
    with c.session() as session:
        [cy] = [ContactService(session).create(ContactInput(given_name="Cy", family_name="Row"))]
        erasure.erase(session, cy)
    assert c.restore(made).code == 0
    with c.session() as session:
        ContactService(session).create(ContactInput(given_name="Dee", family_name="Row"))
    result = c.restore(c.backup())
    assert c.names() == {"Ana", "Bob", "Dee"}  # the newcomer did not inherit Cy's id, nor its erasure
    return result


def flipped_byte_in_the_wal(c: Case) -> CliResult:
    before = _killed_after_three_saves(c.path)
    with c.path.with_name(c.path.name + "-wal").open("r+b") as handle:
        handle.seek(before + 124)
        byte = handle.read(1)[0]
        handle.seek(before + 124)
        handle.write(bytes([byte ^ 1]))
    result = c.signed_in("verify")
    assert "lost 3 saved changes" in result.err or "lost" in result.err
    return result


def damaged_middle_page_then_search(c: Case) -> CliResult:
    with c.session() as session:
        contacts = ContactService(session)
        for n in range(400):  # as test_faults.damaged_in_the_middle
            contacts.create(
                ContactInput(
                    given_name=f"Marta{n}",
                    family_name="Quinn",
                    note="note " * 30,
                    points=[ContactPointInput("email", f"marta{n}@example.org")],
                )
            )
        session.vault.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    data = bytearray(c.path.read_bytes())
    pages = len(data) // database.PAGE_SIZE
    for page in range(pages // 3, 2 * pages // 3, 4):  # a flipped byte on middle pages the sign-in does not read
        data[page * database.PAGE_SIZE + 300] ^= 0x01
        c.path.write_bytes(bytes(data))
        try:
            Vault.unlock(c.path, OWNER, OWNER_PASSWORD).close()
        except VaultDamaged:
            data[page * database.PAGE_SIZE + 300] ^= 0x01  # the schema, the users: damage found at open
    c.path.write_bytes(bytes(data))
    result = c.signed_in("search", "Marta")
    assert "page " in result.err
    return result


def disk_full_during_import(c: Case) -> CliResult:
    source = _people_csv(c.tmp / "people.csv", 3000)
    _cap_growth(c.patch, spare_pages=20)
    result = c.signed_in("import", source)
    c.patch.undo()
    assert "disk is full" in result.err and c.names() == {"Ana", "Bob"}
    return result


def disk_full_during_backup(c: Case) -> CliResult:
    def no_space(source: object, target: object, *args: object, **kwargs: object) -> None:
        raise OSError(errno.ENOSPC, "No space left on device", str(target))

    c.patch.setattr(backup.shutil, "copyfile", no_space)
    result = c.signed_in("backup", "--to", c.folder)
    c.patch.undo()
    assert not list(c.folder.iterdir())
    return result


def read_only_vault_folder(c: Case) -> CliResult:
    def cannot_open(*args: object, **kwargs: object) -> None:
        raise sqlcipher3.OperationalError("unable to open database file")

    def denied(folder: Path) -> None:
        raise PermissionError(errno.EACCES, "Permission denied", str(folder))

    c.patch.setattr(database, "connect", cannot_open)
    c.patch.setattr(database, "probe_write", denied, raising=False)
    result = c.signed_in("verify")
    c.patch.undo()
    assert f"cannot write in {c.path.parent}" in result.err
    return result


def unwritable_lockout_file(c: Case) -> CliResult:
    def denied(target: Path, payload: bytes, vault_file: bool = False) -> None:
        raise PermissionError(errno.EACCES, "Permission denied", str(target))

    c.patch.setattr(lockout, "atomic_write", denied)
    result = c.signed_in("verify", stdin="wrong-password\n")
    assert "counting it for this run only" in result.err
    assert lockout.LockoutBook(VaultPaths.of(c.path).lockout).wait_seconds(OWNER) > 0  # counted in memory
    c.patch.undo()
    return result


def import_of_dev_zero(c: Case) -> CliResult:
    if not Path("/dev/zero").exists():
        pytest.skip("no /dev/zero here")
    result = c.signed_in("import", "/dev/zero")
    assert "not a text file" in result.err
    return result


def dry_run_of_a_file_of_problems(c: Case) -> CliResult:
    source = c.tmp / "same.csv"  # every row the same email: duplicates, more than the report lists
    source.write_text("Name,Email\n" + "".join(f"P{n},same@example.com\n" for n in range(1500)), encoding="utf-8")
    result = c.signed_in("import", source, "--dry-run", "--json")
    report = json.loads(result.out)
    assert len(report["messages"]) <= 1000 < len(report["messages"]) + report["messages_left_out"]
    assert c.names() == {"Ana", "Bob"}
    return result


def interrupted_backup_then_the_next(c: Case) -> CliResult:
    stale = _leftover(c.folder, ".partial-counterpart-20250101-020000Z-abc123", 3 * 3600)
    result = c.signed_in("backup", "--to", c.folder)
    assert not stale.exists()
    return result


def interrupted_rekey_then_sign_in(c: Case) -> CliResult:
    child = subprocess.run(
        [sys.executable, "-c", REKEY_AND_DIE, str(c.path), OWNER_PASSWORD],
        env=dict(os.environ, PYTHONPATH=str(ROOT)),
        capture_output=True,
        timeout=120,
    )
    assert child.returncode == -signal.SIGKILL
    result = c.signed_in("verify")
    [line] = [line for line in result.err.splitlines() if line.startswith("Recovery key: ")]
    Vault.open_with_recovery_key(c.path, line.removeprefix("Recovery key: ")).close()
    return result


def logout_after_an_error(c: Case) -> CliResult:
    def logout_fails(self: Session, reason: str = "lock") -> None:
        raise sqlcipher3.OperationalError("database or disk is full")

    c.patch.setattr(Session, "lock", logout_fails)
    result = c.signed_in("export", "--csv", c.tmp / "no such folder" / "out.csv")
    c.patch.undo()
    assert "no such folder" in result.err  # the export's own error, not the logout's
    return result


def csv_export(c: Case) -> CliResult:
    out = c.tmp / "customers.csv"
    result = c.signed_in("export", "--csv", out)
    assert out.stat().st_mode & 0o777 == 0o600 and not list(c.tmp.glob(".customers.csv.*"))
    return result


TABLE: list[tuple[Callable[[Case], CliResult], int]] = [
    (restore_while_open, 7),
    (restore_by_staff, 4),
    (restore_of_another_vault, 5),
    (sigkill_during_restore_renames, 0),
    (restore_after_erasure_without_erasures_file, 0),
    (restore_twice_with_newcomers_between, 0),
    (flipped_byte_in_the_wal, 6),
    (damaged_middle_page_then_search, 6),
    (disk_full_during_import, 8),
    (disk_full_during_backup, 8),
    (read_only_vault_folder, 1),
    (unwritable_lockout_file, 3),
    (import_of_dev_zero, 5),
    (dry_run_of_a_file_of_problems, 0),
    (interrupted_backup_then_the_next, 0),
    (interrupted_rekey_then_sign_in, 0),
    (logout_after_an_error, 1),
    (csv_export, 0),
]


@pytest.mark.parametrize(("case", "exit_code"), TABLE, ids=[case.__name__ for case, _code in TABLE])
def test_fault(
    case: Callable[[Case], CliResult], exit_code: int, tmp_path: Path, run_cli: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    result = case(Case(tmp_path, run_cli, monkeypatch))
    assert result.code == exit_code, result
    assert "Traceback" not in result.err and "unexpected" not in result.err
    if exit_code:
        assert result.err.count("\n") == 1, result.err  # one line, a sentence for the person
