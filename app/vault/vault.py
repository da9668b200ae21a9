"""Create, unlock, recover, rekey and lock a vault: the database file plus its key-slot file.

'Wrong password' is decided at the key slot (AES-GCM tag) before the database is touched, so a database
error after a good slot always means damage. The vault holds an exclusive lock file while open, so a second
writer gets 'already open' instead of a corrupted file.

Key-file generations: the database (vault_meta 'keys_generation') and the key file's MAC'd body both carry a
counter that goes up with every change of the slots (a password set or changed, a login added, disabled or
removed, a rekey). Every change writes the key file first, then the database's counter. A crash between the two
leaves a key file one ahead of the database, which unlock accepts and settles; a key file *behind* the database
is an earlier copy put back, and unlocking with a password refuses it (the recovery key still opens the vault).
"""

from __future__ import annotations

import os
import secrets
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

import sqlcipher3
from filelock import FileLock, Timeout

from app import __version__
from app.errors import (
    AuthenticationFailed,
    InvalidInput,
    KeychainUnavailable,
    SecurityKeyError,
    VaultBusy,
    VaultDamaged,
)
from app.locale import _, ngettext
from app.process_guard import give_back_free_memory
from app.store import database, migrations, settings
from app.store.database import Connection
from app.store.settings import BACKUP_FOLDER
from app.store.signing import Signer, new_private_key
from app.store.worker_connection import WorkerConnection
from app.vault import backup, kdf, keychain, marks, restore_journal, sealing
from app.vault.keyfile import (
    CURRENT,
    DATA_KEY_BYTES,
    FACTOR_SECRET_BYTES,
    NEXT,
    Enrolment,
    KeyFile,
    Slot,
    device_fingerprint,
    key_check,
    now_utc,
    user_key,
)
from app.vault.lockout import LockoutBook
from app.vault.paths import VaultPaths as VaultPaths  # re-exported: callers import it from here too
from app.vault.recovery_key import format_recovery_key, parse_recovery_key

if TYPE_CHECKING:  # the real one imports python-fido2; unlocking a slot without a key needs none of it
    from app.vault.second_factor import SecondFactor

MIN_PASSWORD_LENGTH = 8
GENERATION_KEY = "keys_generation"


def db_generation(conn: Connection) -> int:
    """The key-file generation the database expects (0 for a vault made before generations existed)."""
    row = conn.execute("SELECT value FROM vault_meta WHERE key = ?", (GENERATION_KEY,)).fetchone()
    return 0 if row is None else int(row[0])


def _set_db_generation(conn: Connection, generation: int) -> None:
    with database.transaction(conn):
        conn.execute(
            "INSERT INTO vault_meta(key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            (GENERATION_KEY, str(generation)),
        )


def _zero(secret: bytearray) -> None:
    for i in range(len(secret)):
        secret[i] = 0


