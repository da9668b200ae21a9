"""Opening vaults on a worker (argon2 and SQLCipher take a moment): create, unlock, recover, check a password.

Any thread may later lock what these open: the vault's file lock is not thread-local (ui/operation.py).
The unlock screen imports this module only when someone presses Unlock (see tests/ui/test_startup.py).
"""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING

from app.access.session import Session, create_vault, open_session
from app.access.shop import ShopProfile, ShopService
from app.admin.security import RecoveryResult, recover
from app.vault.vault import Vault
from ui.operation import Cancelled, Progress, Work

if TYPE_CHECKING:  # fido2 loads only when a slot has a security key (ui/unlock.py)
    from app.vault.second_factor import SecondFactor


def open_vault(path: Path, name: str, password: str, second_factor: SecondFactor | None = None) -> Work[Session]:
    """Sign `name` in (argon2, then SQLCipher); the session it returns is theirs. `second_factor` is asked only
    when the login needs a security key (issue #20)."""
    return lambda progress, cancelled: open_session(path, name, password, second_factor)


def create(
    path: Path,
    owner: str,
    password: str,
    *,
    use_keychain: bool,
    profile: ShopProfile,
) -> Work[tuple[Session, str]]:
    """A new vault with its owner signed in and the shop's details saved; returns the recovery key too."""

    def work(progress: Progress, cancelled: Cancelled) -> tuple[Session, str]:
        session, recovery_key = create_vault(path, owner, password, use_keychain=use_keychain)
        ShopService(session).update(**asdict(profile))
        return session, recovery_key

    return work


def recover_with_key(path: Path, recovery_key: str, new_password: str) -> Work[RecoveryResult]:
    """Leaves the vault closed: the person signs in with the new password next."""
    return lambda progress, cancelled: recover(path, recovery_key, new_password)


def check_password(vault: Vault, name: str, password: str) -> Work[None]:
    """Raises AuthenticationFailed unless `password` opens `name`'s slot."""
    return lambda progress, cancelled: vault.check_password(name, password)
