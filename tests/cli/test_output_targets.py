"""Where an export may be written (outside review of the CLI): named like the vault, an export replaced the vault
with a CSV and said "Wrote 0 customers"; named /dev/full, a device became a file of customers and the command
reported success; a symbolic link was replaced by a file. Every file Counterpart writes goes through
app.fileio, which now refuses those, whatever the command."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from app.errors import InvalidInput
from app.fileio import atomic_write, part_of_a_vault
from app.vault.paths import VaultPaths
from tests.conftest import OWNER, OWNER_PASSWORD

LOGIN = OWNER_PASSWORD + "\n"


def test_an_export_named_like_the_vault_is_refused_and_the_vault_still_opens(
    new_vault: tuple[Path, str], run_cli
) -> None:  # type: ignore[no-untyped-def]
    vault = new_vault[0]
    before = vault.read_bytes()
    for command in (
        ("export", vault, "--user", OWNER, "--password-stdin", "--csv", vault),
        ("export", vault, "--user", OWNER, "--password-stdin", "--vcard", Path(f"{vault}.keys")),
        ("audit", vault, "--user", OWNER, "--password-stdin", "--csv", Path(f"{vault}-wal")),
    ):
        result = run_cli(*command, stdin=LOGIN)
        assert result.code == 5, result.err
        assert "one of a Counterpart vault's own files" in result.err
    assert vault.read_bytes()[:16] == before[:16]  # still the encrypted database, not a CSV
    assert not [p.name for p in vault.parent.iterdir() if p.name.endswith(".tmp")]  # no temporary file left
    assert run_cli("verify", vault, "--user", OWNER, "--password-stdin", stdin=LOGIN).code == 0


def test_every_file_of_a_vault_is_known_as_one(new_vault: tuple[Path, str]) -> None:
    """app.fileio knows the vault's files by their names beside the key file; app/vault/paths.py names them."""
    paths = VaultPaths.of(new_vault[0])
    named = [paths.database, paths.keyfile, paths.lockfile, paths.lockout, paths.erasures, paths.marks]
    named += paths.database_files()
    assert all(part_of_a_vault(path) for path in named), [p.name for p in named if not part_of_a_vault(p)]
    assert not part_of_a_vault(paths.database.with_name("customers.csv"))


def test_a_pipe_is_refused_and_a_link_is_written_through(tmp_path: Path) -> None:
    pipe = tmp_path / "export.csv"
    os.mkfifo(pipe)
    with pytest.raises(InvalidInput, match="not a file"):
        atomic_write(pipe, b"name,email\n")
    assert not pipe.is_file() and [p.name for p in tmp_path.iterdir()] == ["export.csv"]  # the pipe, untouched
    real = tmp_path / "exports" / "customers.csv"
    real.parent.mkdir()
    real.write_text("old")
    link = tmp_path / "latest.csv"
    link.symlink_to(real)
    atomic_write(link, b"name,email\n")
    assert link.is_symlink() and real.read_bytes() == b"name,email\n"  # the link stays, its file is new


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="no /dev/full on this system")
def test_a_device_is_refused_not_replaced(new_vault: tuple[Path, str], run_cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    device = tmp_path / "full"
    device.symlink_to("/dev/full")  # a device reached by a name in a folder of one's own: never replaced
    result = run_cli("export", new_vault[0], "--user", OWNER, "--password-stdin", "--csv", device, stdin=LOGIN)
    assert result.code == 5 and "not a file" in result.err, result.err
    assert device.is_symlink() and Path("/dev/full").is_char_device()


def test_a_password_file_not_in_utf8_is_said_so_and_one_with_a_bom_works(
    new_vault: tuple[Path, str], tmp_path: Path
) -> None:
    """Outside review: a cron password file saved as Windows-1252 ended in "unexpected error
    (UnicodeEncodeError)"; one saved as UTF-8 "with BOM" was a wrong password and counted towards the lockout."""
    import io
    import sys

    from app import cli

    def stdin_of(raw: bytes) -> io.TextIOWrapper:
        return io.TextIOWrapper(io.BytesIO(raw), encoding="utf-8", errors="surrogateescape")  # as a pipe reads

    errors = io.StringIO()
    real = sys.stderr
    sys.stderr = errors
    try:
        code = cli.main(
            ["init", str(tmp_path / "new.vault"), "--owner", "Ana", "--password-stdin"],
            stdin_of(b"P\xe4sswort-12345\n" * 2),
        )
        bom = cli.main(
            ["verify", str(new_vault[0]), "--user", OWNER, "--password-stdin"],
            stdin_of(b"\xef\xbb\xbf" + LOGIN.encode()),
        )
    finally:
        sys.stderr = real
    assert code == 5 and "not UTF-8 text" in errors.getvalue(), errors.getvalue()
    assert not [p.name for p in tmp_path.iterdir() if p.name.startswith("new.vault")]  # nothing made, no lock left
    assert bom == 0, errors.getvalue()


def test_a_reader_that_stops_early_gets_no_error(tmp_path: Path) -> None:
    """`counterpart-admin search … | head -1` said "the chosen place could not be written or read (Broken pipe)"
    and exit 1 (or 0, by timing)."""
    import subprocess
    import sys

    from app.access.session import create_vault
    from app.crm.contacts import ContactInput, ContactService
    from app.vault import kdf

    vault = tmp_path / "shop.vault"  # without the keychain: the command runs in a process of its own
    session, _key = create_vault(vault, OWNER, OWNER_PASSWORD, use_keychain=False, kdf_params=kdf.CHEAP)
    ContactService(session).create_many(
        (ContactInput(given_name=f"Anna{n}", family_name="Ahlström-Lindqvist") for n in range(3000)), source="test"
    )
    session.lock("logout")
    command = [sys.executable, "-m", "app.cli", "search", str(vault), "--user", OWNER, "--password-stdin"]
    process = subprocess.Popen(
        [*command, "Anna", "--limit", "5000"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env={**os.environ, "LANG": "C.UTF-8"},
    )
    assert process.stdin is not None and process.stdout is not None and process.stderr is not None
    process.stdin.write(LOGIN.encode())
    process.stdin.close()
    first = process.stdout.readline()
    process.stdout.close()  # as `head -1` does once it has its line
    code = process.wait(timeout=60)
    assert b"Anna" in first
    assert (code, process.stderr.read().decode()) == (0, "")
