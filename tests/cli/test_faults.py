"""Issue #18: every fault ends in a clear message and loses nothing — a full disk, a read-only folder, an
unwritable .lockout, a device given to import, interrupted backups, a damaged page found by any command."""

from __future__ import annotations

import errno
import os
import sys
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import sqlcipher3
from filelock import FileLock

from app.access.session import Session, open_session
from app.crm.contacts import ContactInput, ContactPointInput, ContactService
from app.errors import AuthenticationFailed, DiskFull, FolderNotWritable, LockedOut, VaultDamaged
from app.store import database
from app.vault import backup, lockout
from app.vault.vault import Vault, VaultPaths
from tests.conftest import OWNER, OWNER_PASSWORD

IS_ROOT = hasattr(os, "geteuid") and os.geteuid() == 0


def _people_csv(path: Path, rows: int) -> Path:
    path.write_text(
        "Name,Email,Notes\n" + "".join(f"Person {n},p{n}@example.com,{'note ' * 40}\n" for n in range(rows)),
        encoding="utf-8",
    )
    return path


def _contacts(vault_path: Path) -> int:
    with Vault.unlock(vault_path, OWNER, OWNER_PASSWORD) as vault:
        return int(vault.db.execute("SELECT count(*) FROM contact").fetchone()[0])


def _verify_ok(vault_path: Path, run_cli) -> None:  # type: ignore[no-untyped-def]
    result = run_cli("verify", vault_path, "--user", OWNER, "--password-stdin", stdin=OWNER_PASSWORD + "\n")
    assert result.code == 0, result


# --- 1. the disk is full ------------------------------------------------------------------------------------


def test_sqlite_full_is_classified_as_disk_full(tmp_path: Path) -> None:
    error = database.classify(sqlcipher3.OperationalError("database or disk is full"), tmp_path / "shop.vault")
    assert isinstance(error, DiskFull) and error.exit_code == 8
    assert "disk is full" in str(error) and "shop.vault" in str(error)


def _cap_growth(monkeypatch: pytest.MonkeyPatch, spare_pages: int) -> None:
    """Every vault connection may grow the file by only `spare_pages` pages: SQLite then answers SQLITE_FULL,
    exactly as on a full disk."""
    real_connect = database.connect

    def capped(path: Path, data_key: bytes, *, create: bool = False):  # type: ignore[no-untyped-def]
        conn = real_connect(path, data_key, create=create)
        pages = int(conn.execute("PRAGMA page_count").fetchone()[0])
        conn.execute(f"PRAGMA max_page_count = {pages + spare_pages}")
        return conn

    monkeypatch.setattr(database, "connect", capped)


