"""Errors a user can meet, each with the CLI exit code the contract gives it.

Messages are complete sentences for a shop owner: they are printed as-is (one line on stderr by the CLI,
a dialog in the app), so they never contain key material or customer data.
"""


class CounterpartError(Exception):
    """Base for every expected failure; anything else is a bug."""

    exit_code = 1


class UsageError(CounterpartError):
    exit_code = 2


class AuthenticationFailed(CounterpartError):
    """Wrong password or recovery key: decided at the key slot, before the database is opened."""

    exit_code = 3


class KeychainUnavailable(AuthenticationFailed):
    """The vault is bound to this computer's keychain, and the keychain no longer has its secret."""


class LockedOut(AuthenticationFailed):
    """Too many failed attempts for this user: wait before trying again."""

    def __init__(self, message: str, wait_seconds: float) -> None:
        super().__init__(message)
        self.wait_seconds = wait_seconds


class SecurityKeyError(AuthenticationFailed):
    """A FIDO2 security key a login needs could not answer (app/vault/second_factor.py): none plugged in, the
    wrong one, no touch in time, or cancelled. Exit 3 like a wrong password: the login did not open."""


class NoSecurityKey(SecurityKeyError):
    """No security key is plugged in (or none this computer lets Counterpart use)."""


class WrongSecurityKey(SecurityKeyError):
    """The key plugged in is not the one this login was set up with."""


class SecurityKeyTimeout(SecurityKeyError):
    """Nobody touched the key in time."""


class SecurityKeyCancelled(SecurityKeyError):
    """The person cancelled while the key waited for a touch."""


class PermissionDenied(CounterpartError):
    exit_code = 4


class InvalidInput(CounterpartError):
    exit_code = 5


class VaultDamaged(CounterpartError):
    exit_code = 6


class VaultBusy(CounterpartError):
    exit_code = 7


class DiskFull(CounterpartError):
    """The disk filled up while writing: nothing was half-written (the write was rolled back or discarded)."""

    exit_code = 8


class FolderNotWritable(CounterpartError):
    """The vault's folder (or file) cannot be written: read-only drive, folder permissions. Like any file that
    could not be written, exit 1; never 'damaged', since the vault itself is fine."""

    exit_code = 1
