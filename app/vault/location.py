"""Where a vault lives when the owner does not choose: the per-user data folder of each OS."""

from __future__ import annotations

from pathlib import Path

from platformdirs import user_data_dir

from app import APP_NAME


def default_vault_path() -> Path:
    return Path(user_data_dir(APP_NAME, appauthor=False, roaming=False)) / "counterpart.vault"
