"""Ed25519 signing keys, one per key slot, so that each audit entry names who wrote it in a way others cannot forge.

Where the public keys live, and why there: every user's slot yields the one data key, so anything kept only in
the database (or MAC'd with a key derived from the data key) can be rewritten by any user with a slot. A slot's
*header*, though, is the associated data of the AES-GCM seal on that slot's private keys: change one byte of it
and the slot's own password no longer opens it. So the public signing key (and the user id it signs for) is
bound into the slot header (slot format 2). Someone holding the data key can still put another key in another
user's slot header, but that user's password then stops working at their next unlock: the swap is not silent.

An entry names its signer by the public key itself (hex), not by the slot: a user who changes her own password
keeps her signing key in her new slot, so her earlier entries stay hers. A slot that replaces another of the same
user (a password reset by the owner, a recovery) lists that user's earlier keys in its header, under the same
seal. Only the keys of a login taken away (disabled or removed, so no slot is left to list them) are vouched for
in the log, by an `audit.key_retired` entry signed by whoever took it away; see app/store/audit.py for which
keys verify trusts. The slots themselves (and so which keys are current) are the vault's: `KeyFile.signers`.
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass
from functools import cached_property, lru_cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey


@dataclass(frozen=True)
class PublicSigner:
    """A public signing key and the user id (in the database) it signs for."""

    user_id: int | None
    public_key: bytes

    @property
    def key_id(self) -> str:
        return self.public_key.hex()


@dataclass(frozen=True)
class Signer:
    """The unsealed signing key of the slot that unlocked the vault (lives only while the vault is open)."""

    slot_id: str
    user_id: int | None
    private_key: bytes  # raw Ed25519 seed

    def sign(self, message: bytes) -> bytes:
        return self._key.sign(message)

    @cached_property
    def _key(self) -> Ed25519PrivateKey:
        from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

        return Ed25519PrivateKey.from_private_bytes(self.private_key)

    @cached_property
    def key_id(self) -> str:
        """How entries, heads and anchors name this signer: the public key, in hex."""
        return public_key_of(self.private_key).hex()


def new_private_key() -> bytes:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    return Ed25519PrivateKey.generate().private_bytes(
        serialization.Encoding.Raw, serialization.PrivateFormat.Raw, serialization.NoEncryption()
    )


def public_key_of(private_key: bytes) -> bytes:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    return (
        Ed25519PrivateKey.from_private_bytes(private_key)
        .public_key()
        .public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    )


@lru_cache(maxsize=64)
def _public(public_key: bytes) -> Ed25519PublicKey:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    return Ed25519PublicKey.from_public_bytes(public_key)


def valid(public_key: bytes, signature: bytes | None, message: bytes) -> bool:
    """True when `signature` is `public_key`'s over `message` (a malformed key or signature is simply False)."""
    from cryptography.exceptions import InvalidSignature

    if not signature:
        return False
    try:
        _public(bytes(public_key)).verify(bytes(signature), message)
    except (InvalidSignature, ValueError):
        return False
    return True


def same_key(a: bytes, b: bytes) -> bool:
    return hmac.compare_digest(a, b)