def check_new_password(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise InvalidInput(_("A password needs at least {n} characters.").format(n=MIN_PASSWORD_LENGTH))


def acquire_lock(paths: VaultPaths) -> FileLock:
    # thread_local=False: the app unlocks on a worker thread and locks from the UI thread.
    lock = FileLock(paths.lockfile, timeout=0, thread_local=False)
    try:
        lock.acquire()
    except Timeout:
        raise VaultBusy(
            _(
                "The vault {name} is already open in another Counterpart window or command. Close it there first."
            ).format(name=paths.database.name)
        ) from None
    except OSError as exc:  # a read-only drive or folder: the lock file cannot be made or opened
        raise database.folder_not_writable(paths.database.parent, exc) from None
    return lock


def _user_device_secret(keyfile: KeyFile, slot: Slot) -> bytes | None:
    """The device secret a slot needs, or a clear error naming the recovery key when it is gone."""
    if slot.device_id is None:
        return None
    secret = keychain.load_secret(keyfile.vault_id)
    if secret is None:
        changed = keyfile.keychain_backend not in (None, keychain.backend_name())
        reason = (
            _("this computer's keychain has changed since the vault was set up")
            if changed
            else _("this computer's keychain no longer holds the vault's secret")
        )
        raise KeychainUnavailable(
            _(
                "Cannot unlock: {reason}. The vault is bound to the keychain of the computer "
                "it was made on; open it with the recovery key instead."
            ).format(reason=reason)
        )
    if device_fingerprint(secret) != slot.device_id:
        raise KeychainUnavailable(
            _(
                "Cannot unlock: the login of {user} was set up with an earlier keychain "
                "secret of this vault. Ask the owner to reset your password, or use the "
                "recovery key."
            ).format(user=slot.user)
        )
    return secret


def _factor_secret(slot: Slot, second_factor: SecondFactor | None) -> bytes | None:
    """The security key's answer for a slot that needs one (a touch), before the password is tried: a missing or
    wrong key is not a wrong password, so it does not count towards the lockout."""
    if slot.second_factor is None:
        return None
    if second_factor is None:
        raise SecurityKeyError(
            _(
                "The login of {user} also needs its security key. Plug it in and sign in again, "
                "or open the vault with the recovery key."
            ).format(user=slot.user)
        )
    secret = second_factor.hmac_secret(slot.second_factor, slot.second_factor.salt)
    if len(secret) != FACTOR_SECRET_BYTES:
        raise SecurityKeyError(_("The security key gave an answer of the wrong size."))
    return secret


class Vault:
    """An open vault: the data key, the database connection(s) and the key file. Close it to lock."""

    _staged_keyfile: Path | None = None  # where slot changes go until the caller's commit (slots_after_commit)
    signer: Signer | None = None  # the unlocking slot's signing key, for audit entries (app/vault/sealing.py)
    sealing = False  # whether lock seals the audit chain's head into the key file
    # The unlocking slot's security-key answer while open, so changing one's own password keeps the key
    _factor: bytearray | None = None

    def __init__(
        self, paths: VaultPaths, keyfile: KeyFile, data_key: bytes, conn: Connection, lock: FileLock, user: str | None
    ) -> None:
        self.paths = paths
        self.keyfile = keyfile
        self._data_key = bytearray(data_key)
        self.db = conn
        self._lock = lock
        self.user = user  # the slot that opened it; None when opened with the recovery key
        self._extra_connections: list[WorkerConnection] = []
        self.failed_attempts_before: list[float] = []  # unix times of failed unlocks since the last success
        self.finished_rekey: str | None = None  # the new recovery key, when this unlock finished an interrupted rekey
        self._watched: str | None = None  # this vault's key in database.commit_watchers

    # --- opening -------------------------------------------------------------------------------------------

    @classmethod
    def create(
        cls,
        path: str | Path,
        owner: str,
        password: str,
        *,
        use_keychain: bool = True,
        kdf_params: kdf.KdfParams | None = None,
        schema_target: int = migrations.LATEST,
    ) -> tuple[Vault, str]:
        """Make a new vault; returns it open, with the recovery key to show once.

        With `use_keychain` the data key also needs this computer's keychain secret; where no keychain works
        the vault is password-only (check `vault.keychain_bound` and say so).
        """
        owner = owner.strip()
        if not owner:
            raise InvalidInput(_("The owner needs a name."))
        check_new_password(password)
        paths = VaultPaths.of(path)
        for existing in (paths.database, paths.keyfile):
            if existing.exists():
                raise InvalidInput(
                    _(
                        "There is already a file at {path}. Counterpart never makes a vault over an existing file."
                    ).format(path=existing)
                )
        paths.database.parent.mkdir(parents=True, exist_ok=True)
        lock = acquire_lock(paths)
        vault_id = uuid.uuid4().hex
        data_key = secrets.token_bytes(DATA_KEY_BYTES)
        device_secret = keychain.new_secret(vault_id) if use_keychain and keychain.is_available() else None
        conn = None
        try:
            conn = database.connect(paths.database, data_key, create=True)
            migrations.migrate(conn, target=1)
            with database.transaction(conn):
                conn.executemany(
                    "INSERT INTO vault_meta(key, value) VALUES (?, ?)",
                    [
                        ("vault_id", vault_id),
                        ("created_at", now_utc()),
                        ("created_by_version", __version__),
                        ("owner", owner),
                    ],
                )
            if schema_target > 1:
                migrations.migrate(conn, target=schema_target)
            params = kdf_params or kdf.calibrate()
            signing_key, owner_id = new_private_key(), sealing.user_id_of(conn, owner)
            keyfile = KeyFile(
                vault_id=vault_id,
                created=now_utc(),
                keychain_backend=keychain.backend_name() if device_secret else None,
                key_checks={CURRENT: key_check(data_key, vault_id)},
                slots=[
                    Slot.create(
                        vault_id=vault_id,
                        user=owner,
                        password=password,
                        data_key=data_key,
                        params=params,
                        device_secret=device_secret,
                        user_id=owner_id,
                        signing_key=signing_key,
                    )
                ],
            )
            keyfile.save(paths.keyfile, data_key)
            vault = cls(paths, keyfile, data_key, conn, lock, keyfile.slots[0].user)
            if sealing.signed_entries(conn):  # else (an old schema, in tests) the key is taken at the next unlock
                vault.signer, vault.sealing = Signer(keyfile.slots[0].slot_id, owner_id, signing_key), True
            vault._watch_commits(marks.marks_key(conn))
        except BaseException:
            if conn is not None:
                conn.close()
            for leftover in [*paths.database_files(), paths.keyfile, paths.marks]:
                leftover.unlink(missing_ok=True)
            watcher = database.commit_watchers.pop(str(paths.database.resolve()), None)
            if watcher is not None:
                watcher.close()
            if device_secret is not None:
                keychain.delete_secret(vault_id)
            lock.release()
            raise
        return vault, format_recovery_key(data_key)

    @classmethod
    def unlock(cls, path: str | Path, user: str, password: str, second_factor: SecondFactor | None = None) -> Vault:
        """Open with `user`'s slot; `second_factor` is asked (a touch) only when that slot needs a security key."""
        paths = VaultPaths.of(path)
        cls._require_vault(paths)
        keyfile, mac = KeyFile.load(paths.keyfile)
        slot = keyfile.find_slot(user)
        if slot is None:
            raise AuthenticationFailed(_("There is no user called {user} in this vault.").format(user=user))
        book = LockoutBook(paths.lockout)
        book.check(slot.user)
        lock = acquire_lock(paths)
        try:
            device_secret = _user_device_secret(keyfile, slot)
            factor = _factor_secret(slot, second_factor)
            try:
                opened = slot.unseal(keyfile.vault_id, password, device_secret, factor)
            except AuthenticationFailed as exc:
                book.fail(slot.user)
                if book.warning is None or type(exc) is not AuthenticationFailed:
                    raise
                raise AuthenticationFailed(f"{exc} {book.warning}") from None  # one line: refused, and why
            cleared = book.succeed(slot.user)
            vault = cls._open(paths, keyfile, mac, opened.keys, lock, slot.user)
            vault._factor = bytearray(factor) if factor is not None else None
            try:
                sealing.after_unlock(vault, slot, opened)  # the signing key, and the log checked against its head
            except BaseException:
                vault.close()
                raise
            vault.failed_attempts_before = cleared.times
            return vault
        except BaseException:
            lock.release()
            raise

    @classmethod
    def open_with_recovery_key(cls, path: str | Path, recovery_key: str) -> Vault:
        """Open with the recovery key alone: no password, no keychain, even without the key file."""
        data_key = parse_recovery_key(recovery_key)
        paths = VaultPaths.of(path)
        cls._require_vault(paths)
        lock = acquire_lock(paths)
        try:
            if not paths.keyfile.exists():
                return cls._rebuild_keyfile(paths, data_key, lock)
            keyfile, mac = KeyFile.load(paths.keyfile)
            for which, check in keyfile.key_checks.items():
                if check == key_check(data_key, keyfile.vault_id):
                    keys = {which: data_key}
                    if which == NEXT:  # an interrupted rekey: the file is already re-encrypted with this key
                        keys[CURRENT] = data_key
                    try:
                        return cls._open(paths, keyfile, mac if which == CURRENT else None, keys, lock, None)
                    except VaultDamaged:
                        if which != CURRENT or NEXT not in keyfile.key_checks:
                            raise
                        raise AuthenticationFailed(
                            _(
                                "This recovery key was replaced by a rekey that stopped before it finished. Sign in "
                                "with a password: that finishes the rekey and shows the new recovery key."
                            )
                        ) from None
            raise AuthenticationFailed(
                _("This recovery key does not belong to this vault, or it was replaced when the vault was re-keyed.")
            )
        except BaseException:
            lock.release()
            raise

    @staticmethod
    def paths_of(path: str | Path) -> VaultPaths:
        return VaultPaths.of(path)

    @staticmethod
    def _require_vault(paths: VaultPaths) -> None:
        restore_journal.finish_interrupted(paths)  # a restore stopped halfway: finish it before reading anything
        if not paths.database.exists() and not paths.keyfile.exists():
            raise InvalidInput(_("There is no vault at {path}.").format(path=paths.database))
        if paths.database.is_dir():  # was "the key file is missing: use the recovery key", which cannot help
            raise InvalidInput(
                _("{path} is a folder, not a vault: give the vault's file (such as shop.vault).").format(
                    path=paths.database
                )
            )
        database.check_file_shape(paths.database)

    @classmethod
    def _open(
        cls,
        paths: VaultPaths,
        keyfile: KeyFile,
        mac: bytes | None,
        keys: dict[str, bytes],
        lock: FileLock,
        user: str | None,
    ) -> Vault:
        current = keys[CURRENT]
        if key_check(current, keyfile.vault_id) != keyfile.key_checks.get(CURRENT) and NEXT not in keys:
            raise VaultDamaged(_("The key file beside the vault has been altered: its key check does not match."))
        if mac is not None:
            keyfile.verify_mac(current, mac)
        conn, data_key = cls._connect_either(paths, keyfile, keys)
        vault = cls(paths, keyfile, data_key, conn, lock, user)
        try:
            vault._check_generation(by_password=user is not None)
            vault._settle_rekey()
            vault._backup_before_migrating()
            migrations.migrate(conn)
            vault._check_commits(by_password=user is not None)
        except sqlcipher3.DatabaseError as exc:
            error = database.classify(exc, paths.database, conn)
            vault.close()
            if error is None:
                raise
            raise error from None
        except BaseException:
            vault.close()
            raise
        return vault

    @staticmethod
    def _connect_either(paths: VaultPaths, keyfile: KeyFile, keys: dict[str, bytes]) -> tuple[Connection, bytes]:
        """Open with the current key, or with the next one when a rekey stopped after re-encrypting."""
        candidates = [keys[CURRENT]]
        if NEXT in keys and key_check(keys[NEXT], keyfile.vault_id) == keyfile.key_checks.get(NEXT):
            candidates.append(keys[NEXT])
        first_error: Exception | None = None
        for candidate in candidates:
            conn = None
            try:
                conn = database.connect(paths.database, candidate)
                conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
                return conn, candidate
            except sqlcipher3.DatabaseError as exc:
                first_error = first_error or exc
                if conn is not None:
                    conn.close()
        assert first_error is not None
        blocked = database.not_writable(paths.database)  # a read-only folder fails the same way: not damage
        if blocked is not None:
            raise blocked
        conn = None
        try:
            conn = database.connect(paths.database, keys[CURRENT])
            error = database.damaged_error(paths.database, conn, first_error)
        except sqlcipher3.DatabaseError:
            error = database.damaged_error(paths.database, None, first_error)
        finally:
            if conn is not None:
                conn.close()
        raise error

    @classmethod
    def _rebuild_keyfile(cls, paths: VaultPaths, data_key: bytes, lock: FileLock) -> Vault:
        """The key file is lost: the recovery key opens the database, which knows its own vault id."""
        try:
            conn = database.connect(paths.database, data_key)
            row = conn.execute("SELECT value FROM vault_meta WHERE key = 'vault_id'").fetchone()
        except sqlcipher3.DatabaseError:
            raise AuthenticationFailed(
                _("This recovery key does not open this vault (or the vault file is damaged).")
            ) from None
        vault_id = str(row[0])
        keyfile = KeyFile(
            vault_id=vault_id,
            created=now_utc(),
            keychain_backend=None,
            key_checks={CURRENT: key_check(data_key, vault_id)},
            slots=[],
            generation=db_generation(conn),
        )
        conn.close()
        return cls._open(paths, keyfile, None, {CURRENT: data_key}, lock, None)

    def _check_generation(self, by_password: bool) -> None:
        """Refuse a key file older than the database (when a password opened it); settle one that is ahead."""
        expected = db_generation(self.db)
        self._settle_staged_keyfile(expected)
        if self.keyfile.generation < expected:
            if by_password:
                raise VaultDamaged(
                    _(
                        "This key file is older than the vault: it is an earlier copy, put back after "
                        "a password was changed or a login was disabled or removed (key file "
                        "{found}, vault {expected}). Put the current {name} back, or open the vault "
                        "with the recovery key."
                    ).format(found=self.keyfile.generation, expected=expected, name=self.paths.keyfile.name)
                )
            # The recovery key opens whatever key file is there; the next save writes a current one.
            self.keyfile.generation = expected
        elif self.keyfile.generation > expected:  # a crash after the key file was written, before the database
            _set_db_generation(self.db, self.keyfile.generation)
        if self.keyfile.file_version < 2:
            # Made before generations: number this key file now, so an earlier copy of it is refused from here on.
            self._save_keyfile()

    def _settle_staged_keyfile(self, expected: int) -> None:
        """A crash after a slot change committed but before its key file was put in place (slots_after_commit)
        leaves the new key file beside the old one: take it when it is the one the database expects; any other
        is of no use again (its change was rolled back, or a later save superseded it) and is deleted."""
        staged = self.paths.keyfile.with_name(self.paths.keyfile.name + ".next")
        if not staged.exists():
            return
        try:
            keyfile, mac = KeyFile.load(staged)
            keyfile.verify_mac(bytes(self._data_key), mac)
        except VaultDamaged:
            keyfile = None
        if (
            keyfile is not None
            and keyfile.vault_id == self.keyfile.vault_id
            and self.keyfile.generation < keyfile.generation == expected
        ):
            os.replace(staged, self.paths.keyfile)
            self.keyfile = keyfile
        else:
            staged.unlink(missing_ok=True)

    def _backup_before_migrating(self) -> None:
        """A schema upgrade is one-way: back up first when the owner has set a backup folder."""
        if migrations.schema_version(self.db) >= migrations.LATEST:
            return
        folder = settings.read(self.db, BACKUP_FOLDER)  # (under its former name, before schema 19)
        if folder and Path(folder).is_dir():
            backup.make_backup(self, Path(folder), "before-migration")

    def _check_commits(self, by_password: bool) -> None:
        """Refuse a database that has lost commits its marks file saw (a damaged write-ahead log drops them
        silently; see app/vault/marks.py). The recovery key opens what is left, and counts from there."""
        key = marks.marks_key(self.db)
        found = marks.read(self.paths.marks, key)
        committed = marks.db_commits(self.db)
        if (
            by_password
            and found is not None
            and found.authentic
            and found.vault_id == self.vault_id
            and found.commits > committed
        ):
            lost = found.commits - committed
            raise VaultDamaged(
                ngettext(
                    "The vault has lost {n} saved change: its write-ahead log ({name}-wal) was damaged after "
                    "Counterpart "
                    "or the computer stopped. Restore the newest backup, or open the vault with the recovery key to "
                    "keep what is left.",
                    "The vault has lost {n} saved changes: its write-ahead log ({name}-wal) was damaged after "
                    "Counterpart or the computer stopped. Restore the newest backup, or open the vault with the "
                    "recovery key to keep what is left.",
                    lost,
                ).format(n=lost, name=self.paths.database.name)
            )
        self._watch_commits(key)

    def _watch_commits(self, key: bytes) -> None:
        """Count this vault's commits from now on, and write the marks file as the database stands."""
        watcher = marks.CommitWatcher(self.paths.marks, key, self.vault_id)
        self._watched = str(self.paths.database.resolve())
        database.commit_watchers[self._watched] = watcher
        watcher.write_now(self.db)

    # --- state ---------------------------------------------------------------------------------------------

    @property
    def vault_id(self) -> str:
        return self.keyfile.vault_id

    @property
    def keychain_bound(self) -> bool:
        return self.keyfile.keychain_bound

    @property
    def is_open(self) -> bool:
        return self.db is not None

    def data_key(self) -> bytes:
        """The raw data key, for deriving sub-keys (audit chain, backups). Never log or store it."""
        return bytes(self._data_key)

    def recovery_key(self) -> str:
        return format_recovery_key(bytes(self._data_key))

    def meta(self, key: str) -> str | None:
        row = self.db.execute("SELECT value FROM vault_meta WHERE key = ?", (key,)).fetchone()
        return None if row is None else str(row[0])

    def connect(self) -> WorkerConnection:
        """Another connection to the same database, for one background thread; closed by close() and rekey(),
        which wait for a statement under way on it to stop (see app/store/worker_connection.py)."""
        conn = WorkerConnection(database.connect(self.paths.database, bytes(self._data_key)))
        self._extra_connections.append(conn)
        return conn

    def _close_worker_connections(self) -> None:
        for conn in self._extra_connections:
            conn.close()
        self._extra_connections.clear()

    def close(self) -> None:
        """Lock: seal the audit log's head into the key file, close every connection, forget the key, release
        the file lock."""
        sealing.seal_at_close(self)
        self.signer, self.sealing = None, False
        self._close_worker_connections()
        if self._watched is not None:
            watcher = database.commit_watchers.pop(self._watched, None)
            if watcher is not None:
                watcher.close()
            self._watched = None
        if self.db is not None:
            self.db.close()
        self.db = None
        for secret in filter(None, (self._data_key, self._factor)):
            _zero(secret)
        self._factor = None
        if self._lock.is_locked:
            self._lock.release()
        give_back_free_memory()  # SQLite's freed page cache held decrypted pages

    def __enter__(self) -> Vault:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- key slots -----------------------------------------------------------------------------------------

    def _save_keyfile(self) -> None:
        """Save the slots under the next generation: the key file first, then the database's counter.

        Inside a caller's transaction the counter commits (or rolls back) with the caller's change; either way
        the key file is at most one ahead, which unlock accepts.
        """
        generation = max(self.keyfile.generation, db_generation(self.db)) + 1
        self.keyfile.generation = generation
        self.keyfile.save(self._staged_keyfile or self.paths.keyfile, bytes(self._data_key))
        _set_db_generation(self.db, generation)

    @contextmanager
    def slots_after_commit(self) -> Iterator[None]:
        """Slot changes made in this block reach the key file only after the transaction it holds commits.

        The new key file is written beside the old one first (a full disk fails before the commit), and put in
        its place once the database has the change. A commit that fails leaves the old key file and the slots
        as they were, so a user disabled or removed in neither or in both: never active without a slot, nor
        disabled with one. Wrap the caller's outermost transaction, or it commits after the key file lands.
        """
        staged = self.paths.keyfile.with_name(self.paths.keyfile.name + ".next")
        keyfile = self.keyfile
        before = (list(keyfile.slots), keyfile.generation, keyfile.file_version)
        self._staged_keyfile = staged
        try:
            yield
        except BaseException:
            keyfile.slots, keyfile.generation, keyfile.file_version = before
            staged.unlink(missing_ok=True)
            raise
        finally:
            self._staged_keyfile = None
        if staged.exists():
            os.replace(staged, self.paths.keyfile)
            if hasattr(os, "O_DIRECTORY"):  # the rename itself survives a power cut
                folder = os.open(self.paths.keyfile.parent, os.O_DIRECTORY)
                try:
                    os.fsync(folder)
                finally:
                    os.close(folder)

    @property
    def generation(self) -> int:
        return self.keyfile.generation

    def _device_secret_for_new_slot(self) -> bytes | None:
        if not self.keyfile.keychain_bound:
            return None
        secret = keychain.load_secret(self.vault_id)
        if secret is None:
            raise KeychainUnavailable(
                _(
                    "This computer's keychain no longer holds the vault's secret; recover "
                    "the vault with the recovery key to bind it to this keychain again."
                )
            )
        return secret

    def set_password(self, user: str, password: str, kdf_params: kdf.KdfParams | None = None) -> None:
        """Give `user` a slot with a new password (adds the user's slot, or replaces it: a new key pair). A user
        changing her own keeps her signing key; the new slot lists the replaced slot's signing keys."""
        check_new_password(password)
        own = self.signer if self.user is not None and user_key(user) == user_key(self.user) else None
        # Her own security key stays with her new password; a reset by the owner makes a slot without one.
        current = self.keyfile.find_slot(user)
        enrolment = current.second_factor if own and current and self._factor is not None else None
        slot = Slot.create(
            vault_id=self.vault_id,
            user=user,
            password=password,
            data_key=bytes(self._data_key),
            params=kdf_params or kdf.calibrate(),
            device_secret=self._device_secret_for_new_slot(),
            user_id=sealing.user_id_of(self.db, user),
            signing_key=own.private_key if own else None,
            previous_keys=sealing.earlier_keys(self, user),
            second_factor=enrolment,
            factor_secret=bytes(self._factor) if enrolment and self._factor else None,
        )
        self.keyfile.replace_slot(slot)
        self._save_keyfile()
        if own is not None:
            self.signer = Signer(slot.slot_id, slot.user_id, own.private_key)

    def check_password(self, user: str, password: str) -> None:
        """Raise AuthenticationFailed unless `password` opens `user`'s slot (asked again before sensitive changes)."""
        slot = self.keyfile.find_slot(user)
        if slot is None:
            raise AuthenticationFailed(_("There is no user called {user} in this vault.").format(user=user))
        slot.open(self.vault_id, password, _user_device_secret(self.keyfile, slot), self._own_factor(user))

    def _own_factor(self, user: str) -> bytes | None:
        own = self.user is not None and user_key(user) == user_key(self.user)
        return bytes(self._factor) if own and self._factor is not None else None

    def security_key_of(self, user: str) -> Enrolment | None:
        slot = self.keyfile.find_slot(user)
        return slot.second_factor if slot is not None else None

    def _own_slot(self) -> Slot:
        slot = self.keyfile.find_slot(self.user) if self.user is not None else None
        if slot is None:
            raise InvalidInput(_("Sign in with your own password to add or remove your security key."))
        return slot

    def add_security_key(self, password: str, second_factor: SecondFactor) -> None:
        """From now on the signed-in user's slot also needs the key `second_factor` enrols (two touches: make the
        credential, then answer its salt). Same slot, keys and password after the password is checked; the
        other slots are untouched."""
        slot = self._own_slot()
        if slot.second_factor is not None:
            raise InvalidInput(_("{user} already has a security key: remove it first.").format(user=slot.user))
        device_secret = _user_device_secret(self.keyfile, slot)
        opened = slot.unseal(self.vault_id, password, device_secret)
        enrolment = second_factor.enrol(slot.user)
        answer = second_factor.hmac_secret(enrolment, enrolment.salt)
        self._reseal(slot.with_second_factor(self.vault_id, opened, password, device_secret, enrolment, answer))
        self._factor = bytearray(answer)

    def remove_security_key(self, password: str, second_factor: SecondFactor) -> None:
        """The signed-in user's slot opens with the password alone again; the key must answer once more (a
        touch), so only whoever holds it takes it off. Without the key: the owner resets the password."""
        slot = self._own_slot()
        if slot.second_factor is None:
            raise InvalidInput(_("{user} has no security key.").format(user=slot.user))
        device_secret = _user_device_secret(self.keyfile, slot)
        opened = slot.unseal(self.vault_id, password, device_secret, _factor_secret(slot, second_factor))
        self._reseal(slot.with_second_factor(self.vault_id, opened, password, device_secret, None, None))
        if self._factor is not None:
            _zero(self._factor)  # as close() does: the key's secret is not left in memory
        self._factor = None

    def _reseal(self, slot: Slot) -> None:
        self.keyfile.replace_slot(slot)
        self._save_keyfile()

    def remove_slot(self, user: str) -> None:
        self.remove_slots([user])

    def remove_slots(self, users: list[str]) -> None:
        """Delete these users' slots (one save; nothing written when none of them has a slot)."""
        present = [user for user in users if self.keyfile.find_slot(user) is not None]
        if not present:
            return
        for user in present:
            sealing.retire(self, self.keyfile.find_slot(user))
            self.keyfile.remove_slot(user)
        self._save_keyfile()

    def rebind_to_this_computer(
        self, user: str, password: str, kdf_params: kdf.KdfParams | None = None, use_keychain: bool = True
    ) -> list[str]:
        """After recovery: bind the vault to this computer's keychain and give `user` a new password.

        Keeps the existing device secret when this keychain still has it. Returns the other users whose slots
        need the old secret and so must have their passwords reset.
        """
        check_new_password(password)
        secret = keychain.load_secret(self.vault_id) if use_keychain else None
        if use_keychain and secret is None and keychain.is_available():
            secret = keychain.new_secret(self.vault_id)
        self.keyfile.keychain_backend = keychain.backend_name() if secret is not None else None
        earlier, signing_key = sealing.earlier_keys(self, user), new_private_key()
        slot = Slot.create(
            vault_id=self.vault_id,
            user=user,
            password=password,
            data_key=bytes(self._data_key),
            params=kdf_params or kdf.calibrate(),
            device_secret=secret,
            user_id=sealing.user_id_of(self.db, user),
            signing_key=signing_key,
            previous_keys=earlier,
        )
        self.keyfile.replace_slot(slot)
        self._save_keyfile()
        self.signer, self.sealing = Signer(slot.slot_id, slot.user_id, signing_key), True
        current = device_fingerprint(secret) if secret is not None else None
        return [s.user for s in self.keyfile.slots if s.device_id not in (None, current)]

    # --- rekey ---------------------------------------------------------------------------------------------

    def rekey(self) -> str:
        """Re-encrypt the database under a new data key and rewrap every slot; returns the new recovery key.

        Two phases, so an interruption anywhere leaves a vault that opens: (1) the key file records both keys,
        (2) SQLCipher re-encrypts every page in one transaction, (3) the key file keeps only the new key.
        """
        new_key = secrets.token_bytes(DATA_KEY_BYTES)
        for slot in self.keyfile.slots:
            slot.wrap(self.vault_id, new_key, NEXT)
        self.keyfile.key_checks[NEXT] = key_check(new_key, self.vault_id)
        self._save_keyfile()
        self._close_worker_connections()
        _reencrypt(self.db, new_key)
        self._data_key = bytearray(new_key)
        self._promote_next_key()
        return format_recovery_key(new_key)

    def _promote_next_key(self) -> None:
        """The database now uses the new key (already in self._data_key): make it every slot's current key."""
        for slot in self.keyfile.slots:
            slot.wrapped.clear()
            slot.wrap(self.vault_id, bytes(self._data_key), CURRENT)
        self.keyfile.key_checks = {CURRENT: self.keyfile.key_checks[NEXT]}
        self._save_keyfile()

    def _settle_rekey(self) -> None:
        """Finish or forget a rekey that was interrupted, depending on which key the database opened with."""
        if NEXT not in self.keyfile.key_checks:
            return
        if key_check(bytes(self._data_key), self.vault_id) == self.keyfile.key_checks[NEXT]:
            self._promote_next_key()
            if self.user is not None:  # news to whoever signed in: show it once (the recovery key's holder has it)
                self.finished_rekey = format_recovery_key(bytes(self._data_key))
        else:
            for slot in self.keyfile.slots:
                slot.wrapped.pop(NEXT, None)
            del self.keyfile.key_checks[NEXT]
            self._save_keyfile()


def _reencrypt(conn: Connection, new_key: bytes) -> None:
    """SQLCipher rewrites every page under the new key in one transaction (all or nothing)."""
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.execute(database.key_pragma(new_key, "rekey"))
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
