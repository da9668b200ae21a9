"""Backups: encrypted, consistent, verified on restore, erasures re-applied, rotation with a frozen clock."""

from __future__ import annotations

import os
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from app.access import settings
from app.access.session import Session, open_session
from app.admin import restore, security
from app.crm.contacts import ContactInput, ContactPointInput, ContactService
from app.errors import AuthenticationFailed, VaultDamaged
from app.privacy import erasure
from app.vault import backup
from app.vault.vault import Vault, VaultPaths
from tests.conftest import OWNER, OWNER_PASSWORD

MARKER = "Backupmarker Qwzx"


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    path = tmp_path / "usb"
    path.mkdir()
    return path


@pytest.fixture
def filled(owner_session: Session) -> dict[str, int]:
    contacts = ContactService(owner_session)
    people = {
        name: contacts.create(
            ContactInput(
                given_name=name, family_name="Qwzx", points=[ContactPointInput("email", f"{name.lower()}@example.org")]
            )
        )
        for name in ("Backupmarker", "Keep", "Later")
    }
    return people


def test_backup_is_encrypted_and_has_a_manifest(owner_session: Session, filled: dict[str, int], folder: Path) -> None:
    made = security.backup_now(owner_session, folder)
    assert made.parent == folder and (made / "manifest.json").exists()
    info = backup.read_manifest(made)
    assert info.counts["contact"] == 3 and info.vault_id == owner_session.vault.vault_id
    for file in made.iterdir():
        data = file.read_bytes()
        assert MARKER.split()[0].encode() not in data, file.name
    assert not (made / "vault.db").read_bytes().startswith(b"SQLite format 3")
    assert [b.path for b in backup.list_backups(folder)] == [made]


def test_restore_round_trip_counts_equal(
    owner_session: Session, filled: dict[str, int], folder: Path, tmp_path: Path
) -> None:
    made = security.backup_now(owner_session, folder)
    before = backup.read_manifest(made).counts
    path = owner_session.vault.paths.database
    ContactService(owner_session).create(ContactInput(given_name="After", family_name="Backup"))
    owner_session.lock()
    result = restore.restore(made, path, user=OWNER, password=OWNER_PASSWORD)
    assert result.counts["contact"] == before["contact"] == 3
    assert result.kept_aside is not None and (result.kept_aside / path.name).exists()  # nothing current is lost
    session = open_session(path, OWNER, OWNER_PASSWORD)
    assert ContactService(session).search("After") == []
    actions = [r[0] for r in session.conn.execute("SELECT action FROM audit_event ORDER BY id DESC LIMIT 3")]
    assert "vault.restore" in actions
    assert security.verify(session).ok
    session.vault.close()


def test_restore_reapplies_erasures_made_after_the_backup(
    owner_session: Session, filled: dict[str, int], folder: Path
) -> None:
    made = security.backup_now(owner_session, folder)
    erasure.erase(owner_session, filled["Backupmarker"])
    path = owner_session.vault.paths.database
    owner_session.lock()
    result = restore.restore(made, path, user=OWNER, password=OWNER_PASSWORD)
    assert result.reerased == 1 and result.counts["contact"] == 2
    session = open_session(path, OWNER, OWNER_PASSWORD)
    assert ContactService(session).search("Backupmarker") == []
    session.vault.close()


def test_restore_with_the_recovery_key_of_its_time(new_vault: tuple[Path, str], folder: Path) -> None:
    path, old_key = new_vault
    session = open_session(path, OWNER, OWNER_PASSWORD)
    made = security.backup_now(session, folder)
    security.rekey(session)  # today's key differs from the backup's
    session.lock()
    counts = restore.drill(made, recovery_key=old_key)
    assert counts["user"] == 1


