"""Where a vault lives when the owner does not choose: the per-user data folder of each OS."""

from __future__ import annotations

import os
from pathlib import Path

from platformdirs import user_data_dir, user_documents_dir

from app import APP_NAME


def default_vault_path() -> Path:
    return Path(user_data_dir(APP_NAME, appauthor=False, roaming=False)) / "counterpart.vault"


def documents_folder() -> Path:
    """Where files the user saves are suggested: the Documents folder the OS names (platformdirs), created if
    it does not exist yet (a new Linux account often has no ~/Documents, and saving there failed); the home
    folder when it cannot be made."""
    folder = Path(user_documents_dir())
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError:
        return Path.home()
    return folder if os.access(folder, os.W_OK) else Path.home()
