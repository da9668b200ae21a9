"""Staff accounts: each user has a row (role, active) and a key slot (their password opens the vault).

Only the owner manages users. The last active owner can never be removed, disabled or demoted, so a vault
always has someone who can administer it. Disabling or removing a user deletes their slot at once and records
that a rekey is due (their slot gave them the data key); enabling them again gives them a new temporary password.
Each slot change reaches the key file only once its transaction has committed (`Vault.slots_after_commit`), so a
failed commit leaves the database and the key file agreeing.
"""

from __future__ import annotations

import secrets
import unicodedata
from datetime import UTC, datetime

from app.access import rekey_due
from app.access.roles import Permission, Role
from app.access.session import USER_COLUMNS, Session, User, find_user
from app.errors import InvalidInput, PermissionDenied
from app.locale import _
from app.vault import kdf
from app.vault.keyfile import user_key


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


LAST_OWNER = "last owner"  # why removing, disabling or demoting was refused (the access.refused summary)

# No 0/O, 1/l/I: a temporary password is read out or written on paper.
_TEMPORARY_ALPHABET = "abcdefghijkmnpqrstuvwxyz23456789"


def new_temporary_password() -> str:
    """A new temporary password for the owner to hand over: 3 groups of 4, about 60 bits."""
    return "-".join("".join(secrets.choice(_TEMPORARY_ALPHABET) for _i in range(4)) for _g in range(3))


def _parse_role(role: str | Role) -> Role:
    try:
        return Role(str(role).lower())
    except ValueError:
        raise InvalidInput(
            _("Unknown role {role}: choose owner, manager, staff or auditor.").format(role=role)
        ) from None


