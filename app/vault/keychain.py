"""The device secret: 32 random bytes in the OS keychain that, with the password, unlock a key slot.

A copied vault file plus a stolen password therefore do not open on another computer. Where the OS offers
no usable keychain (headless Linux), vaults are password-only and the caller says so plainly.
"""

from __future__ import annotations

import base64
import contextlib
import secrets

import keyring
from keyring.errors import KeyringError, PasswordDeleteError

SERVICE = "Counterpart"
SECRET_BYTES = 32


def backend_name() -> str:
    backend = keyring.get_keyring()
    return f"{type(backend).__module__}.{type(backend).__qualname__}"


def is_available() -> bool:
    """True when the keychain can really store and return a secret (probe round trip, then removed)."""
    probe = "availability-probe"
    try:
        keyring.set_password(SERVICE, probe, "1")
        ok = keyring.get_password(SERVICE, probe) == "1"
        keyring.delete_password(SERVICE, probe)
        return ok
    except (KeyringError, RuntimeError, OSError):
        return False


def _account(vault_id: str) -> str:
    return f"vault-{vault_id}"


def store_secret(vault_id: str, secret: bytes) -> None:
    keyring.set_password(SERVICE, _account(vault_id), base64.b64encode(secret).decode("ascii"))


def new_secret(vault_id: str) -> bytes:
    secret = secrets.token_bytes(SECRET_BYTES)
    store_secret(vault_id, secret)
    return secret


def load_secret(vault_id: str) -> bytes | None:
    """The vault's device secret, or None when this keychain does not have it (or cannot be read)."""
    try:
        value = keyring.get_password(SERVICE, _account(vault_id))
    except (KeyringError, RuntimeError, OSError):
        return None
    if value is None:
        return None
    try:
        secret = base64.b64decode(value, validate=True)
    except ValueError:
        return None
    return secret if len(secret) == SECRET_BYTES else None


def delete_secret(vault_id: str) -> None:
    with contextlib.suppress(PasswordDeleteError, KeyringError, RuntimeError, OSError):
        keyring.delete_password(SERVICE, _account(vault_id))
