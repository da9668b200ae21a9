"""counterpart-admin shows how far long work has got on a terminal, one line rewritten on standard error, and
nothing of it where standard error is a pipe or a log; standard output stays exactly as scripts read it."""

from __future__ import annotations

import csv
import io
import sys
from pathlib import Path

import pytest

from app import cli
from app.cli import progress as progress_module
from app.cli.progress import TerminalProgress
from tests.conftest import OWNER, OWNER_PASSWORD


class Terminal(io.StringIO):
    """Standard error as a terminal is (isatty), keeping what was written."""

    def isatty(self) -> bool:
        return True


def _shown(written: str) -> list[str]:
    """The line's successive states, as a person saw them (padding stripped)."""
    return [state.rstrip() for state in written.split("\r") if state.strip()]


def test_counts_then_wipes_its_line(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(progress_module, "EVERY_SECONDS", 0)
    terminal = Terminal()
    with TerminalProgress("Importing customers…", terminal) as progress:
        progress(1000)
        progress(12000)
        progress(3, 150)
        progress(0, 0)
    assert _shown(terminal.getvalue()) == [
        "Importing customers… 1,000",
        "Importing customers… 12,000",
        "Importing customers… 3 of 150",
        "Finishing (this step cannot be cancelled)…",
    ]
    assert terminal.getvalue().endswith(" " * len("Finishing (this step cannot be cancelled)…") + "\r")  # wiped


def test_redraws_at_most_five_times_a_second_but_always_shows_the_end(monkeypatch: pytest.MonkeyPatch) -> None:
    terminal = Terminal()
    clock = iter([10.0, 10.05, 10.1, 10.3, 10.31])
    monkeypatch.setattr(progress_module.time, "monotonic", lambda: next(clock))
    progress = TerminalProgress("Writing letters…", terminal)
    for done in (1, 2, 3, 4):
        progress(done, 5)
    progress(5, 5)  # the last one, however soon
    assert _shown(terminal.getvalue()) == [
        "Writing letters… 1 of 5",
        "Writing letters… 4 of 5",
        "Writing letters… 5 of 5",
    ]


def test_writes_nothing_where_standard_error_is_not_a_terminal() -> None:
    log = io.StringIO()
    with TerminalProgress("Importing customers…", log) as progress:
        progress(1000)
        progress(0, 0)
    assert log.getvalue() == ""


def _untidy_export(path: Path, rows: int) -> None:
    """A shop's export as it comes: BOM, CRLF, odd headings, local numbers with a country column, some blanks."""
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\r\n")
        writer.writerow(["First Name", "Last Name", "E-mail Address ", "Phone", "Country Code", "Crm Note"])
        for n in range(rows):
            writer.writerow(
                [
                    ["Zoë", "Ngozi", "王", "Ólafur", "Søren"][n % 5],
                    f"Custòmer{n}" if n % 7 else "",
                    f" person{n}@Example{n % 13}.com " if n % 11 else "",
                    f"0{n % 9 + 1}1 {n:07d}"[:13] if n % 3 else "",
                    ["GB", "de", "", "CL"][n % 4],
                    "bought, then returned" if n % 17 == 0 else "",
                ]
            )


def test_the_import_command_counts_on_a_terminal_and_prints_its_report_as_before(
    new_vault: tuple[Path, str], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    vault = new_vault[0]
    monkeypatch.setattr(progress_module, "EVERY_SECONDS", 0)
    source = tmp_path / "customers_export.csv"
    _untidy_export(source, 2500)
    terminal = Terminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    code = cli.main(
        ["import", str(vault), "--user", OWNER, str(source), "--password-stdin"], io.StringIO(OWNER_PASSWORD + "\n")
    )
    printed = capsys.readouterr().out
    assert code == 0, terminal.getvalue()
    assert "imported: 2500" in printed.splitlines() and "\r" not in printed  # scripts read the same lines
    shown = _shown(terminal.getvalue())
    assert shown[:2] == ["Importing customers… 1,000", "Importing customers… 2,000"]
    assert not any("Zoë" in line or "@" in line for line in shown)  # a count, never a person
    assert terminal.getvalue().split("\r")[-2].strip() == ""  # the line was wiped before the report


def test_a_pipe_gets_no_progress_from_the_import_command(new_vault: tuple[Path, str], run_cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    vault = new_vault[0]
    source = tmp_path / "customers_export.csv"
    _untidy_export(source, 1200)
    result = run_cli("import", vault, "--user", OWNER, source, "--password-stdin", stdin=OWNER_PASSWORD + "\n")
    assert result.code == 0, result.err
    assert "imported: 1200" in result.out.splitlines()
    assert "Importing customers" not in result.err and "\r" not in result.err
