"""Mistakes a person or a script makes with counterpart-admin, each with the exit code the contract gives it and
a message that names the thing (an outside review found each answered wrongly: a missing file as "invalid
input" or as a damaged backup, a folder given as the vault sent to the recovery key, /dev/zero read until the
process was killed, an unsupported document language printed in English with exit 0)."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from tests.conftest import OWNER, OWNER_PASSWORD

LOGIN = OWNER_PASSWORD + "\n"


def test_a_file_that_is_not_there_is_exit_1_naming_it(new_vault: tuple[Path, str], run_cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    vault, missing = new_vault[0], tmp_path / "customers_export.csv"
    imported = run_cli("import", vault, "--user", OWNER, missing, "--password-stdin", stdin=LOGIN)
    assert (imported.code, imported.err.strip()) == (1, f"counterpart-admin: {missing} does not exist.")
    head = run_cli("verify", vault, "--user", OWNER, "--password-stdin", "--head-from", missing, stdin=LOGIN)
    assert head.code == 1 and str(missing) in head.err
    for command in ("drill", "restore"):
        args = ("--to", tmp_path / "restored.vault") if command == "restore" else ()
        result = run_cli(
            command, tmp_path / "backups" / "2026-12-01", "--user", OWNER, *args, "--password-stdin", stdin=LOGIN
        )
        assert result.code == 1 and "does not exist" in result.err and "damaged" not in result.err, result.err
    listed = run_cli("backups", tmp_path / "usb-stick")
    assert listed.code == 1 and "usb-stick" in listed.err  # was silent, exit 0: no backups and no drive looked alike


def test_a_folder_that_is_no_backup_is_bad_input_not_damage(tmp_path: Path, run_cli) -> None:  # type: ignore[no-untyped-def]
    folder = tmp_path / "holiday photos"
    folder.mkdir()
    result = run_cli("drill", folder, "--user", OWNER, "--password-stdin", stdin=LOGIN)
    assert result.code == 5 and "is not a Counterpart backup" in result.err, result.err


def test_a_folder_given_as_the_vault_is_said_so(tmp_path: Path, run_cli) -> None:  # type: ignore[no-untyped-def]
    folder = tmp_path / "Counterpart"
    folder.mkdir()
    result = run_cli("verify", folder, "--user", OWNER, "--password-stdin", stdin=LOGIN)
    assert result.code == 5 and "is a folder, not a vault" in result.err, result.err
    assert "recovery key" not in result.err


@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="no /dev/zero on this system")
def test_a_device_given_as_an_export_to_compare_is_refused_at_once(new_vault: tuple[Path, str], run_cli) -> None:  # type: ignore[no-untyped-def]
    started = time.monotonic()
    result = run_cli(
        "verify", new_vault[0], "--user", OWNER, "--password-stdin", "--head-from", "/dev/zero", stdin=LOGIN
    )
    assert result.code == 5 and "is not a file" in result.err, result.err
    assert time.monotonic() - started < 30  # it was read until the machine ran out of memory


@pytest.mark.parametrize(
    "command",
    [
        ("notice", "show"),
        ("ropa", "--out", "ropa.pdf"),
        ("dpia", "show"),
        ("breach", "report", "--id", "1", "--out", "report.pdf"),
    ],
)
def test_an_unsupported_document_language_is_exit_5_with_the_list(
    new_vault: tuple[Path, str], run_cli, command: tuple[str, ...]
) -> None:  # type: ignore[no-untyped-def]
    result = run_cli(*command, new_vault[0], "--user", OWNER, "--password-stdin", "--lang", "klingon", stdin=LOGIN)
    assert result.code == 5, result.err
    assert "Documents are available in: en, de, fr, es, zh_CN. klingon is not one of them." in result.err


def test_a_usage_error_is_one_plain_line(run_cli) -> None:  # type: ignore[no-untyped-def]
    """It said "counterpart-admin: counterpart-admin verify: …" and named internals such as notice_command."""
    missing = run_cli("verify")
    assert (missing.code, missing.err) == (
        2,
        "counterpart-admin: verify: the following arguments are required: VAULT, --user\n",
    )
    for command in ("notice", "dpia", "training", "review"):
        result = run_cli(command)
        assert result.code == 2 and result.err.endswith("the following arguments are required: ACTION\n"), result.err


def test_a_search_limit_below_one_is_a_usage_error(new_vault: tuple[Path, str], run_cli) -> None:  # type: ignore[no-untyped-def]
    """--limit -5 reached SQLite as LIMIT -5: no limit at all for an owner, a permission refusal for staff."""
    for limit in ("-5", "0"):
        result = run_cli(
            "search", new_vault[0], "--user", OWNER, "a", "--limit", limit, "--password-stdin", stdin=LOGIN
        )
        assert (result.code, result.err) == (2, "counterpart-admin: --limit must be 1 or more.\n")


def test_cli_advice_names_cli_options(new_vault: tuple[Path, str], run_cli) -> None:  # type: ignore[no-untyped-def]
    """A review recorded with nothing said "Tick what you checked" (the app's checkboxes) on the command line."""
    result = run_cli("review", "record", new_vault[0], "--user", OWNER, "--password-stdin", stdin=LOGIN)
    assert result.code == 2 and "--item" in result.err and "Tick" not in result.err, result.err


def test_an_export_to_a_folder_names_the_folder(new_vault: tuple[Path, str], run_cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """It named a hidden temporary file ("…/.exp.nwhtyaxu.tmp is a folder"), not what the person typed."""
    folder = tmp_path / "exports"
    folder.mkdir()
    result = run_cli("export", new_vault[0], "--user", OWNER, "--password-stdin", "--csv", folder, stdin=LOGIN)
    assert (result.code, result.err) == (1, f"counterpart-admin: {folder} is a folder. Add a file name.\n")
    assert list(folder.iterdir()) == []


def test_backups_of_a_file_says_it_is_a_file(tmp_path: Path, run_cli) -> None:  # type: ignore[no-untyped-def]
    """`backups shop.vault` said "shop.vault does not exist" of a file that does."""
    vault = tmp_path / "shop.vault"
    vault.write_bytes(b"x")
    result = run_cli("backups", vault)
    assert (result.code, result.err) == (5, f"counterpart-admin: {vault} is a file, not a backup folder.\n")
