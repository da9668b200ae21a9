"""Security keys on logins (issue #20): an owner or manager may make their own login need a FIDO2 key too.

The key joins the slot's key derivation (app/vault/keyfile.py), so it is not a check the app makes but a
secret the slot cannot open without. Staff and auditors are refused (audited). Taking a key off needs the key
(a touch) and the password; without the key, the owner resets that user's password, which makes a new slot
without one; an owner who lost her own key opens the vault with the recovery key. Every change is audited.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from app.access.roles import Permission, Role
from app.access.session import Session, User, find_user
from app.errors import InvalidInput, PermissionDenied
from app.locale import _
from app.vault import kdf

MAY_HAVE_KEY = frozenset({Role.OWNER, Role.MANAGER})

if TYPE_CHECKING:  # a type only: fido2 loads when a key is used, not with every window
    from app.vault.second_factor import SecondFactor


class SecurityKeyService:
    def __init__(self, session: Session, kdf_params: kdf.KdfParams | None = None) -> None:
        self.session = session
        self.kdf_params = kdf_params  # for the new slot of a password reset; None: calibrated here

    def may_have_key(self) -> bool:
        return self.session.role in MAY_HAVE_KEY and not self.session.user.must_change_password

    def has_key(self, name: str | None = None) -> bool:
        """Whether a login needs a security key (public: the key file says so before unlock)."""
        return self.session.vault.security_key_of(name or self.session.user.name) is not None

    def _require_own_key_allowed(self) -> User:
        me = self.session.user
        if not self.may_have_key():
            self.session.record("access.refused", "user", me.id, f"security_key: {me.role.value}")
            raise PermissionDenied(
                _(
                    "{user} ({role}) may not add or remove a security key: only owners and "
                    "managers may, once their temporary password is replaced."
                ).format(user=me.name, role=me.role.label())
            )
        return me

    def add(self, password: str, second_factor: SecondFactor) -> None:
        """From now on your login needs the key `second_factor` enrols as well as your password."""
        me = self._require_own_key_allowed()
        vault = self.session.vault
        with vault.slots_after_commit(), self.session.change():
            self.session.audit("user.security_key_add", "user", me.id)
            vault.add_security_key(password, second_factor)

    def remove(self, password: str, second_factor: SecondFactor) -> None:
        """Your login opens with the password alone again; the key must answer once more."""
        me = self._require_own_key_allowed()
        vault = self.session.vault
        with vault.slots_after_commit(), self.session.change():
            self.session.audit("user.security_key_remove", "user", me.id)
            vault.remove_security_key(password, second_factor)

    def remove_for(self, name: str, temporary_password: str) -> None:
        """The owner takes a lost key off another user's login: only by giving them a new temporary password
        (nobody but its holder can reseal a slot), which they must replace at their next sign-in."""
        self.session.require(Permission.MANAGE_USERS)
        user = find_user(self.session.conn, name)
        if user is None:
            raise InvalidInput(_("There is no user called {user}.").format(user=name))
        if user.id == self.session.user.id:
            raise InvalidInput(
                _("To take off your own security key, use it; if it is lost, open the vault with the recovery key.")
            )
        if not self.has_key(user.name):
            raise InvalidInput(_("{user} has no security key.").format(user=user.name))
        vault = self.session.vault
        with vault.slots_after_commit(), self.session.change() as conn:
            conn.execute("UPDATE user SET must_change_password = 1 WHERE id = ?", (user.id,))
            self.session.audit("user.security_key_remove", "user", user.id, "by the owner, with a password reset")
            vault.set_password(user.name, temporary_password, self.kdf_params)
