"""The key-slot sidecar: a small JSON file beside the database that holds the data key, wrapped once per user.

Readable before unlock and free of customer data. Each slot has an X25519 key pair:
- the private key is sealed with AES-256-GCM under KDF(password) + device secret, the slot header as
  associated data (so a slot cannot be moved to another user or vault);
- the data key is wrapped to the slot's *public* key. Rotating the data key can therefore rewrap every
  slot without knowing the other users' passwords.
The whole file carries an HMAC keyed from the data key, so tampering with slots is detected after unlock.
Writes are atomic (write new, fsync, rename).

Since file version 2 the MAC'd body also carries a *generation*: a counter that the database keeps too
(vault_meta 'keys_generation') and that goes up whenever the slots change. A key file older than the database
(an earlier copy put back after a password change or a removed login) is refused at unlock; see
app/vault/vault.py for the order of the two writes.

Since slot format 2 each slot also holds an Ed25519 *signing* key, sealed under the same slot key as the X25519
private key, with the public half and the user id bound into the slot header (see app/store/signing.py for why
there). File version 3 adds the audit chain's head, signed at every lock (see app/store/audit.py).

Slot format 3 (issue #20) adds a FIDO2 security key, as KeePassXC does with a YubiKey: the header names the
key's credential and a salt, and the key's hmac-secret answer to that salt joins the slot key's derivation
(under its own HKDF label), so the slot does not open without the key. Slots without one keep formats 1-2.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import unicodedata
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from app.errors import AuthenticationFailed, VaultDamaged
from app.fileio import atomic_write
from app.locale import _
from app.store import signing
from app.store.signing import PublicSigner
from app.vault import kdf
from app.vault.kdf import KdfParams

# cryptography is imported in the functions that use it: reading the names in a key file (the app's unlock
# screen, before it appears) needs none of it, and importing it takes about 15 ms.
if TYPE_CHECKING:
    from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey

FORMAT = "counterpart-keyfile"
VERSION = 1  # the slot format: part of every slot's associated data, so it never changes for existing slots
SIGNED_VERSION = 2  # slots made since hold a signing key; a version 1 slot is upgraded when its user next unlocks
FACTOR_VERSION = 3  # a format 2 slot that also needs a FIDO2 security key (`Slot.second_factor`)
FACTOR_SECRET_BYTES = 32  # an hmac-secret output, and the salt sent for it
FILE_VERSION = 3  # the file format: 2 added the generation counter, 3 the audit chain's sealed head
DATA_KEY_BYTES = 32
CURRENT, NEXT = "current", "next"


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _unb64(text: Any) -> bytes:
    if not isinstance(text, str):
        raise ValueError("expected base64 text")
    return base64.b64decode(text, validate=True)


def canonical(obj: Any) -> bytes:
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=True).encode("ascii")


def _hkdf(ikm: bytes, info: bytes, salt: bytes | None = None) -> bytes:
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.kdf.hkdf import HKDF

    return HKDF(algorithm=hashes.SHA256(), length=32, salt=salt, info=info).derive(ikm)


def user_key(name: str) -> str:
    """How user names are compared: 'Ana', ' ana ' and 'ANA' are one user."""
    return unicodedata.normalize("NFC", name).strip().casefold()


def key_check(data_key: bytes, vault_id: str) -> bytes:
    """A short fingerprint of the data key: tells a right recovery key from a wrong one without the database."""
    return hmac.new(bytes(data_key), b"counterpart key check " + vault_id.encode(), hashlib.sha256).digest()[:16]


def device_fingerprint(device_secret: bytes) -> str:
    """Names a device secret without revealing it, so a slot can say which keychain entry it needs."""
    return hmac.new(device_secret, b"counterpart device id", hashlib.sha256).hexdigest()[:16]


def now_utc() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


@dataclass
class WrappedKey:
    """The data key sealed to a slot's public key (ephemeral X25519 + HKDF + AES-256-GCM)."""

    ephemeral_public: bytes
    nonce: bytes
    ciphertext: bytes

    def to_json(self) -> dict[str, str]:
        return {"epk": _b64(self.ephemeral_public), "nonce": _b64(self.nonce), "ct": _b64(self.ciphertext)}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> WrappedKey:
        return cls(_unb64(data["epk"]), _unb64(data["nonce"]), _unb64(data["ct"]))


