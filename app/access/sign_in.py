"""What the unlock screen shows before anything is unlocked: who may sign in, and how long someone must wait.

Apart from app/access/session.py so that the app's first screen does not import SQLCipher, the audit log and
the vault to show a list of names (the key file and the lockout file are plain JSON).
"""

from __future__ import annotations

from pathlib import Path

from app.vault import restore_journal
from app.vault.keyfile import KeyFile, user_key
from app.vault.lockout import LockoutBook
from app.vault.paths import VaultPaths


def sign_in_names(path: str | Path) -> list[str]:
    """The names on the unlock screen (like a till), read from the key file before anything is unlocked."""
    restore_journal.finish_interrupted(VaultPaths.of(path))  # a restore stopped halfway moved the key file
    keyfile, _mac = KeyFile.load(VaultPaths.of(path).keyfile)
    return sorted(keyfile.users(), key=user_key)


def wait_before_unlock(path: str | Path, name: str) -> float:
    """Seconds `name` must still wait after failed attempts (0 when they may try now)."""
    return LockoutBook(VaultPaths.of(path).lockout).wait_seconds(name)