def test_import_on_a_full_disk_exits_8_and_writes_nothing(
    new_vault: tuple[Path, str], tmp_path: Path, run_cli, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    path = new_vault[0]
    before = _contacts(path)
    source = _people_csv(tmp_path / "people.csv", 3000)
    _cap_growth(monkeypatch, spare_pages=20)  # room for the sign-in, not for 3,000 people
    result = run_cli("import", path, "--user", OWNER, source, "--password-stdin", stdin=OWNER_PASSWORD + "\n")
    monkeypatch.undo()
    assert result.code == 8, result
    assert "disk is full" in result.err and result.err.count("\n") == 1 and "Traceback" not in result.err
    assert _contacts(path) == before  # nothing half-written
    _verify_ok(path, run_cli)


def test_service_write_on_a_full_disk_rolls_back(owner_session: Session) -> None:
    conn = owner_session.vault.db
    pages = int(conn.execute("PRAGMA page_count").fetchone()[0])
    conn.execute(f"PRAGMA max_page_count = {pages}")
    contacts = ContactService(owner_session)
    with pytest.raises(sqlcipher3.DatabaseError) as caught:
        for n in range(500):
            contacts.create(ContactInput(given_name=f"Full{n}", family_name="Disk", note="x" * 3000))
    assert isinstance(database.classify(caught.value), DiskFull)
    assert not conn.in_transaction  # rolled back, the connection usable again
    conn.execute("PRAGMA max_page_count = 1073741823")
    contacts.create(ContactInput(given_name="After", family_name="Space"))


def test_backup_on_a_full_disk_exits_8_and_leaves_no_partial(
    new_vault: tuple[Path, str], tmp_path: Path, run_cli, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    path = new_vault[0]
    folder = tmp_path / "usb"
    folder.mkdir()
    vault_bytes = path.read_bytes()

    def no_space(source: object, target: object, *args: object, **kwargs: object) -> None:
        raise OSError(errno.ENOSPC, "No space left on device", str(target))

    monkeypatch.setattr(backup.shutil, "copyfile", no_space)
    result = run_cli("backup", path, "--user", OWNER, "--to", folder, "--password-stdin", stdin=OWNER_PASSWORD + "\n")
    monkeypatch.undo()
    assert result.code == 8, result
    assert "disk is full" in result.err.lower() and result.err.count("\n") == 1
    assert not list(folder.iterdir())  # no partial folder, no holder file
    _verify_ok(path, run_cli)
    assert _contacts(path) == 0 and len(vault_bytes) > 0


def test_backup_database_on_a_full_disk_names_the_backup_folder(
    owner_session: Session, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "usb"
    folder.mkdir()
    real_connect = database.connect

    def tiny_disk(path: Path, data_key: bytes, *, create: bool = False):  # type: ignore[no-untyped-def]
        conn = real_connect(path, data_key, create=create)
        if create:
            conn.execute("PRAGMA max_page_count = 2")
        return conn

    monkeypatch.setattr(database, "connect", tiny_disk)
    with pytest.raises(DiskFull, match="disk is full") as caught:
        backup.make_backup(owner_session.vault, folder)
    assert str(folder) in str(caught.value)
    assert not list(folder.iterdir())


def test_enospc_anywhere_exits_8(
    new_vault: tuple[Path, str],
    tmp_path: Path,
    run_cli,  # type: ignore[no-untyped-def]
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from app import fileio

    def full(*args: object, **kwargs: object) -> None:
        raise OSError(errno.ENOSPC, "No space left on device", str(tmp_path / "out.csv"))

    monkeypatch.setattr(fileio.os, "replace", full)
    result = run_cli(
        "export",
        new_vault[0],
        "--user",
        OWNER,
        "--csv",
        tmp_path / "out.csv",
        "--password-stdin",
        stdin=OWNER_PASSWORD + "\n",
    )
    monkeypatch.undo()
    assert result.code == 8, result
    assert "disk is full" in result.err.lower()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".out.csv")]  # no half-written export


# --- 2. the vault's folder is read-only ---------------------------------------------------------------------


@pytest.mark.skipif(IS_ROOT or sys.platform == "win32", reason="root ignores folder permissions")
def test_read_only_folder_says_so_not_damaged(new_vault: tuple[Path, str], run_cli) -> None:  # type: ignore[no-untyped-def]
    path = new_vault[0]
    path.parent.chmod(0o555)
    try:
        result = run_cli("verify", path, "--user", OWNER, "--password-stdin", stdin=OWNER_PASSWORD + "\n")
    finally:
        path.parent.chmod(0o755)
    assert result.code == 1, result
    assert f"cannot write in {path.parent}" in result.err and "backup" not in result.err


def test_read_only_folder_simulated_says_so_not_damaged(
    new_vault: tuple[Path, str],
    run_cli,  # type: ignore[no-untyped-def]
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """As a 0555 folder behaves for a normal account: the lock file exists, but SQLite cannot make the -wal."""
    path = new_vault[0]

    def cannot_open(*args: object, **kwargs: object) -> None:
        raise sqlcipher3.OperationalError("unable to open database file")

    def denied(folder: Path) -> None:
        raise PermissionError(errno.EACCES, "Permission denied", str(folder))

    monkeypatch.setattr(database, "connect", cannot_open)
    monkeypatch.setattr(database, "probe_write", denied, raising=False)
    result = run_cli("verify", path, "--user", OWNER, "--password-stdin", stdin=OWNER_PASSWORD + "\n")
    assert result.code == 1, result
    assert f"Counterpart cannot write in {path.parent} (Permission denied)" in result.err
    assert "backup" not in result.err and result.err.count("\n") == 1


def test_read_only_drive_lock_file_says_so(new_vault: tuple[Path, str], monkeypatch: pytest.MonkeyPatch) -> None:
    def read_only(self: object, *args: object, **kwargs: object) -> None:
        raise OSError(errno.EROFS, "Read-only file system", "shop.vault.lock")

    monkeypatch.setattr(FileLock, "acquire", read_only)
    with pytest.raises(FolderNotWritable, match="cannot write in .*Read-only file system"):
        Vault.unlock(new_vault[0], OWNER, OWNER_PASSWORD)


def test_readonly_write_in_a_writable_folder_is_damage_with_its_page(new_vault: tuple[Path, str]) -> None:
    """SQLCipher answers a write with 'readonly' after a page failed its check: that is damage, not the folder."""
    path = new_vault[0]
    error = database.classify(sqlcipher3.OperationalError("attempt to write a readonly database"), path)
    assert isinstance(error, VaultDamaged)


# --- 3. the .lockout file cannot be written -------------------------------------------------------------------


def test_unwritable_lockout_still_counts_and_warns(
    new_vault: tuple[Path, str],
    run_cli,  # type: ignore[no-untyped-def]
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    path = new_vault[0]
    lockfile = VaultPaths.of(path).lockout

    def denied(target: Path, payload: bytes, vault_file: bool = False) -> None:
        raise PermissionError(errno.EACCES, "Permission denied", str(target))

    monkeypatch.setattr(lockout, "atomic_write", denied)
    result = run_cli("verify", path, "--user", OWNER, "--password-stdin", stdin="wrong-password\n")
    assert result.code == 3, result
    assert result.err.count("\n") == 1 and "password is not right" in result.err
    assert (
        f"Could not record the failed attempt in {lockfile}: Permission denied; counting it for this run only"
        in result.err
    )
    assert not lockfile.exists()
    assert lockout.LockoutBook(lockfile).wait_seconds(OWNER) > 0  # counted in memory
    with pytest.raises(LockedOut):
        Vault.unlock(path, OWNER, OWNER_PASSWORD)
    monkeypatch.setattr(lockout, "delay_after", lambda failures: 0.0)
    with pytest.raises(AuthenticationFailed, match="counting it for this run only"):
        Vault.unlock(path, OWNER, "wrong-again")
    assert lockout.LockoutBook(lockfile).record(OWNER).failures == 2
    Vault.unlock(path, OWNER, OWNER_PASSWORD).close()  # the right password opens it, and clears the count
    assert lockout.LockoutBook(lockfile).record(OWNER).failures == 0


# --- 4. importing something that is not a text file -----------------------------------------------------------


@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="no /dev/zero here")
@pytest.mark.parametrize("device", ["/dev/zero", "/dev/urandom"])
def test_import_of_a_device_is_refused_at_once(new_vault: tuple[Path, str], run_cli, device: str) -> None:  # type: ignore[no-untyped-def]
    from app.crm.importing.encoding import detect

    outcome: list[BaseException] = []

    def read() -> None:
        try:
            detect(Path(device))
        except Exception as exc:
            outcome.append(exc)

    worker = threading.Thread(target=read, daemon=True)  # a regression fails here instead of hanging the run
    worker.start()
    worker.join(1)
    assert not worker.is_alive(), f"reading {device} did not stop within a second"
    started = time.monotonic()
    result = run_cli("import", new_vault[0], "--user", OWNER, device, "--password-stdin", stdin=OWNER_PASSWORD + "\n")
    assert time.monotonic() - started < 5  # the refusal itself is instant; sign-in takes the rest
    assert result.code == 5, result
    assert "not a text file" in result.err


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no named pipes here")
def test_import_of_a_pipe_is_refused_without_blocking(tmp_path: Path) -> None:
    from app.crm.importing.encoding import detect
    from app.errors import InvalidInput

    pipe = tmp_path / "contacts.csv"
    os.mkfifo(pipe)
    outcome: list[BaseException] = []
    worker = threading.Thread(
        target=lambda: outcome.append(pytest.raises(InvalidInput, detect, pipe).value), daemon=True
    )
    worker.start()
    worker.join(2)
    if worker.is_alive():
        fd = os.open(pipe, os.O_RDWR)  # unblock the reader, so the thread ends
        os.close(fd)
        pytest.fail("reading a named pipe blocked")
    assert "not a text file" in str(outcome[0])


def test_file_of_nul_bytes_is_not_a_text_file(tmp_path: Path) -> None:
    from app.crm.importing.encoding import detect
    from app.errors import InvalidInput

    zeros = tmp_path / "zeros.csv"
    zeros.write_bytes(bytes(50_000_000))
    started = time.monotonic()
    with pytest.raises(InvalidInput, match="not a text file"):
        detect(zeros)
    assert time.monotonic() - started < 1


# --- 5. interrupted backups leave no debris --------------------------------------------------------------------


def _leftover(folder: Path, name: str, age_seconds: float, megabytes: int = 1) -> Path:
    partial = folder / name
    partial.mkdir()
    (partial / "vault.db").write_bytes(b"\1" * (megabytes << 20))
    stamp = time.time() - age_seconds
    for item in (partial / "vault.db", partial):
        os.utime(item, (stamp, stamp))
    return partial


def test_next_backup_removes_stale_partials_but_not_running_ones(owner_session: Session, tmp_path: Path) -> None:
    folder = tmp_path / "usb"
    folder.mkdir()
    killed = _leftover(folder, ".partial-counterpart-20250101-020000Z-abc123", 60)
    FileLock(folder / (killed.name + ".lock")).acquire()  # its holder file, left unlocked by a killed process
    FileLock(folder / (killed.name + ".lock")).release()
    legacy = _leftover(folder, ".partial-counterpart-20240101-020000Z-old999", 3 * 3600)
    running = _leftover(folder, ".partial-counterpart-20250101-030000Z-run456", 60)
    holder = FileLock(folder / (running.name + ".lock"), timeout=0, thread_local=False)
    holder.acquire()  # another backup, still writing
    recent_legacy = _leftover(folder, ".partial-counterpart-20250101-040000Z-new789", 5)
    try:
        made = backup.make_backup(owner_session.vault, folder)
    finally:
        holder.release()
    assert not killed.exists() and not (folder / (killed.name + ".lock")).exists()
    assert not legacy.exists()
    assert running.exists() and recent_legacy.exists()
    assert [b.path for b in backup.list_backups(folder)] == [made]
    assert not (folder / (made.name + ".lock")).exists()


def test_interrupted_backup_leftovers_gone_after_the_next_backup(
    owner_session: Session, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "usb"
    folder.mkdir()
    real_rmtree = backup.shutil.rmtree
    monkeypatch.setattr(backup.shutil, "rmtree", lambda *a, **k: None)  # as if the process was killed

    def crash(*args: object, **kwargs: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(backup.shutil, "copyfile", crash)
    with pytest.raises(KeyboardInterrupt):
        backup.make_backup(owner_session.vault, folder, now=datetime.now(UTC) - timedelta(minutes=5))
    monkeypatch.undo()
    assert [p for p in folder.iterdir() if p.name.startswith(".partial-")]
    assert real_rmtree is backup.shutil.rmtree
    time.sleep(0.05)
    backup.make_backup(owner_session.vault, folder)
    assert not [p for p in folder.iterdir() if p.name.startswith(".partial-")]


# --- 6. a damaged page, found by any command --------------------------------------------------------------------


@pytest.fixture
def damaged_in_the_middle(new_vault: tuple[Path, str]) -> Path:
    path = new_vault[0]
    session = open_session(path, OWNER, OWNER_PASSWORD)
    contacts = ContactService(session)
    for n in range(400):
        contacts.create(
            ContactInput(
                given_name=f"Marta{n}",
                family_name="Quinn",
                note="note " * 30,
                points=[ContactPointInput("email", f"marta{n}@example.org")],
            )
        )
    session.vault.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    session.lock("logout")
    data = bytearray(path.read_bytes())
    pages = len(data) // database.PAGE_SIZE
    for page in range(pages // 3, 2 * pages // 3, 4):  # a flipped byte on middle pages (contacts, index, notes)
        data[page * database.PAGE_SIZE + 300] ^= 0x01
        path.write_bytes(bytes(data))
        try:
            Vault.unlock(path, OWNER, OWNER_PASSWORD).close()
        except VaultDamaged:  # a page the sign-in reads (schema, users, slots' metadata): found at open, no page
            data[page * database.PAGE_SIZE + 300] ^= 0x01
    path.write_bytes(bytes(data))
    return path


@pytest.mark.parametrize("command", [["search", "Marta"], ["export", "--csv", "OUT"]])
def test_damaged_page_exits_6_naming_the_page(
    damaged_in_the_middle: Path,
    tmp_path: Path,
    run_cli,  # type: ignore[no-untyped-def]
    command: list[str],
) -> None:
    argv = [str(tmp_path / "out.csv") if part == "OUT" else part for part in command]
    result = run_cli(
        argv[0], damaged_in_the_middle, "--user", OWNER, *argv[1:], "--password-stdin", stdin=OWNER_PASSWORD + "\n"
    )
    assert result.code == 6, result
    assert "damaged" in result.err and "page " in result.err, result.err
    assert result.err.count("\n") == 1 and "unexpected" not in result.err


def test_ui_names_a_damaged_vault(tmp_path: Path) -> None:
    from ui.operation import message_for

    assert "damaged" in message_for(sqlcipher3.DatabaseError("database disk image is malformed"))
    assert "disk is full" in message_for(sqlcipher3.OperationalError("database or disk is full"))
