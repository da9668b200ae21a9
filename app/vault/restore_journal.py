"""Restore's swap of the vault's files, made atomic by a journal: after a kill or a power cut at any step, the
next open (or restore) finishes it, so the folder holds the old vault or the new one, never neither.

The restored vault is complete in a staging folder beside the vault before anything moves (verified, its log
checkpointed). Then:
1. the journal `NAME.restoring` is written (atomically) naming the staging folder, the folder the current files
   go to, and the staged files;
2. every current file (database, its -wal/-shm/-journal, key file, marks file) moves aside: all of them before
   any new file comes in, so an old -wal is never applied to the new database;
3. each staged file moves in;
4. the journal goes, then the staging folder.
Finishing replays from the journal: while no staged file has moved in, whatever is at the vault's place is old
and moves aside; then what is still staged moves in. Every step is a rename within one folder, so it is
repeatable. The lock file, the .lockout and .erasures files stay where they are.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path
from typing import Any

from app.errors import VaultBusy, VaultDamaged
from app.fileio import atomic_write
from app.locale import _
from app.vault.paths import VaultPaths

SUFFIX = ".restoring"


def journal_path(paths: VaultPaths) -> Path:
    return paths.database.with_name(paths.database.name + SUFFIX)


def vault_files(paths: VaultPaths) -> list[Path]:
    """The files that make up the vault's state, and move together in a restore."""
    return [*paths.database_files(), paths.keyfile, paths.marks]


def _step(name: str) -> None:
    """Called after each step of the swap: the seam a crash test uses to stop the process exactly there."""


def _sync_folder(folder: Path) -> None:
    if hasattr(os, "O_DIRECTORY"):
        fd = os.open(folder, os.O_DIRECTORY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def swap(paths: VaultPaths, staging: Path, kept_aside: Path) -> Path | None:
    """Replace the vault's files with those in `staging` (same folder); returns where the old ones went (None
    when there were none). The caller holds the vault's lock."""
    staged = [p.name for p in vault_files(paths) if (staging / p.name).exists()]
    journal = {"staging": staging.name, "kept_aside": kept_aside.name, "staged": staged}
    atomic_write(journal_path(paths), json.dumps(journal).encode("utf-8"), vault_file=True)
    _step("journal")
    return _finish(paths, journal)


def _finish(paths: VaultPaths, journal: dict[str, Any]) -> Path | None:
    folder = paths.database.parent
    staging, aside = folder / str(journal["staging"]), folder / str(journal["kept_aside"])
    staged = [str(name) for name in journal["staged"]]
    if any(not (staging / n).exists() and not (folder / n).exists() for n in staged):
        raise VaultDamaged(
            _(
                "A restore of {vault} stopped halfway and its new files are gone; the previous vault's "
                "files are in {aside}."
            ).format(vault=paths.database.name, aside=aside)
        )
    if all((staging / n).exists() for n in staged):  # nothing new has come in: what is in place is the old vault
        for current in vault_files(paths):
            if current.exists():
                aside.mkdir(exist_ok=True)
                current.rename(aside / current.name)
                _step("aside " + current.name)
        _sync_folder(folder)
    for name in staged:
        if (staging / name).exists():
            (staging / name).rename(folder / name)
            _step("in " + name)
    _sync_folder(folder)
    journal_path(paths).unlink()
    _sync_folder(folder)
    shutil.rmtree(staging, ignore_errors=True)
    return aside if aside.exists() else None


def finish_locked(paths: VaultPaths) -> Path | None:
    """Finish an interrupted restore, if there is one (the caller holds the vault's lock)."""
    try:
        journal = json.loads(journal_path(paths).read_text("utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as exc:
        raise VaultDamaged(
            _("The restore journal {name} cannot be read ({detail}).").format(name=journal_path(paths).name, detail=exc)
        ) from None
    return _finish(paths, journal)


def finish_interrupted(paths: VaultPaths) -> None:
    """Before an open: finish a restore that was stopped (taking the vault's lock for it). A restore still
    running holds the lock: the vault is busy."""
    if not journal_path(paths).exists():
        return
    from filelock import FileLock, Timeout  # only now: the unlock screen comes up without it

    lock = FileLock(paths.lockfile, timeout=0, thread_local=False)
    try:
        lock.acquire()
    except Timeout:
        raise VaultBusy(
            _("The vault {name} is being restored from a backup. Wait until that finishes.").format(
                name=paths.database.name
            )
        ) from None
    try:
        finish_locked(paths)
    finally:
        lock.release()
