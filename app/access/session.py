"""A Session is an unlocked vault plus the person using it: what every service receives and checks."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import sqlcipher3

from app.access.roles import PAGE_ROWS, SCREENFUL, Permission, Role, allowed
from app.access.sign_in import sign_in_names as sign_in_names  # re-exported: moved there for the unlock screen
from app.access.sign_in import wait_before_unlock as wait_before_unlock
from app.errors import AuthenticationFailed, PermissionDenied
from app.locale import _
from app.store import audit
from app.store.database import Connection, classify, transaction
from app.vault.kdf import KdfParams
from app.vault.keyfile import user_key
from app.vault.vault import Vault

if TYPE_CHECKING:  # python-fido2 is imported only where a security key is used
    from app.vault.second_factor import SecondFactor


@dataclass(frozen=True)
class User:
    id: int
    name: str
    role: Role
    active: bool
    must_change_password: bool

    @classmethod
    def from_row(cls, row: tuple[object, ...]) -> User:
        return cls(int(row[0]), str(row[1]), Role(str(row[2])), bool(row[3]), bool(row[4]))  # type: ignore[call-overload]


USER_COLUMNS = "id, name, role, active, must_change_password"


def find_user(conn: Connection, name: str) -> User | None:
    row = conn.execute(
        f"SELECT {USER_COLUMNS} FROM user WHERE name_key = ? AND removed_at IS NULL", (user_key(name),)
    ).fetchone()
    return None if row is None else User.from_row(row)


class Session:
    """The acting user and their open vault. Services call `require` before acting and `audit` inside the
    same transaction as the change."""

    def __init__(self, vault: Vault, user: User) -> None:
        self.vault = vault
        self.user = user
        self._refusals: list[tuple[str, str]] = []  # (permission, detail) refused, not yet in the audit log

    @property
    def conn(self) -> Connection:
        if self.vault.db is None:
            raise AuthenticationFailed(_("The vault is locked."))
        return self.vault.db

    @property
    def role(self) -> Role:
        return self.user.role

    def can(self, permission: Permission) -> bool:
        return allowed(self.user.role, permission)

    def require(self, permission: Permission) -> None:
        """Refuse (PermissionDenied, exit 4) unless the user may do this now; a refusal is audited too."""
        if self.user.must_change_password:
            self._refused(permission, "temporary password")
            raise PermissionDenied(
                _("{user} must replace the temporary password before doing anything else.").format(user=self.user.name)
            )
        if not self.can(permission):
            self._refused(permission)
            raise PermissionDenied(
                _("{user} ({role}) may not {action}.").format(
                    user=self.user.name, role=self.user.role.label(), action=permission.label()
                )
            )

    def require_rows(self, rows: int) -> None:
        """One read may hand someone without the export permission at most a page of customers (PAGE_ROWS):
        more at once is an export of the customer list. Checked per call, so the customer list, which reads
        a page at a time as it scrolls, works for everyone. A negative limit is SQLite's 'no limit'."""
        if 0 <= rows <= PAGE_ROWS or self.can(Permission.EXPORT_BULK):
            return
        self._refused(Permission.EXPORT_BULK, f"{rows} rows")
        raise PermissionDenied(
            _(
                "{user} ({role}) may read at most {n} customers at a time: more at once is an "
                "export of the customer list. Ask the owner for the permission to {action} "
                "(a manager's role has it), or read a page at a time."
            ).format(
                user=self.user.name, role=self.user.role.label(), n=PAGE_ROWS, action=Permission.EXPORT_BULK.label()
            )
        )

    def record_bulk_read(self, command: str, rows: int) -> None:
        """A list read through the CLI that returned more than a screenful (SCREENFUL) is recorded with its
        command and count, never its rows or its query text (a query is often a name)."""
        if rows > SCREENFUL:
            self.record("contact.bulk_read", "contact", None, f"{rows} rows by {command}")

    def refuse(self, permission: Permission, reason: str) -> None:
        """Audit a refusal a service decides itself, beyond the role (the last owner, a legal hold), like
        `require`'s: `access.refused` "permission: reason" (a fixed word, never the data). The caller raises."""
        self._refused(permission, reason)

    def _refused(self, permission: Permission, detail: str = "") -> None:
        self._refusals.append((permission.value, detail))
        self._record_refusals()

    def _record_refusals(self) -> None:
        """Write the refusals not yet recorded, in a transaction of their own so that the rollback of the
        refused work does not take them along: at once when no transaction is open, else as soon as the
        outermost one ends (`change`), or at the latest at lock. A failure to write them (a full disk, a busy
        vault) must not hide the refusal itself: they wait for the next try."""
        db = self.vault.db
        if not self._refusals or db is None or db.in_transaction:
            return
        waiting, self._refusals = self._refusals, []
        try:
            with transaction(db):
                for permission, detail in waiting:  # the action tried, never the data it was about
                    self.audit("access.refused", summary=f"{permission}: {detail}" if detail else permission)
        except Exception:  # see the docstring: the refusal is the error to report
            self._refusals = waiting + self._refusals

    def audit(
        self, action: str, entity_type: str | None = None, entity_id: str | int | None = None, summary: str = ""
    ) -> int:
        return audit.append(
            self.conn,
            self.vault.data_key(),
            user_id=self.user.id,
            action=action,
            entity_type=entity_type,
            entity_id=entity_id,
            summary=summary,
            signer=self.vault.signer,
        )

    @contextmanager
    def change(self) -> Iterator[Connection]:
        """One transaction for a change and its audit entry (refusals met inside it are recorded after it)."""
        outermost = not self.conn.in_transaction
        if outermost:
            self._record_refusals()
        try:
            with transaction(self.conn) as conn:
                yield conn
        finally:
            if outermost:
                self._record_refusals()

    def record(
        self, action: str, entity_type: str | None = None, entity_id: str | int | None = None, summary: str = ""
    ) -> None:
        """An audit entry on its own (a read, an export, a login), in its own transaction."""
        with self.change():
            self.audit(action, entity_type, entity_id, summary)

    def lock(self, reason: str = "lock") -> None:
        """Record the lock, then close every connection and forget the key."""
        if self.vault.is_open:
            try:
                self.record("session." + reason)
            finally:
                self.vault.close()