def _wrap_key(public_key: bytes, data_key: bytes, aad: bytes) -> WrappedKey:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    ephemeral = X25519PrivateKey.generate()
    ephemeral_public = ephemeral.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    shared = ephemeral.exchange(X25519PublicKey.from_public_bytes(public_key))
    wrapping_key = _hkdf(shared, b"counterpart wrap v1" + ephemeral_public + public_key)
    nonce = secrets.token_bytes(12)
    return WrappedKey(ephemeral_public, nonce, AESGCM(wrapping_key).encrypt(nonce, bytes(data_key), aad))


def _unwrap_key(private_key: X25519PrivateKey, public_key: bytes, wrapped: WrappedKey, aad: bytes) -> bytes:
    from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PublicKey
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    shared = private_key.exchange(X25519PublicKey.from_public_bytes(wrapped.ephemeral_public))
    wrapping_key = _hkdf(shared, b"counterpart wrap v1" + wrapped.ephemeral_public + public_key)
    return AESGCM(wrapping_key).decrypt(wrapped.nonce, wrapped.ciphertext, aad)


@dataclass(frozen=True)
class Enrolment:
    """A FIDO2 security key bound to a slot; all public (it sits in the slot header, read before unlock)."""

    credential_id: bytes
    salt: bytes  # sent to the key at every unlock; its hmac-secret answer joins the slot key
    user_verification: str  # "discouraged" (a touch) or "required" (PIN too): the key answers differently
    rp_id: str

    def to_json(self) -> dict[str, str]:
        return {
            "credential_id": _b64(self.credential_id),
            "salt": _b64(self.salt),
            "user_verification": self.user_verification,
            "rp_id": self.rp_id,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Enrolment:
        enrolment = cls(
            _unb64(data["credential_id"]), _unb64(data["salt"]), str(data["user_verification"]), str(data["rp_id"])
        )
        if len(enrolment.salt) != FACTOR_SECRET_BYTES or not enrolment.credential_id:
            raise ValueError("bad security key enrolment")
        return enrolment


@dataclass
class Unsealed:
    """What a slot's password opens: the data keys, and what re-sealing the slot (an upgrade) needs."""

    keys: dict[str, bytes]
    signing_key: bytes | None  # raw Ed25519 private key; None for a version 1 slot
    slot_key: bytes
    private_key: bytes  # raw X25519 private key


@dataclass
class Slot:
    slot_id: str
    user: str
    created: str
    kdf: KdfParams
    salt: bytes
    device_id: str | None  # fingerprint of the device secret this slot needs; None: password only
    public_key: bytes
    sealed_private_nonce: bytes
    sealed_private_key: bytes
    wrapped: dict[str, WrappedKey] = field(default_factory=dict)
    version: int = VERSION
    user_id: int | None = None  # the database's id of `user` (format 2), so a renamed user keeps their key
    signing_public_key: bytes | None = None  # Ed25519 (format 2)
    sealed_signing_nonce: bytes = b""
    sealed_signing_key: bytes = b""
    # This user's signing keys of slots this one replaced (a password reset, a recovery): their entries still
    # verify, and only someone whose seal this user's password opens could have listed them.
    previous_signing_keys: list[bytes] = field(default_factory=list)
    second_factor: Enrolment | None = None  # format 3: the security key this slot also needs

    def header(self, vault_id: str) -> bytes:
        """Associated data for every AEAD in this slot: any edit to these fields breaks decryption."""
        fields: dict[str, Any] = {
            "format": FORMAT,
            "version": self.version,
            "vault_id": vault_id,
            "slot_id": self.slot_id,
            "user": self.user,
            "kdf": self.kdf.to_json(),
            "salt": _b64(self.salt),
            "device_id": self.device_id,
            "public_key": _b64(self.public_key),
        }
        if self.version >= SIGNED_VERSION:
            fields["user_id"] = self.user_id
            fields["signing_public_key"] = _b64(self.signing_public_key or b"")
            fields["previous_signing_keys"] = [_b64(key) for key in self.previous_signing_keys]
        if self.version >= FACTOR_VERSION:
            fields["second_factor"] = self.second_factor.to_json() if self.second_factor else None
        return canonical(fields)

    def _wrap_aad(self, vault_id: str, which: str) -> bytes:
        return self.header(vault_id) + b"|" + which.encode()

    @staticmethod
    def _slot_key(
        password: str,
        salt: bytes,
        params: KdfParams,
        device_secret: bytes | None,
        vault_id: str,
        slot_id: str,
        factor_secret: bytes | None = None,
    ) -> bytes:
        """argon2(password), the device secret and (format 3) the security key's hmac-secret output, through
        HKDF. A slot without a security key derives exactly as before; one with it under another label."""
        stretched = kdf.derive(password, salt, params)
        if factor_secret is None:
            return _hkdf(
                stretched + (device_secret or b""), b"counterpart slot v1 " + slot_id.encode(), salt=vault_id.encode()
            )
        if len(factor_secret) != FACTOR_SECRET_BYTES:
            raise ValueError("a security key's hmac-secret output is 32 bytes")
        return _hkdf(
            stretched + (device_secret or b"") + factor_secret,
            b"counterpart slot fido2 v1 " + slot_id.encode(),
            salt=vault_id.encode(),
        )

    @property
    def needs_security_key(self) -> bool:
        return self.second_factor is not None

    def _factor_for_key(self, factor_secret: bytes | None) -> bytes | None:
        """The hmac-secret output the derivation takes: none for a slot without a key; required for one with."""
        if self.second_factor is None:
            return None
        if factor_secret is None:
            raise AuthenticationFailed(_("The login of {user} also needs its security key.").format(user=self.user))
        return factor_secret

    @classmethod
    def create(
        cls,
        *,
        vault_id: str,
        user: str,
        password: str,
        data_key: bytes,
        params: KdfParams,
        device_secret: bytes | None,
        user_id: int | None = None,
        signing_key: bytes | None = None,
        previous_keys: Iterable[bytes] = (),
        second_factor: Enrolment | None = None,
        factor_secret: bytes | None = None,
    ) -> Slot:
        """A new slot (format 2) with a new X25519 pair and `signing_key` (a new one unless given: a user who
        changes her own password keeps hers, so her earlier entries stay hers). It lists the user's earlier
        signing keys (`previous_keys`), so her earlier entries still verify. With `second_factor` (and that key's
        `factor_secret` for its salt) the slot is format 3 and needs the key too."""
        from cryptography.hazmat.primitives import serialization
        from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey

        private = X25519PrivateKey.generate()
        signing_key = signing_key or signing.new_private_key()
        slot = cls(
            slot_id=uuid.uuid4().hex,
            user=unicodedata.normalize("NFC", user).strip(),
            created=now_utc(),
            kdf=params,
            salt=secrets.token_bytes(16),
            device_id=device_fingerprint(device_secret) if device_secret is not None else None,
            public_key=private.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw),
            sealed_private_nonce=secrets.token_bytes(12),
            sealed_private_key=b"",
            version=FACTOR_VERSION if second_factor else SIGNED_VERSION,
            user_id=user_id,
            signing_public_key=signing.public_key_of(signing_key),
            second_factor=second_factor,
        )
        slot.previous_signing_keys = [key for key in dict.fromkeys(previous_keys) if key != slot.signing_public_key]
        slot_key = cls._slot_key(
            password, slot.salt, params, device_secret, vault_id, slot.slot_id, slot._factor_for_key(factor_secret)
        )
        raw_private = private.private_bytes(
            serialization.Encoding.Raw, serialization.PrivateFormat.Raw, serialization.NoEncryption()
        )
        slot._seal(vault_id, slot_key, raw_private, signing_key)
        slot.wrap(vault_id, data_key, CURRENT)
        return slot

    def _seal(self, vault_id: str, slot_key: bytes, raw_private: bytes, signing_key: bytes | None) -> None:
        from cryptography.hazmat.primitives.ciphers.aead import AESGCM

        header = self.header(vault_id)
        self.sealed_private_nonce = secrets.token_bytes(12)
        self.sealed_private_key = AESGCM(slot_key).encrypt(self.sealed_private_nonce, raw_private, header)
        if signing_key is not None:
            self.sealed_signing_nonce = secrets.token_bytes(12)
            self.sealed_signing_key = AESGCM(slot_key).encrypt(
                self.sealed_signing_nonce, signing_key, header + b"|signing"
            )

    def with_signing_key(
        self,
        vault_id: str,
        opened: Unsealed,
        user_id: int | None,
        data_keys: dict[str, bytes],
        signing_key: bytes | None = None,
    ) -> tuple[Slot, bytes]:
        """This slot as format 2 with `signing_key` (a new one unless given) and `user_id` in its header: same slot
        id and password, no second KDF run. Returns the new slot and its signing key."""
        signing_key = signing_key or signing.new_private_key()
        slot = Slot(
            slot_id=self.slot_id,
            user=self.user,
            created=self.created,
            kdf=self.kdf,
            salt=self.salt,
            device_id=self.device_id,
            public_key=self.public_key,
            sealed_private_nonce=b"",
            sealed_private_key=b"",
            version=max(self.version, SIGNED_VERSION),
            user_id=user_id,
            signing_public_key=signing.public_key_of(signing_key),
            previous_signing_keys=list(self.previous_signing_keys),
            second_factor=self.second_factor,
        )
        slot._seal(vault_id, opened.slot_key, opened.private_key, signing_key)
        for which, data_key in data_keys.items():
            slot.wrap(vault_id, data_key, which)
        return slot, signing_key

    def with_second_factor(
        self,
        vault_id: str,
        opened: Unsealed,
        password: str,
        device_secret: bytes | None,
        second_factor: Enrolment | None,
        factor_secret: bytes | None,
    ) -> Slot:
        """This slot (same id, password, keys) needing the security key `second_factor` from now on, or, with
        None, no key any more. `opened` is what this slot's password (and current key) unsealed."""
        if opened.signing_key is None:
            raise ValueError("upgrade the slot to format 2 first")
        slot = Slot(
            slot_id=self.slot_id,
            user=self.user,
            created=self.created,
            kdf=self.kdf,
            salt=self.salt,
            device_id=self.device_id,
            public_key=self.public_key,
            sealed_private_nonce=b"",
            sealed_private_key=b"",
            version=FACTOR_VERSION if second_factor else SIGNED_VERSION,
            user_id=self.user_id,
            signing_public_key=self.signing_public_key,
            previous_signing_keys=list(self.previous_signing_keys),
            second_factor=second_factor,
        )
        slot_key = self._slot_key(
            password,
            self.salt,
            self.kdf,
            device_secret if self.device_id else None,
            vault_id,
            self.slot_id,
            slot._factor_for_key(factor_secret),
        )
        slot._seal(vault_id, slot_key, opened.private_key, opened.signing_key)
        for which, data_key in opened.keys.items():
            slot.wrap(vault_id, data_key, which)
        return slot

    @property
    def signing_keys(self) -> list[bytes]:
        """Every public signing key of this user this slot vouches for: the earlier ones, then its own."""
        return [*self.previous_signing_keys, *filter(None, [self.signing_public_key])]

    def wrap(self, vault_id: str, data_key: bytes, which: str) -> None:
        self.wrapped[which] = _wrap_key(self.public_key, data_key, self._wrap_aad(vault_id, which))

    def open(
        self, vault_id: str, password: str, device_secret: bytes | None, factor_secret: bytes | None = None
    ) -> dict[str, bytes]:
        """Unseal the private key and unwrap every data key this slot holds. Wrong password: AuthenticationFailed."""
        return self.unseal(vault_id, password, device_secret, factor_secret).keys

    def unseal(
        self, vault_id: str, password: str, device_secret: bytes | None, factor_secret: bytes | None = None
    ) -> Unsealed:
        """As open(), and also the signing key (format 2) and what an upgrade to format 2 needs. A format 3
        slot also needs `factor_secret`, its security key's hmac-secret answer to the enrolment's salt."""
        from cryptography.exceptions import InvalidTag
        from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey
        from cryptography.hazmat.primitives.ciphers.aead import AESGCM

        slot_key = self._slot_key(
            password,
            self.salt,
            self.kdf,
            device_secret if self.device_id else None,
            vault_id,
            self.slot_id,
            self._factor_for_key(factor_secret),
        )
        try:
            raw_private = AESGCM(slot_key).decrypt(
                self.sealed_private_nonce, self.sealed_private_key, self.header(vault_id)
            )
        except InvalidTag:
            if self.second_factor is not None:
                raise AuthenticationFailed(
                    _("The password or the security key is not right for {user}.").format(user=self.user)
                ) from None
            raise AuthenticationFailed(_("The password is not right for {user}.").format(user=self.user)) from None
        private = X25519PrivateKey.from_private_bytes(raw_private)
        try:
            keys = {
                which: _unwrap_key(private, self.public_key, wrapped, self._wrap_aad(vault_id, which))
                for which, wrapped in self.wrapped.items()
            }
            signing_key = None
            if self.version >= SIGNED_VERSION:
                signing_key = AESGCM(slot_key).decrypt(
                    self.sealed_signing_nonce, self.sealed_signing_key, self.header(vault_id) + b"|signing"
                )
            return Unsealed(keys, signing_key, slot_key, raw_private)
        except InvalidTag:
            raise VaultDamaged(
                _("The key file beside the vault has been altered: a key slot does not belong to it.")
            ) from None

    def to_json(self) -> dict[str, Any]:
        return {
            "slot_id": self.slot_id,
            "user": self.user,
            "created": self.created,
            "kdf": self.kdf.to_json(),
            "salt": _b64(self.salt),
            "device_id": self.device_id,
            "public_key": _b64(self.public_key),
            "sealed_private_key": {"nonce": _b64(self.sealed_private_nonce), "ct": _b64(self.sealed_private_key)},
            "wrapped": {which: wrapped.to_json() for which, wrapped in self.wrapped.items()},
            **(
                {}
                if self.version < SIGNED_VERSION
                else {
                    "version": self.version,
                    "user_id": self.user_id,
                    "signing_public_key": _b64(self.signing_public_key or b""),
                    "previous_signing_keys": [_b64(key) for key in self.previous_signing_keys],
                    "sealed_signing_key": {
                        "nonce": _b64(self.sealed_signing_nonce),
                        "ct": _b64(self.sealed_signing_key),
                    },
                }
            ),
            **(
                {}
                if self.version < FACTOR_VERSION
                else {"second_factor": self.second_factor.to_json() if self.second_factor else None}
            ),
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Slot:
        version = int(data.get("version", VERSION))
        if version not in (VERSION, SIGNED_VERSION, FACTOR_VERSION):
            raise ValueError(f"unknown slot format {version}")
        signed: dict[str, Any] = {}
        if version >= SIGNED_VERSION:
            user_id = data["user_id"]
            signed = dict(
                version=version,
                user_id=None if user_id is None else int(user_id),
                signing_public_key=_unb64(data["signing_public_key"]),
                sealed_signing_nonce=_unb64(data["sealed_signing_key"]["nonce"]),
                sealed_signing_key=_unb64(data["sealed_signing_key"]["ct"]),
                previous_signing_keys=[_unb64(key) for key in data["previous_signing_keys"]],
            )
        if version >= FACTOR_VERSION:
            signed["second_factor"] = Enrolment.from_json(data["second_factor"])
        return cls(
            slot_id=str(data["slot_id"]),
            user=str(data["user"]),
            created=str(data["created"]),
            kdf=KdfParams.from_json(data["kdf"]),
            salt=_unb64(data["salt"]),
            device_id=None if data["device_id"] is None else str(data["device_id"]),
            public_key=_unb64(data["public_key"]),
            sealed_private_nonce=_unb64(data["sealed_private_key"]["nonce"]),
            sealed_private_key=_unb64(data["sealed_private_key"]["ct"]),
            wrapped={which: WrappedKey.from_json(w) for which, w in data["wrapped"].items()},
            **signed,
        )


@dataclass
class KeyFile:
    vault_id: str
    created: str
    keychain_backend: str | None  # None: password-only vault
    key_checks: dict[str, bytes]  # CURRENT, and NEXT while a rekey is under way
    slots: list[Slot]
    generation: int = 0  # must not be lower than the database's 'keys_generation' (0: a version 1 file)
    file_version: int = FILE_VERSION  # as read, so a version 1 file's MAC is checked over its own body
    audit_head: dict[str, Any] | None = None  # the audit chain's newest entry, signed at the last lock (version 3)

    def signers(self) -> dict[str, PublicSigner]:
        """The signing keys in the slot headers (current and earlier ones), by key id: the roots verify trusts."""
        return {key.hex(): PublicSigner(slot.user_id, key) for slot in self.slots for key in slot.signing_keys}

    @property
    def keychain_bound(self) -> bool:
        return self.keychain_backend is not None

    def find_slot(self, user: str) -> Slot | None:
        wanted = user_key(user)
        return next((slot for slot in self.slots if user_key(slot.user) == wanted), None)

    def users(self) -> list[str]:
        return [slot.user for slot in self.slots]

    def replace_slot(self, slot: Slot) -> None:
        """Put `slot` in place of the same user's slot (or add it): one atomic save later, never zero slots."""
        key = user_key(slot.user)
        self.slots = [s for s in self.slots if user_key(s.user) != key] + [slot]

    def remove_slot(self, user: str) -> None:
        self.slots = [s for s in self.slots if user_key(s.user) != user_key(user)]

    def _body(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "format": FORMAT,
            "version": self.file_version,
            "vault_id": self.vault_id,
            "created": self.created,
            "keychain": {"backend": self.keychain_backend} if self.keychain_backend else None,
            "key_checks": {which: _b64(check) for which, check in self.key_checks.items()},
            "slots": [slot.to_json() for slot in self.slots],
        }
        if self.file_version >= 2:
            body["generation"] = self.generation
        if self.file_version >= 3:
            body["audit_head"] = self.audit_head
        return body

    @staticmethod
    def _mac(body: dict[str, Any], data_key: bytes) -> bytes:
        mac_key = _hkdf(bytes(data_key), b"counterpart keyfile mac v1")
        return hmac.new(mac_key, canonical(body), hashlib.sha256).digest()

    def verify_mac(self, data_key: bytes, stored_mac: bytes) -> None:
        if not hmac.compare_digest(self._mac(self._body(), data_key), stored_mac):
            raise VaultDamaged(_("The key file beside the vault has been altered since it was last saved."))

    def save(self, path: Path, data_key: bytes) -> None:
        """Atomically replace the key file, authenticated with `data_key` (the key of record)."""
        self.file_version = FILE_VERSION
        body = self._body()
        document = dict(body, mac=_b64(self._mac(body, data_key)))
        payload = json.dumps(document, indent=1, sort_keys=True).encode("ascii") + b"\n"
        atomic_write(path, payload, vault_file=True)

    @classmethod
    def load(cls, path: Path) -> tuple[KeyFile, bytes]:
        """Read the key file; returns it and its stored MAC (checked later, once the data key is known)."""
        try:
            raw = path.read_bytes()
        except FileNotFoundError:
            raise VaultDamaged(
                _(
                    "The key file {name} is missing, so this vault cannot be unlocked with a "
                    "password. Use the recovery key."
                ).format(name=path.name)
            ) from None
        try:
            data = json.loads(raw)
            if data.get("format") != FORMAT:
                raise ValueError("not a Counterpart key file")
            file_version = int(data["version"])
            if file_version > FILE_VERSION:
                raise ValueError("made by a newer version")
            generation = int(data["generation"]) if file_version >= 2 else 0
            if generation < 0:
                raise ValueError("negative generation")
            audit_head = data.get("audit_head") if file_version >= 3 else None
            if audit_head is not None and not isinstance(audit_head, dict):
                raise ValueError("the audit head is not an object")
            keyfile = cls(
                vault_id=str(data["vault_id"]),
                created=str(data["created"]),
                keychain_backend=(data["keychain"] or {}).get("backend"),
                key_checks={which: _unb64(check) for which, check in data["key_checks"].items()},
                slots=[Slot.from_json(slot) for slot in data["slots"]],
                generation=generation,
                file_version=file_version,
                audit_head=audit_head,
            )
            mac = _unb64(data["mac"])
        except (ValueError, KeyError, TypeError, AttributeError, UnicodeDecodeError) as exc:
            raise VaultDamaged(
                _("The key file {name} is damaged or not a Counterpart key file ({detail}).").format(
                    name=path.name, detail=exc
                )
            ) from None
        return keyfile, mac
