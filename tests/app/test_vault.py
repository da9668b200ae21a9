"""The vault: key slots, keychain binding, recovery, rekey, damage and concurrency, on real SQLCipher files."""

from __future__ import annotations

import base64
import json
import os
import signal
import subprocess
import sys
import textwrap
import unicodedata
from pathlib import Path

import pytest
import sqlcipher3

from app.errors import AuthenticationFailed, InvalidInput, KeychainUnavailable, VaultBusy, VaultDamaged
from app.store import database, migrations
from app.vault import kdf, keychain
from app.vault import vault as vault_module
from app.vault.keyfile import FILE_VERSION, KeyFile, Slot
from app.vault.recovery_key import parse_recovery_key
from app.vault.vault import Vault, VaultPaths
from tests.conftest import OWNER, OWNER_PASSWORD

MARKER = "zq-marker-Xylophone-4711@example.org"


def _put_marker(vault: Vault, value: str = MARKER) -> None:
    with database.transaction(vault.db) as conn:
        conn.execute("INSERT INTO setting(key, value) VALUES ('marker', ?)", (value,))


def _marker(vault: Vault) -> str | None:
    row = vault.db.execute("SELECT value FROM setting WHERE key = 'marker'").fetchone()
    return None if row is None else str(row[0])


def test_create_then_unlock_round_trip(vault_path: Path) -> None:
    vault, recovery_key = Vault.create(vault_path, OWNER, OWNER_PASSWORD, kdf_params=kdf.CHEAP)
    _put_marker(vault)
    vault.close()
    assert vault.db is None and vault.data_key() == bytes(32)  # locked: connection closed, key wiped

    with Vault.unlock(vault_path, OWNER, OWNER_PASSWORD) as again:
        assert _marker(again) == MARKER
        assert again.recovery_key() == recovery_key
        assert migrations.schema_version(again.db) == migrations.LATEST


def test_recovery_key_format(new_vault: tuple[Path, str]) -> None:
    _, recovery_key = new_vault
    groups = recovery_key.split("-")
    assert len(groups) == 8 and all(len(g) == 8 and g == g.lower() for g in groups)
    assert parse_recovery_key(" " + recovery_key.upper().replace("-", " ") + "\n").hex() == "".join(groups)
    with pytest.raises(InvalidInput):
        parse_recovery_key(recovery_key[:-1])


