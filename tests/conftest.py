"""Shared fixtures: real SQLCipher files in temp dirs; only the OS keychain is replaced (CI has none)."""

from __future__ import annotations

import io
import os
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import keyring
import pytest
from keyring.backend import KeyringBackend
from keyring.errors import NoKeyringError, PasswordDeleteError

from app import cli
from app.access.session import Session, create_vault, open_session
from app.locale import i18n
from app.vault import kdf

OWNER, OWNER_PASSWORD = "Ana Owner", "owner-pass-1"


class MemoryKeyring(KeyringBackend):
    """An OS keychain stand-in that keeps secrets in a dict."""

    priority = 1  # type: ignore[assignment]

    def __init__(self) -> None:
        super().__init__()
        self.secrets: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.secrets.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.secrets[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        if self.secrets.pop((service, username), None) is None:
            raise PasswordDeleteError("not found")


class NoKeyring(KeyringBackend):
    """Like keyring's fail backend on headless Linux: every call raises NoKeyringError."""

    priority = 0  # type: ignore[assignment]

    def get_password(self, service: str, username: str) -> str | None:
        raise NoKeyringError("no keychain")

    def set_password(self, service: str, username: str, password: str) -> None:
        raise NoKeyringError("no keychain")

    def delete_password(self, service: str, username: str) -> None:
        raise NoKeyringError("no keychain")


@pytest.fixture(autouse=True)
def english_until_a_test_says_otherwise() -> Iterator[None]:
    """Each test starts in English whatever the machine's locale (CI runs under LANG=C.UTF-8), and a language
    one test chose (the CLI's main() sets the process's language) never leaks into the next."""
    i18n.set_language("en")
    yield
    i18n.set_language("en")
    qt_core = sys.modules.get("PySide6.QtCore")
    if qt_core is not None:
        qt_core.QLocale.setDefault(
            qt_core.QLocale(qt_core.QLocale.Language.English, qt_core.QLocale.Country.UnitedStates)
        )


@pytest.fixture(autouse=True)
def memory_keyring() -> Iterator[MemoryKeyring]:
    previous = keyring.get_keyring()
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    yield backend
    keyring.set_keyring(previous)


@pytest.fixture
def no_keyring(memory_keyring: MemoryKeyring) -> NoKeyring:
    backend = NoKeyring()
    keyring.set_keyring(backend)
    return backend


@pytest.fixture(autouse=True)
def cheap_kdf(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    """Slots made without explicit parameters (CLI, services) use cheap ones, unless marked real_kdf."""
    if "real_kdf" not in request.keywords:
        monkeypatch.setattr(kdf, "calibrate", lambda target_seconds=kdf.TARGET_SECONDS: kdf.CHEAP)


@pytest.fixture
def vault_path(tmp_path: Path) -> Path:
    return tmp_path / "shop.vault"


@pytest.fixture
def new_vault(vault_path: Path) -> tuple[Path, str]:
    """A closed vault with one owner; returns its path and recovery key."""
    session, recovery_key = create_vault(vault_path, OWNER, OWNER_PASSWORD, kdf_params=kdf.CHEAP)
    session.vault.close()
    return vault_path, recovery_key


@pytest.fixture
def owner_session(new_vault: tuple[Path, str]) -> Iterator[Session]:
    session = open_session(new_vault[0], OWNER, OWNER_PASSWORD)
    yield session
    session.vault.close()


@dataclass
class CliResult:
    code: int
    out: str
    err: str


@pytest.fixture
def run_cli(capsys: pytest.CaptureFixture[str]):  # type: ignore[no-untyped-def]
    """Run counterpart-admin in this process (cheap KDF applies); stdin lines are the passwords."""

    def run(*argv: str, stdin: str = "") -> CliResult:
        capsys.readouterr()
        code = cli.main([str(a) for a in argv], stdin=io.StringIO(stdin))
        captured = capsys.readouterr()
        return CliResult(code, captured.out, captured.err)

    return run


@pytest.fixture
def no_throttle(monkeypatch: pytest.MonkeyPatch) -> None:
    """For tests that fail a password on purpose and then sign in at once."""
    from app.vault import lockout

    monkeypatch.setattr(lockout, "delay_after", lambda failures: 0.0)


@pytest.fixture(autouse=True, scope="session")
def cycles_collected_on_the_main_thread() -> Iterator[None]:
    """As in the app (ui/gui_collector.py): no automatic collection, which could run on a worker thread and
    free Qt objects there; `no_background_work_leaks` collects each test's leftovers on the main thread."""
    import gc

    gc.disable()
    yield
    gc.enable()


@pytest.fixture(autouse=True)
def no_background_work_leaks() -> Iterator[None]:
    """Each test starts with idle workers: work a test left running must not block the next one's unlock."""
    yield
    import sys

    if "ui.operation" in sys.modules:
        from PySide6.QtCore import QThreadPool

        QThreadPool.globalInstance().waitForDone(10_000)
    from ui.gui_collector import collect_due

    collect_due()
