"""Where a vault's files are: the database and the small files kept beside it.

Apart from app/vault/vault.py (SQLCipher, the file lock, the keychain) so that what reads these files before
anything is unlocked (the app's unlock screen, app/access/sign_in.py) does not import all of that.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class VaultPaths:
    database: Path
    keyfile: Path
    lockfile: Path
    lockout: Path
    erasures: Path  # pseudonyms of erased people (keyed HMACs), readable without the key, for restores
    marks: Path  # the commit counter and person-id high-water mark (app/vault/marks.py)

    @classmethod
    def of(cls, path: str | Path) -> VaultPaths:
        db = Path(path).expanduser().absolute()
        return cls(
            db,
            db.with_name(db.name + ".keys"),
            db.with_name(db.name + ".lock"),
            db.with_name(db.name + ".lockout"),
            db.with_name(db.name + ".erasures"),
            db.with_name(db.name + ".marks"),
        )

    def database_files(self) -> list[Path]:
        """The database and the files SQLite keeps beside it while it works."""
        return [self.database] + [self.database.with_name(self.database.name + s) for s in ("-wal", "-shm", "-journal")]