def test_wrong_password_is_refused_before_the_database_is_opened(
    new_vault: tuple[Path, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    def must_not_open(*args: object, **kwargs: object) -> None:
        raise AssertionError("the database was opened with a wrong password")

    monkeypatch.setattr(database, "connect", must_not_open)
    with pytest.raises(AuthenticationFailed, match="password is not right"):
        Vault.unlock(new_vault[0], OWNER, "not-the-password")


def test_wrong_password_cli_exit_3(new_vault: tuple[Path, str], run_cli) -> None:  # type: ignore[no-untyped-def]
    result = run_cli("verify", new_vault[0], "--user", OWNER, "--password-stdin", stdin="nope-nope\n")
    assert result.code == 3
    assert result.err.count("\n") == 1 and "Traceback" not in result.err
    assert "password is not right" in result.err


def test_unknown_user_is_refused(new_vault: tuple[Path, str]) -> None:
    with pytest.raises(AuthenticationFailed, match="no user called"):
        Vault.unlock(new_vault[0], "Mallory", OWNER_PASSWORD)


def test_user_names_match_regardless_of_case_and_spacing(new_vault: tuple[Path, str]) -> None:
    with Vault.unlock(new_vault[0], "  ana owner ", OWNER_PASSWORD) as vault:
        assert vault.user == OWNER


def _edit_keyfile(path: Path, change) -> None:  # type: ignore[no-untyped-def]
    keys = VaultPaths.of(path).keyfile
    data = json.loads(keys.read_text())
    change(data)
    keys.write_text(json.dumps(data))


def test_slot_renamed_to_another_user_does_not_open(new_vault: tuple[Path, str]) -> None:
    path = new_vault[0]
    _edit_keyfile(path, lambda d: d["slots"][0].update(user="Mallory"))
    with pytest.raises(AuthenticationFailed):
        Vault.unlock(path, "Mallory", OWNER_PASSWORD)


def test_slot_copied_into_another_vault_does_not_open(tmp_path: Path) -> None:
    a, _ = Vault.create(tmp_path / "a.vault", OWNER, OWNER_PASSWORD, kdf_params=kdf.CHEAP)
    b, _ = Vault.create(tmp_path / "b.vault", "Bob", "bob-password", kdf_params=kdf.CHEAP)
    a.close()
    b.close()
    slot_of_a = json.loads(VaultPaths.of(tmp_path / "a.vault").keyfile.read_text())["slots"][0]
    _edit_keyfile(tmp_path / "b.vault", lambda d: d["slots"].append(slot_of_a))
    with pytest.raises(AuthenticationFailed):
        Vault.unlock(tmp_path / "b.vault", OWNER, OWNER_PASSWORD)


def test_tampered_keyfile_is_detected_after_unlock(new_vault: tuple[Path, str]) -> None:
    path = new_vault[0]
    _edit_keyfile(path, lambda d: d.update(created="1999-01-01T00:00:00+00:00"))
    with pytest.raises(VaultDamaged, match="altered"):
        Vault.unlock(path, OWNER, OWNER_PASSWORD)


def test_keychain_binds_the_vault_to_this_computer(vault_path: Path, memory_keyring) -> None:  # type: ignore[no-untyped-def]
    vault, _ = Vault.create(vault_path, OWNER, OWNER_PASSWORD, kdf_params=kdf.CHEAP)
    assert vault.keychain_bound
    vault.close()
    assert keychain.load_secret(vault.vault_id) is not None
    # Another computer: same files, same password, a keychain without the secret.
    memory_keyring.secrets.clear()
    with pytest.raises(KeychainUnavailable, match="recovery key"):
        Vault.unlock(vault_path, OWNER, OWNER_PASSWORD)


def test_no_keychain_gives_a_password_only_vault_and_says_so(vault_path: Path, no_keyring, run_cli) -> None:  # type: ignore[no-untyped-def]
    result = run_cli("init", vault_path, "--owner", OWNER, "--password-stdin", stdin=OWNER_PASSWORD + "\n")
    assert result.code == 0, result.err
    assert "password only" in result.out
    keys = json.loads(VaultPaths.of(vault_path).keyfile.read_text())
    assert keys["keychain"] is None and keys["slots"][0]["device_id"] is None
    with Vault.unlock(vault_path, OWNER, OWNER_PASSWORD) as vault:
        assert not vault.keychain_bound


def test_no_keyring_flag_makes_password_only_even_with_a_keychain(vault_path: Path, run_cli) -> None:  # type: ignore[no-untyped-def]
    result = run_cli(
        "init", vault_path, "--owner", OWNER, "--no-keyring", "--password-stdin", stdin=OWNER_PASSWORD + "\n"
    )
    assert result.code == 0 and "password only" in result.out
    with Vault.unlock(vault_path, OWNER, OWNER_PASSWORD) as vault:
        assert not vault.keychain_bound


def test_deleted_keychain_secret_then_recovery_key_rebinds(vault_path: Path, memory_keyring, run_cli) -> None:  # type: ignore[no-untyped-def]
    created = run_cli("init", vault_path, "--owner", OWNER, "--password-stdin", stdin=OWNER_PASSWORD + "\n")
    assert "keychain" in created.out and created.code == 0
    recovery_key = created.out.split("Recovery key: ")[1].split()[0]
    memory_keyring.secrets.clear()

    refused = run_cli("verify", vault_path, "--user", OWNER, "--password-stdin", stdin=OWNER_PASSWORD + "\n")
    assert refused.code == 3 and "recovery key" in refused.err

    recovered = run_cli(
        "recover", vault_path, "--recovery-key-stdin", "--password-stdin", stdin=f"{recovery_key}\nbrand-new-pass\n"
    )
    assert recovered.code == 0, recovered.err
    assert keychain.load_secret(VaultPaths.of(vault_path).keyfile.name) is None  # not keyed by file name
    ok = run_cli("verify", vault_path, "--user", OWNER, "--password-stdin", stdin="brand-new-pass\n")
    assert ok.code == 0 and ok.out.startswith("ok")
    assert (
        "vault.recover"
        in run_cli("audit", vault_path, "--user", OWNER, "--password-stdin", stdin="brand-new-pass\n").out
    )


def test_recovery_key_opens_even_without_the_key_file(new_vault: tuple[Path, str], run_cli) -> None:  # type: ignore[no-untyped-def]
    path, recovery_key = new_vault
    VaultPaths.of(path).keyfile.unlink()
    result = run_cli(
        "recover", path, "--recovery-key-stdin", "--password-stdin", stdin=f"{recovery_key}\nrebuilt-pass\n"
    )
    assert result.code == 0, result.err
    with Vault.unlock(path, OWNER, "rebuilt-pass") as vault:
        assert vault.meta("owner") == OWNER


def test_wrong_recovery_key_is_refused(new_vault: tuple[Path, str], run_cli) -> None:  # type: ignore[no-untyped-def]
    result = run_cli(
        "recover", new_vault[0], "--recovery-key-stdin", "--password-stdin", stdin="ab" * 32 + "\n" + "x" * 10 + "\n"
    )
    assert result.code == 3
    assert run_cli("recover", new_vault[0], "--recovery-key-stdin", "--password-stdin", stdin="nonsense\n").code == 5


def test_a_recovery_key_on_the_command_line_is_refused_and_says_why(
    new_vault: tuple[Path, str],
    run_cli,  # type: ignore[no-untyped-def]
    tmp_path: Path,
) -> None:
    """Given as an argument, the key (the data key itself) is in /proc/PID/cmdline and the shell's history."""
    path, recovery_key = new_vault
    for command in (
        ["recover", path],
        ["drill", tmp_path / "none.vaultbackup"],
        ["restore", tmp_path / "none.vaultbackup", "--to", path],
    ):
        result = run_cli(*command, "--recovery-key", recovery_key, "--password-stdin", stdin="new-pass-123\n")
        assert result.code == 2 and "may not be given on the command line" in result.err, (command, result)
        assert recovery_key not in result.err
    read_fd, write_fd = os.pipe()  # a script can hand it over on a descriptor instead
    os.write(write_fd, (recovery_key + "\n").encode())
    os.close(write_fd)
    try:
        result = run_cli(
            "recover", path, "--recovery-key-fd", str(read_fd), "--password-stdin", stdin="from-a-pipe-1\n"
        )
    finally:
        os.close(read_fd)
    assert result.code == 0, result.err
    with Vault.unlock(path, OWNER, "from-a-pipe-1") as vault:
        assert vault.meta("owner") == OWNER


def test_file_is_not_plain_sqlite_and_holds_no_plaintext(vault_path: Path) -> None:
    vault, _ = Vault.create(vault_path, OWNER, OWNER_PASSWORD, kdf_params=kdf.CHEAP)
    _put_marker(vault)
    # Leave the WAL un-checkpointed so the marker's page sits in the -wal file too.
    files = [p for p in VaultPaths.of(vault_path).database_files() if p.exists()]
    assert any(p.name.endswith("-wal") and p.stat().st_size > 0 for p in files)
    contents = {p.name: p.read_bytes() for p in [*files, VaultPaths.of(vault_path).keyfile]}
    vault.close()
    assert not contents["shop.vault"].startswith(b"SQLite format 3")
    for name, data in contents.items():
        for encoding in ("utf-8", "utf-16-le", "utf-16-be"):
            assert MARKER.encode(encoding) not in data, name
    assert OWNER.encode() not in contents["shop.vault"]


def test_database_opens_with_the_recovery_key_in_a_stock_sqlcipher(new_vault: tuple[Path, str]) -> None:
    """The README's way out: nothing but SQLCipher 4 and `PRAGMA key = "x'…'"` in another process."""
    path, recovery_key = new_vault
    hex_key = recovery_key.replace("-", "")
    script = textwrap.dedent(f"""
        import sqlcipher3
        c = sqlcipher3.connect({str(path)!r})
        c.execute("PRAGMA key = \\"x'{hex_key}'\\"")
        print(c.execute("SELECT value FROM vault_meta WHERE key = 'owner'").fetchone()[0])
    """)
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True).stdout
    assert out.strip() == OWNER


@pytest.mark.parametrize("damage", ["flip", "truncate", "empty"])
def test_damaged_file_exits_6_with_a_clear_message(new_vault: tuple[Path, str], run_cli, damage: str) -> None:  # type: ignore[no-untyped-def]
    path = new_vault[0]
    with Vault.unlock(path, OWNER, OWNER_PASSWORD) as vault:  # some pages beyond the first
        with database.transaction(vault.db) as conn:
            conn.executemany("INSERT INTO setting(key, value) VALUES (?, ?)", [(f"k{i}", "x" * 500) for i in range(40)])
        vault.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    data = bytearray(path.read_bytes())
    assert len(data) >= 4 * database.PAGE_SIZE
    if damage == "flip":
        data[2 * database.PAGE_SIZE + 100] ^= 0x01
    elif damage == "truncate":
        data = data[: len(data) - 1000]
    else:
        data = bytearray()
    path.write_bytes(bytes(data))
    result = run_cli("verify", path, "--user", OWNER, "--password-stdin", stdin=OWNER_PASSWORD + "\n")
    assert result.code == 6, result
    assert "damaged" in result.err or "empty" in result.err
    assert result.err.count("\n") == 1 and "Traceback" not in result.err
    assert path.stat().st_size == len(data)  # never replaced by a fresh database


def test_flipped_byte_names_the_failing_page(new_vault: tuple[Path, str]) -> None:
    path = new_vault[0]
    with Vault.unlock(path, OWNER, OWNER_PASSWORD) as vault:
        vault.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    data = bytearray(path.read_bytes())
    data[database.PAGE_SIZE + 200] ^= 0x80  # page 2
    path.write_bytes(bytes(data))
    with pytest.raises(VaultDamaged, match="page 2"), Vault.unlock(path, OWNER, OWNER_PASSWORD) as vault:
        from app.access.session import find_user  # page 2 holds tables: reading them fails

        find_user(vault.db, OWNER)
        problems = database.integrity_problems(vault.db)
        raise VaultDamaged("; ".join(problems))


def test_never_creates_over_an_existing_file(tmp_path: Path) -> None:
    existing = tmp_path / "notes.txt"
    existing.write_text("precious")
    with pytest.raises(InvalidInput, match="already a file"):
        Vault.create(existing, OWNER, OWNER_PASSWORD, kdf_params=kdf.CHEAP)
    assert existing.read_text() == "precious"


def test_short_password_is_refused(vault_path: Path, run_cli) -> None:  # type: ignore[no-untyped-def]
    result = run_cli("init", vault_path, "--owner", OWNER, "--password-stdin", stdin="short\n")
    assert result.code == 5 and "at least 8" in result.err
    assert not vault_path.exists()


def test_missing_vault_is_invalid_input(tmp_path: Path, run_cli) -> None:  # type: ignore[no-untyped-def]
    result = run_cli("verify", tmp_path / "nothing.vault", "--user", OWNER, "--password-stdin", stdin="x\n")
    assert result.code == 5 and "no vault" in result.err


def test_usage_errors_exit_2(run_cli) -> None:  # type: ignore[no-untyped-def]
    assert run_cli("init").code == 2
    assert run_cli("frobnicate").code == 2


def test_non_ascii_passwords_in_any_unicode_form(vault_path: Path) -> None:
    password = "Grüße-密码-пароль-ñ"
    vault, _ = Vault.create(vault_path, OWNER, unicodedata.normalize("NFC", password), kdf_params=kdf.CHEAP)
    vault.close()
    with Vault.unlock(vault_path, OWNER, unicodedata.normalize("NFD", password)) as again:
        assert again.user == OWNER
    with pytest.raises(AuthenticationFailed):
        Vault.unlock(vault_path, OWNER, "Grusse-密码-пароль-n")


def test_rekey_then_old_key_fails(new_vault: tuple[Path, str], run_cli) -> None:  # type: ignore[no-untyped-def]
    path, old_recovery = new_vault
    with Vault.unlock(path, OWNER, OWNER_PASSWORD) as vault:
        _put_marker(vault)
    result = run_cli("rekey", path, "--user", OWNER, "--password-stdin", stdin=OWNER_PASSWORD + "\n")
    assert result.code == 0, result.err
    new_recovery = result.out.split("Recovery key: ")[1].split()[0]
    assert new_recovery != old_recovery

    with pytest.raises(AuthenticationFailed):
        Vault.open_with_recovery_key(path, old_recovery)
    conn = sqlcipher3.connect(str(path))
    conn.execute(database.key_pragma(parse_recovery_key(old_recovery)))
    with pytest.raises(sqlcipher3.DatabaseError):
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
    conn.close()
    with Vault.open_with_recovery_key(path, new_recovery) as vault:
        assert _marker(vault) == MARKER
    with Vault.unlock(path, OWNER, OWNER_PASSWORD) as vault:
        assert _marker(vault) == MARKER


def test_rekey_rewraps_slots_of_users_whose_password_the_owner_does_not_know(new_vault: tuple[Path, str]) -> None:
    path = new_vault[0]
    with Vault.unlock(path, OWNER, OWNER_PASSWORD) as vault:
        vault.set_password("Ben Staff", "bens-own-pass", kdf.CHEAP)
        vault.rekey()
    with Vault.unlock(path, "Ben Staff", "bens-own-pass") as vault:
        assert vault.user == "Ben Staff"


@pytest.mark.parametrize("stop_at", ["before_reencrypt", "after_reencrypt"])
def test_interrupted_rekey_still_opens(
    new_vault: tuple[Path, str], monkeypatch: pytest.MonkeyPatch, stop_at: str
) -> None:
    path, old_recovery = new_vault
    vault = Vault.unlock(path, OWNER, OWNER_PASSWORD)
    _put_marker(vault)

    class Crash(Exception):
        pass

    real_reencrypt = vault_module._reencrypt

    def crashing_reencrypt(conn: object, new_key: bytes) -> None:
        if stop_at == "after_reencrypt":
            real_reencrypt(conn, new_key)
        raise Crash

    monkeypatch.setattr(vault_module, "_reencrypt", crashing_reencrypt)
    with pytest.raises(Crash):
        vault.rekey()
    vault.db.close()
    vault._lock.release()
    monkeypatch.undo()

    with Vault.unlock(path, OWNER, OWNER_PASSWORD) as reopened:
        assert _marker(reopened) == MARKER
        assert "next" not in reopened.keyfile.key_checks  # the half-done rekey was settled
        recovery_now = reopened.recovery_key()
    assert (recovery_now == old_recovery) == (stop_at == "before_reencrypt")
    if stop_at == "before_reencrypt":
        with Vault.open_with_recovery_key(path, old_recovery) as again:
            assert _marker(again) == MARKER


_HOLD_OPEN = """
import sys, time
from app.vault.vault import Vault
from app.store import database
vault = Vault.unlock(sys.argv[1], sys.argv[2], sys.argv[3])
with database.transaction(vault.db) as conn:
    conn.execute("INSERT INTO setting(key, value) VALUES ('committed', 'yes')")
vault.db.execute("BEGIN IMMEDIATE")
vault.db.execute("INSERT INTO setting(key, value) VALUES ('uncommitted', 'no')")
vault.db.execute("INSERT INTO setting(key, value) SELECT 'bulk' || value, printf('%.3000c', 'x') FROM json_each("
                 "'[' || (WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i+1 FROM n WHERE i < 2000) "
                 "SELECT group_concat(i) FROM n) || ']')")
print("ready", flush=True)
time.sleep(60)
"""


@pytest.fixture
def shared_vault(vault_path: Path) -> Path:
    """Password-only, so another process (which has no test keychain) can open it too."""
    Vault.create(vault_path, OWNER, OWNER_PASSWORD, use_keychain=False, kdf_params=kdf.CHEAP)[0].close()
    return vault_path


def _hold_open(path: Path) -> subprocess.Popen[str]:
    env = dict(os.environ, PYTHONPATH=str(Path(__file__).resolve().parents[2]))
    proc = subprocess.Popen(
        [sys.executable, "-c", _HOLD_OPEN, str(path), OWNER, OWNER_PASSWORD], stdout=subprocess.PIPE, text=True, env=env
    )
    assert proc.stdout is not None and proc.stdout.readline().strip() == "ready"
    return proc


def test_second_writer_gets_vault_busy(shared_vault: Path, run_cli) -> None:  # type: ignore[no-untyped-def]
    path = shared_vault
    proc = _hold_open(path)
    try:
        with pytest.raises(VaultBusy, match="already open"):
            Vault.unlock(path, OWNER, OWNER_PASSWORD)
        result = run_cli("verify", path, "--user", OWNER, "--password-stdin", stdin=OWNER_PASSWORD + "\n")
        assert result.code == 7 and "already open" in result.err
    finally:
        proc.kill()
        proc.wait()


def test_sigkill_mid_transaction_keeps_the_last_committed_state(shared_vault: Path) -> None:
    path = shared_vault
    proc = _hold_open(path)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    with Vault.unlock(path, OWNER, OWNER_PASSWORD) as vault:
        keys = {row[0] for row in vault.db.execute("SELECT key FROM setting")}
        assert "committed" in keys and "uncommitted" not in keys and not any(k.startswith("bulk") for k in keys)
        assert database.integrity_problems(vault.db) == []


def test_schema_1_vault_is_upgraded_on_open(vault_path: Path) -> None:
    vault, _ = Vault.create(vault_path, OWNER, OWNER_PASSWORD, kdf_params=kdf.CHEAP, schema_target=1)
    assert migrations.schema_version(vault.db) == 1
    assert vault.db.execute("SELECT count(*) FROM sqlite_master WHERE name = 'user'").fetchone()[0] == 0
    vault.close()
    with Vault.unlock(vault_path, OWNER, OWNER_PASSWORD) as upgraded:
        assert migrations.schema_version(upgraded.db) == migrations.LATEST
        owner = upgraded.db.execute("SELECT name, role FROM user").fetchall()
        assert owner == [(OWNER, "owner")]


def test_vault_from_a_newer_app_is_refused(new_vault: tuple[Path, str]) -> None:
    path = new_vault[0]
    with Vault.unlock(path, OWNER, OWNER_PASSWORD) as vault:
        vault.db.execute(f"PRAGMA user_version = {migrations.LATEST + 1}")
    with pytest.raises(migrations.VaultTooNew, match="newer version"):
        Vault.unlock(path, OWNER, OWNER_PASSWORD)


def test_keyfile_writes_are_atomic(new_vault: tuple[Path, str], monkeypatch: pytest.MonkeyPatch) -> None:
    path = new_vault[0]
    keys = VaultPaths.of(path).keyfile
    before = keys.read_bytes()

    def failing_fsync(fd: int) -> None:
        raise OSError("disk full")

    with Vault.unlock(path, OWNER, OWNER_PASSWORD) as vault:
        monkeypatch.setattr(os, "fsync", failing_fsync)
        with pytest.raises(OSError):
            vault.set_password("Ben", "bens-password", kdf.CHEAP)
        monkeypatch.undo()
    assert keys.read_bytes() == before
    assert [p.name for p in keys.parent.iterdir() if p.suffix == ".tmp"] == []


def test_slot_records_its_kdf_parameters(new_vault: tuple[Path, str]) -> None:
    keyfile, _ = KeyFile.load(VaultPaths.of(new_vault[0]).keyfile)
    slot = keyfile.slots[0]
    assert isinstance(slot, Slot) and slot.kdf == kdf.CHEAP


@pytest.mark.real_kdf
@pytest.mark.slow
def test_real_calibration_meets_the_floor(vault_path: Path) -> None:
    params = kdf.calibrate()
    assert params.memory_kib >= kdf.MIN_MEMORY_KIB and params.time_cost >= 3
    vault, _ = Vault.create(vault_path, OWNER, OWNER_PASSWORD)
    vault.close()
    keyfile, _ = KeyFile.load(VaultPaths.of(vault_path).keyfile)
    assert keyfile.slots[0].kdf.memory_kib >= kdf.MIN_MEMORY_KIB
    with Vault.unlock(vault_path, OWNER, OWNER_PASSWORD) as vault:
        assert vault.user == OWNER


def test_a_failed_logout_does_not_hide_the_commands_own_error(
    new_vault: tuple[Path, str],
    run_cli,  # type: ignore[no-untyped-def]
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The logout after an error used to replace the real error (exit 5, its message) with its own exit 1."""
    from app.access.session import Session

    def failing_lock(self: Session, reason: str = "lock") -> None:
        self.vault.close()
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(Session, "lock", failing_lock)
    result = run_cli(
        "consent",
        new_vault[0],
        "--user",
        OWNER,
        "--contact",
        "999",
        "--purpose",
        "email_marketing",
        "--grant",
        "--method",
        "verbal",
        "--password-stdin",
        stdin=OWNER_PASSWORD + "\n",
    )
    assert result.code == 5 and "no customer with id 999" in result.err, result


# --- key-file generations (issue #17) -------------------------------------------------------------------------


def test_an_old_key_file_put_back_after_a_password_change_is_refused(new_vault: tuple[Path, str]) -> None:
    path, recovery_key = new_vault
    keys = VaultPaths.of(path).keyfile
    old_keys = keys.read_bytes()
    with Vault.unlock(path, OWNER, OWNER_PASSWORD) as vault:
        before = vault.generation
        vault.set_password(OWNER, "a-new-password", kdf.CHEAP)
        assert vault.generation == before + 1 == vault_module.db_generation(vault.db)
    keys.write_bytes(old_keys)
    with pytest.raises(VaultDamaged, match="This key file is older than the vault") as caught:
        Vault.unlock(path, OWNER, OWNER_PASSWORD)
    assert "recovery key" in str(caught.value)
    with Vault.open_with_recovery_key(path, recovery_key) as vault:  # the way out still works
        assert vault.db is not None


def test_a_crash_between_the_key_file_and_the_database_counter_still_opens(
    new_vault: tuple[Path, str], monkeypatch: pytest.MonkeyPatch, no_throttle: None
) -> None:
    path = new_vault[0]

    def crash(conn: object, generation: int) -> None:
        raise KeyboardInterrupt("power cut after the key file was written")

    with Vault.unlock(path, OWNER, OWNER_PASSWORD) as vault:
        expected = vault_module.db_generation(vault.db)
        with monkeypatch.context() as patch, pytest.raises(KeyboardInterrupt):
            patch.setattr(vault_module, "_set_db_generation", crash)
            vault.set_password(OWNER, "the-new-password", kdf.CHEAP)
        assert vault_module.db_generation(vault.db) == expected  # the database never heard of the change
    assert KeyFile.load(VaultPaths.of(path).keyfile)[0].generation == expected + 1
    with pytest.raises(AuthenticationFailed):
        Vault.unlock(path, OWNER, OWNER_PASSWORD)
    with Vault.unlock(path, OWNER, "the-new-password") as vault:  # the key file one ahead is accepted, and settled
        assert vault_module.db_generation(vault.db) == expected + 1 == vault.generation


def test_a_key_file_from_before_generations_is_numbered_at_the_first_unlock(new_vault: tuple[Path, str]) -> None:
    path, recovery_key = new_vault
    keys = VaultPaths.of(path).keyfile
    data_key = parse_recovery_key(recovery_key)
    with Vault.unlock(path, OWNER, OWNER_PASSWORD) as vault:  # make it look like a vault of the version before
        vault.db.execute("DELETE FROM vault_meta WHERE key = 'keys_generation'")
        vault.keyfile.file_version = 1
        body = vault.keyfile._body()
        assert "generation" not in body
    # written once the vault is locked (locking seals the audit log's head into the key file)
    keys.write_text(json.dumps(dict(body, mac=base64.b64encode(KeyFile._mac(body, data_key)).decode())))
    version_1 = keys.read_bytes()
    with Vault.unlock(path, OWNER, OWNER_PASSWORD) as vault:
        assert vault.keyfile.file_version == FILE_VERSION and vault.generation == 1 == vault_module.db_generation(
            vault.db
        )
    assert json.loads(keys.read_text())["generation"] == 1
    keys.write_bytes(version_1)  # from now on that earlier copy is refused
    with pytest.raises(VaultDamaged, match="older than the vault"):
        Vault.unlock(path, OWNER, OWNER_PASSWORD)