def create_vault(
    path: str | Path, owner: str, password: str, *, use_keychain: bool = True, kdf_params: KdfParams | None = None
) -> tuple[Session, str]:
    """Make a vault and sign its owner in; returns the session and the recovery key to show once."""
    vault, recovery_key = Vault.create(path, owner, password, use_keychain=use_keychain, kdf_params=kdf_params)
    user = find_user(vault.db, owner)
    assert user is not None, "the first migration makes the owner a user"
    session = Session(vault, user)
    with session.change():
        session.audit("vault.create", "user", user.id, "keychain" if vault.keychain_bound else "password only")
        session.audit("session.login", "user", user.id)
    return session, recovery_key


REKEY_DUE_KEY = "rekey_due"  # vault_meta: why a rekey is due (app.access.rekey_due), cleared by any finished rekey


def open_session(path: str | Path, name: str, password: str, second_factor: SecondFactor | None = None) -> Session:
    """Unlock with a user's own slot, refuse disabled users, and log the login (and failures before it).
    `second_factor` answers for a slot that also needs a security key (asked only then)."""
    vault = Vault.unlock(path, name, password, second_factor)
    try:
        user = find_user(vault.db, name)
        if user is None or not user.active:
            raise AuthenticationFailed(_("The account of {user} is disabled or removed.").format(user=name))
        session = Session(vault, user)
        with session.change():
            for failed_at in vault.failed_attempts_before:
                session.audit(
                    "session.login_failed",
                    "user",
                    user.id,
                    "failed unlock at " + datetime.fromtimestamp(failed_at, UTC).isoformat(timespec="seconds"),
                )
            session.audit("session.login", "user", user.id)
            if vault.finished_rekey:  # this unlock finished a rekey a crash interrupted: recorded as done
                session.conn.execute("DELETE FROM vault_meta WHERE key = ?", (REKEY_DUE_KEY,))
                session.audit("vault.rekey", summary="finished at the next sign-in after an interruption")
        return session
    except sqlcipher3.DatabaseError as exc:
        error = classify(exc, vault.paths.database, vault.db)
        vault.close()
        if error is None:
            raise
        raise error from None
    except BaseException:
        vault.close()
        raise
