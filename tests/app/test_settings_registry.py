"""One registry for the vault's settings (app/store/settings.py): one writer, one spelling, one permission each."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from app.access.roles import Permission
from app.access.session import Session, open_session
from app.access.settings import SettingsService, backup_folder, drill_due, record_drill, set_backup_folder
from app.access.shop import ShopService
from app.access.users import UserService
from app.errors import PermissionDenied
from app.privacy.recipients import set_purpose_recipients
from app.privacy.requests import RequestService
from app.privacy.ropa import RopaService
from app.store import settings
from app.store.settings import LOCK_IDLE_MINUTES, REQUESTS_PIPL_DAYS, setting_for
from app.vault import backup, kdf
from app.vault.vault import Vault
from tests.conftest import OWNER, OWNER_PASSWORD

ROOT = Path(__file__).resolve().parents[2]
TOUCHES_THE_TABLE = re.compile(r"(INTO|FROM|UPDATE|TABLE)\s+setting\b", re.IGNORECASE)


def test_only_the_registry_writes_or_reads_the_setting_table() -> None:
    """Migrations aside (they rename keys as the registry names them)."""
    allowed = {ROOT / "app" / "store" / "settings.py", ROOT / "app" / "store" / "migrations.py"}
    touching = sorted(
        str(path.relative_to(ROOT))
        for folder in ("app", "ui")
        for path in (ROOT / folder).rglob("*.py")
        if path not in allowed and TOUCHES_THE_TABLE.search(path.read_text("utf-8"))
    )
    assert touching == []


def test_every_key_a_shop_stores_is_registered(owner_session: Session, tmp_path: Path) -> None:
    SettingsService(owner_session).set_idle_minutes(12)
    set_backup_folder(owner_session, tmp_path)
    record_drill(owner_session, "backup-1", {"contact": 0})
    RequestService(owner_session).set_pipl_days(20)
    ShopService(owner_session).update(name="Café Ünal", country="DE", dpo="Dr. Weber")
    RopaService(owner_session).set_fact("ropa.transfers", "Mailing house in the US (SCCs)")
    RopaService(owner_session).set_fact("shop.representative", "EU Rep GmbH")
    set_purpose_recipients(owner_session, "postal_mail", "Druckerei Muster")
    keys = [str(row[0]) for row in owner_session.conn.execute("SELECT key FROM setting")]
    assert len(keys) >= 9
    assert [key for key in keys if setting_for(key) is None] == []
    assert SettingsService(owner_session).idle_minutes() == 12 and RequestService(owner_session).pipl_days() == 20
    assert backup_folder(owner_session) == str(tmp_path.resolve()) and not drill_due(owner_session)
    assert RopaService(owner_session).facts()["ropa.recipients.postal_mail"] == "Druckerei Muster"


def test_a_setting_is_changed_only_with_the_permission_the_registry_names(owner_session: Session) -> None:
    UserService(owner_session).add("Sam Staff", "staff", "staff-pass-1")
    owner_session.vault.close()
    staff = open_session(owner_session.vault.paths.database, "Sam Staff", "staff-pass-1")
    try:
        assert SettingsService(staff).idle_minutes() == LOCK_IDLE_MINUTES.default  # everyone reads
        with pytest.raises(PermissionDenied):
            SettingsService(staff).set(LOCK_IDLE_MINUTES, 30)
        with pytest.raises(PermissionDenied):
            SettingsService(staff).set(REQUESTS_PIPL_DAYS, 30)
        assert SettingsService(staff).idle_minutes() == LOCK_IDLE_MINUTES.default
    finally:
        staff.vault.close()
    assert Permission(LOCK_IDLE_MINUTES.changed_by) is Permission.MANAGE_SETTINGS


def test_a_stored_value_that_does_not_parse_reads_as_the_default(owner_session: Session) -> None:
    with owner_session.change() as conn:
        settings.write(conn, LOCK_IDLE_MINUTES, "soon")  # type: ignore[arg-type]  # as a hand-edited vault might
    assert SettingsService(owner_session).idle_minutes() == LOCK_IDLE_MINUTES.default


def test_an_old_vault_keeps_its_settings_under_their_new_names(vault_path: Path, tmp_path: Path) -> None:
    folder = tmp_path / "backups"
    folder.mkdir()
    old, _key = Vault.create(vault_path, OWNER, OWNER_PASSWORD, kdf_params=kdf.CHEAP, schema_target=18)
    with old:
        old.db.executemany(
            "INSERT INTO setting(key, value) VALUES (?, ?)",
            [
                ("idle_lock_minutes", "9"),
                ("backup_dir", str(folder)),
                ("last_drill_at", "2026-11-30T10:00:00+00:00"),
                ("pipl_request_days", "25"),
            ],
        )
        old.db.commit()
        # Read before it migrates (the backup made before a schema upgrade needs the folder): the former name
        assert settings.read(old.db, settings.BACKUP_FOLDER) == str(folder)
    session = open_session(vault_path, OWNER, OWNER_PASSWORD)
    try:
        keys = {str(row[0]) for row in session.conn.execute("SELECT key FROM setting")}
        assert keys == {"lock.idle_minutes", "backup.folder", "backup.last_drill", "requests.pipl_days"}
        assert SettingsService(session).idle_minutes() == 9 and RequestService(session).pipl_days() == 25
        assert backup_folder(session) == str(folder)
        made = backup.list_backups(folder)  # the backup before the upgrade, where the old name said
        assert [info.reason for info in made] == ["before-migration"]
    finally:
        session.vault.close()


def test_the_shop_profile_is_read_in_one_statement(owner_session: Session) -> None:
    """read_profile runs for every country lookup (PIPL, phone numbers) and every document: one query, not one a
    field."""
    from app.access.shop import read_profile

    ShopService(owner_session).update(name="Café Ünal", country="DE")
    statements: list[str] = []
    owner_session.conn.set_trace_callback(statements.append)
    try:
        profile = read_profile(owner_session.conn)
    finally:
        owner_session.conn.set_trace_callback(None)
    assert (profile.name, profile.country) == ("Café Ünal", "DE") and len(statements) == 1