def test_wrong_password_and_flipped_byte_are_refused(
    owner_session: Session, filled: dict[str, int], folder: Path
) -> None:
    made = security.backup_now(owner_session, folder)
    path = owner_session.vault.paths.database
    owner_session.lock()
    current = path.read_bytes()
    with pytest.raises(AuthenticationFailed):
        restore.restore(made, path, user=OWNER, password="not-the-password")
    database = made / "vault.db"
    data = bytearray(database.read_bytes())
    data[len(data) // 2] ^= 0x01
    database.write_bytes(bytes(data))
    with pytest.raises(VaultDamaged, match="checksum"):
        restore.restore(made, path, user=OWNER, password=OWNER_PASSWORD)
    assert path.read_bytes() == current  # nothing current was touched
    assert not [p for p in path.parent.iterdir() if p.name.startswith(".restore-")]


def test_interrupted_backup_leaves_the_old_ones_valid(
    owner_session: Session, filled: dict[str, int], folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    good = security.backup_now(owner_session, folder)

    def crash(*args: object, **kwargs: object) -> None:
        raise OSError("USB drive pulled out")

    monkeypatch.setattr(backup.shutil, "copyfile", crash)
    with pytest.raises(OSError):
        backup.make_backup(owner_session.vault, folder, now=datetime.now(UTC) + timedelta(minutes=1))
    monkeypatch.undo()
    assert [b.path for b in backup.list_backups(folder)] == [good]
    assert not [p for p in folder.iterdir() if p.name.startswith(".partial")]
    backup.check_files(good)


def test_backup_while_the_app_writes_is_consistent(owner_session: Session, folder: Path) -> None:
    writer = owner_session.vault.connect()  # a second connection, as a UI worker would have
    stop = threading.Event()

    def write() -> None:
        from app.store.database import transaction

        i = 0
        with writer.use() as conn:
            while not stop.is_set():
                with transaction(conn):
                    conn.execute("INSERT INTO setting(key, value) VALUES (?, 'x')", (f"k{i}",))
                i += 1

    thread = threading.Thread(target=write)
    thread.start()
    try:
        made = backup.make_backup(owner_session.vault, folder)
    finally:
        stop.set()
        thread.join()
    counts = restore.drill(made, user=OWNER, password=OWNER_PASSWORD)
    assert counts["user"] == 1  # it opened and passed both integrity checks inside drill


def test_rotation_keeps_the_right_set() -> None:
    now = datetime(2026, 11, 22, 12, tzinfo=UTC)
    created = [now - timedelta(days=d, hours=h) for d in range(400) for h in (0, 6)]
    keep = backup.keep_set(created, now)
    days = {moment.date() for moment in keep}
    assert all((now - timedelta(days=d)).date() in days for d in range(7))  # the last 7 days
    assert len({tuple(m.isocalendar())[:2] for m in keep}) >= 4
    assert len({(m.year, m.month) for m in keep}) >= 12
    assert len(keep) <= 7 + 4 + 12
    assert max(created) in keep


def test_rotate_removes_old_backups(owner_session: Session, folder: Path) -> None:
    base = datetime(2026, 1, 1, tzinfo=UTC)
    for day in range(20):
        backup.make_backup(owner_session.vault, folder, now=base + timedelta(days=day))
    removed = backup.rotate(folder, now=base + timedelta(days=19, hours=1))
    left = backup.list_backups(folder)
    assert len(left) + len(removed) == 20 and len(left) < 20
    assert left[0].created == base + timedelta(days=19)


def test_status_warnings(owner_session: Session, folder: Path, tmp_path: Path) -> None:
    assert "No backup folder" in (backup.status(None) or "")
    assert "missing" in (backup.status(str(tmp_path / "gone")) or "")
    assert "No backup" in (backup.status(str(folder)) or "")
    backup.make_backup(owner_session.vault, folder)
    assert backup.status(str(folder)) is None
    assert "days old" in (backup.status(str(folder), now=datetime.now(UTC) + timedelta(days=5)) or "")


def test_daily_backup_once_a_day(owner_session: Session, folder: Path) -> None:
    settings.set_backup_folder(owner_session, folder)
    assert security.backup_if_due(owner_session) is not None
    assert security.backup_if_due(owner_session) is None
    assert security.backup_if_due(owner_session, now=datetime.now(UTC) + timedelta(days=1, minutes=1)) is not None


def test_backup_before_migration(vault_path: Path, folder: Path) -> None:
    from app.store.database import transaction
    from app.store.migrations import LATEST, schema_version
    from app.vault import kdf

    old, _key = Vault.create(vault_path, OWNER, OWNER_PASSWORD, kdf_params=kdf.CHEAP, schema_target=5)
    with transaction(old.db) as conn:  # what the previous version stored when the owner chose a folder
        conn.execute("INSERT INTO setting(key, value) VALUES ('backup_dir', ?)", (str(folder),))
    old.close()
    with Vault.unlock(vault_path, OWNER, OWNER_PASSWORD) as upgraded:
        assert schema_version(upgraded.db) == LATEST
    made = backup.list_backups(folder)
    assert [b.reason for b in made] == ["before-migration"] and made[0].schema_version == 5


def test_cli_backup_backups_restore_drill(new_vault: tuple[Path, str], folder: Path, run_cli) -> None:  # type: ignore[no-untyped-def]
    path, login = new_vault[0], OWNER_PASSWORD + "\n"
    made = run_cli("backup", path, "--user", OWNER, "--to", folder, "--password-stdin", stdin=login)
    assert made.code == 0, made.err
    backup_path = Path(made.out.strip())
    assert backup_path.is_dir()
    listed = run_cli("backups", folder)
    assert backup_path.name in listed.out
    drilled = run_cli("drill", backup_path, "--vault", path, "--user", OWNER, "--password-stdin", stdin=login)
    assert drilled.code == 0 and "Recorded" in drilled.out, drilled.err
    restored = run_cli("restore", backup_path, "--to", path, "--user", OWNER, "--password-stdin", stdin=login)
    assert restored.code == 0 and "kept in" in restored.out, restored.err
    bad = run_cli("restore", backup_path, "--to", path, "--user", OWNER, "--password-stdin", stdin="wrong-one\n")
    assert bad.code == 3
    assert os.path.exists(VaultPaths.of(path).keyfile)


def test_restore_while_the_vault_is_open_touches_nothing(
    owner_session: Session, filled: dict[str, int], folder: Path, run_cli
) -> None:  # type: ignore[no-untyped-def]
    """It exited 0 and moved 30,000 newer rows aside while the app had the vault open, telling nobody."""
    made = security.backup_now(owner_session, folder)
    path = owner_session.vault.paths.database
    before = sorted(p.name for p in path.parent.iterdir())
    result = run_cli("restore", made, "--to", path, "--user", OWNER, "--password-stdin", stdin=OWNER_PASSWORD + "\n")
    assert result.code == 7 and "already open" in result.err
    assert sorted(p.name for p in path.parent.iterdir()) == before  # no before-restore folder, no staging left
    assert ContactService(owner_session).search("Backupmarker")  # the open session goes on as if nothing happened


def test_only_an_owner_restores(new_vault: tuple[Path, str], folder: Path, run_cli) -> None:  # type: ignore[no-untyped-def]
    path = new_vault[0]
    session = open_session(path, OWNER, OWNER_PASSWORD)
    from app.access.users import UserService

    UserService(session).add("Sam", "staff", "temporary-1")
    made = security.backup_now(session, folder)
    session.vault.close()
    staff = open_session(path, "Sam", "temporary-1")
    UserService(staff).change_own_password("temporary-1", "sams-password-1")
    staff.vault.close()
    refused = run_cli("restore", made, "--to", path, "--user", "Sam", "--password-stdin", stdin="temporary-1\n")
    assert refused.code == 4 and "Only an owner" in refused.err
    assert not list(path.parent.glob("*.before-restore-*"))


def test_another_vaults_backup_needs_saying_so(
    new_vault: tuple[Path, str], tmp_path: Path, folder: Path, run_cli
) -> None:  # type: ignore[no-untyped-def]
    from app.access.session import create_vault
    from app.vault import kdf

    other_path = tmp_path / "other" / "other.vault"
    other_path.parent.mkdir()
    other, _key = create_vault(other_path, OWNER, OWNER_PASSWORD, kdf_params=kdf.CHEAP)
    made = security.backup_now(other, folder)
    other.vault.close()
    path, login = new_vault[0], OWNER_PASSWORD + "\n"
    refused = run_cli("restore", made, "--to", path, "--user", OWNER, "--password-stdin", stdin=login)
    assert refused.code == 5 and "another vault" in refused.err and "--replace-with-other-vault" in refused.err
    assert not list(path.parent.glob("*.before-restore-*"))
    replaced = run_cli(
        "restore", made, "--to", path, "--user", OWNER, "--replace-with-other-vault", "--password-stdin", stdin=login
    )
    assert replaced.code == 0, replaced.err
    assert list(path.parent.glob("*.before-restore-*"))  # what it replaced is kept aside