class UserService:
    def __init__(self, session: Session, kdf_params: kdf.KdfParams | None = None) -> None:
        self.session = session
        self.kdf_params = kdf_params  # None: calibrated on this computer

    def list(self) -> list[User]:
        self.session.require(Permission.MANAGE_USERS)
        rows = self.session.conn.execute(
            f"SELECT {USER_COLUMNS} FROM user WHERE removed_at IS NULL ORDER BY name_key"
        ).fetchall()
        return [User.from_row(row) for row in rows]

    def _get(self, name: str) -> User:
        user = find_user(self.session.conn, name)
        if user is None:
            raise InvalidInput(_("There is no user called {user}.").format(user=name))
        return user

    def add(self, name: str, role: str | Role, temporary_password: str) -> User:
        """A new login with a temporary password that must be changed at first sign-in."""
        self.session.require(Permission.MANAGE_USERS)
        name = unicodedata.normalize("NFC", name).strip()
        if not name or len(name) > 80:
            raise InvalidInput(_("A user name needs 1 to 80 characters."))
        parsed_role = _parse_role(role)
        if find_user(self.session.conn, name) is not None:
            raise InvalidInput(_("There is already a user called {user}.").format(user=name))
        with self.session.vault.slots_after_commit(), self.session.change() as conn:
            cursor = conn.execute(
                "INSERT INTO user(name, name_key, role, must_change_password, created_at) VALUES (?, ?, ?, 1, ?)",
                (name, user_key(name), parsed_role.value, _now()),
            )
            user_id = int(cursor.lastrowid)
            self.session.audit("user.add", "user", user_id, f"role={parsed_role.value}")
            self.session.vault.set_password(name, temporary_password, self.kdf_params)
        return self._get(name)

    def change_own_password(self, current_password: str, new_password: str) -> None:
        """Any user may change their own password, after typing the current one again (so nobody at an
        unlocked till can lock a colleague out). Only their slot is rewrapped."""
        me = self.session.user
        self.session.vault.check_password(me.name, current_password)
        if current_password == new_password:
            raise InvalidInput(_("Choose a password different from the current one."))
        with self.session.vault.slots_after_commit(), self.session.change() as conn:
            conn.execute("UPDATE user SET must_change_password = 0 WHERE id = ?", (me.id,))
            self.session.audit("user.password_change", "user", me.id)
            self.session.vault.set_password(me.name, new_password, self.kdf_params)
        self.session.user = self._get(me.name)

    def reset_password(self, name: str, temporary_password: str) -> None:
        self.session.require(Permission.MANAGE_USERS)
        user = self._get(name)
        with self.session.vault.slots_after_commit(), self.session.change() as conn:
            conn.execute("UPDATE user SET must_change_password = 1 WHERE id = ?", (user.id,))
            self.session.audit("user.password_reset", "user", user.id)
            self.session.vault.set_password(user.name, temporary_password, self.kdf_params)

    def _guard_last_owner(self, user: User) -> None:
        if user.role != Role.OWNER:
            return
        owners = self.session.conn.execute(
            "SELECT count(*) FROM user WHERE role = 'owner' AND active = 1 AND removed_at IS NULL"
        ).fetchone()[0]
        if owners <= 1:
            self.session.refuse(Permission.MANAGE_USERS, LAST_OWNER)  # audited like a role's refusal
            raise PermissionDenied(_("{user} is the last owner: make someone else owner first.").format(user=user.name))

    def set_role(self, name: str, role: str | Role) -> None:
        self.session.require(Permission.MANAGE_USERS)
        user, new_role = self._get(name), _parse_role(role)
        if new_role != Role.OWNER:
            self._guard_last_owner(user)
        with self.session.change() as conn:
            conn.execute("UPDATE user SET role = ? WHERE id = ?", (new_role.value, user.id))
            self.session.audit("user.role", "user", user.id, f"{user.role.value}->{new_role.value}")

    def set_active(self, name: str, active: bool, temporary_password: str | None = None) -> str | None:
        """disable(name), or enable(name, temporary_password): returns the temporary password when enabling."""
        if active:
            return self.enable(name, temporary_password)
        self.disable(name)
        return None

    def disable(self, name: str) -> None:
        """The user can no longer sign in: their slot is deleted at once, and a rekey is due (the slot gave them
        the data key). Their row stays, so the audit log keeps its ids and they can be enabled again."""
        self.session.require(Permission.MANAGE_USERS)
        user = self._get(name)
        self._guard_last_owner(user)
        with self.session.vault.slots_after_commit(), self.session.change() as conn:
            conn.execute("UPDATE user SET active = 0 WHERE id = ?", (user.id,))
            self.session.audit("user.disable", "user", user.id)
            if user.active:
                rekey_due.mark_rekey_due(conn, user.name, rekey_due.DISABLED)
            self.session.vault.remove_slot(user.name)

    def enable(self, name: str, temporary_password: str | None = None) -> str:
        """Let a disabled user sign in again with a new temporary password (made up here when none is given),
        which they must change at their first sign-in. Returns that password, for the owner to hand over."""
        self.session.require(Permission.MANAGE_USERS)
        user = self._get(name)
        if user.active:
            raise InvalidInput(
                _("{user} can already sign in; to give them a new password, reset it.").format(user=user.name)
            )
        password = temporary_password or new_temporary_password()
        with self.session.vault.slots_after_commit(), self.session.change() as conn:
            conn.execute("UPDATE user SET active = 1, must_change_password = 1 WHERE id = ?", (user.id,))
            self.session.audit("user.enable", "user", user.id)
            self.session.vault.set_password(user.name, password, self.kdf_params)
        return password

    def remove(self, name: str) -> None:
        """Delete the user's slot; their row stays (renamed out of the way) so the audit log keeps its ids.

        A removed user may still remember the data key, so a rekey is due from now on (the app and `verify` say
        so until it is done).
        """
        self.session.require(Permission.MANAGE_USERS)
        user = self._get(name)
        self._guard_last_owner(user)
        with self.session.vault.slots_after_commit(), self.session.change() as conn:
            conn.execute(
                "UPDATE user SET active = 0, removed_at = ?, name_key = ? WHERE id = ?",
                (_now(), f"removed:{user.id}", user.id),
            )
            self.session.audit("user.remove", "user", user.id)
            if user.active:  # a disabled user's slot already made a rekey due: named once
                rekey_due.mark_rekey_due(conn, user.name, rekey_due.REMOVED)
            self.session.vault.remove_slot(user.name)
